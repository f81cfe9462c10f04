import { WebSocket } from "ws";
import type { Connection } from "./connection.js";

/**
 * The server end of every WebSocket of the transport (`new WebSocketServer({ WebSocket: LiveSocket })`):
 * a `ws` socket that keeps its {@link Connection} in a field of its own, so that the socket's
 * listeners (one set of functions for every connection) reach it without a per-socket entry in a
 * WeakMap: connections are many.
 */
export class LiveSocket extends WebSocket {
  /** @internal Set by the Connection made for this socket. */
  connection: Connection | undefined = undefined;
}
