import { WebSocket } from "ws";
import type { Connection } from "./connection.js";

/**
 * The server end of every WebSocket of the transport (`new WebSocketServer({ WebSocket: LiveSocket })`):
 * a `ws` socket that keeps its {@link Connection} in a field of its own and hands it the socket's
 * events itself, in `emit`, rather than through listeners. Connections are many: four listeners
 * per socket cost a hash table (the emitter's `_events` object, about 250 bytes) and a lookup per
 * message, where this costs one field. Listeners that others add (`once("close")`) still run.
 */
export class LiveSocket extends WebSocket {
  /** @internal Set by the Connection made for this socket. */
  connection: Connection | undefined = undefined;

  override emit(event: string | symbol, ...args: any[]): boolean {
    const c = this.connection;
    switch (event) {
      case "message":
        c?.receive(args[0] as Buffer, args[1] as boolean);
        return true;
      case "pong":
        if (c) c.alive = true;
        return true;
      case "error":
        // handled here (the socket closes next): an emitter with no "error" listener would throw
        c?.gone();
        return true;
      case "close":
        if (c) {
          c.gone();
          c.closed();
        }
        break;
    }
    return super.emit(event, ...args);
  }
}
