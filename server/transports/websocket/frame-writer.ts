import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";

/** `ws.send()`'s options for a Buffer that holds text. */
const TEXT = Object.freeze({ binary: false });

/**
 * The socket to write `ws`'s data frames to directly: `socket` (the one given to `handleUpgrade`)
 * when the connection negotiated no extension, else undefined and frames go through
 * {@link sendThroughWs} (permessage-deflate compresses there). The connection keeps the result
 * in a field, not a closure: a few bytes less per connection.
 */
export function directSocket(ws: WebSocket, socket: Duplex | undefined): Duplex | undefined {
  return socket && ws.extensions === "" ? socket : undefined;
}

/**
 * Writes one text frame: to `direct` (from {@link directSocket}) when given, else with `ws.send()`.
 *
 * `ws` stays the library for the handshake, for reading frames, for control frames (ping, pong,
 * close) and for compression. When no extension was negotiated, a data frame is written to the
 * upgraded socket directly as one buffer, header and payload together (RFC 6455 §5.2: FIN, opcode
 * 1, unmasked from a server). Those are the bytes `ws.send()` writes, without its per-call option
 * objects and its corked two-part write: about 1 µs less of the server's time per frame
 * (bench/ws-roundtrip.ts, 50 clients).
 *
 * Order is kept: the frame is written within the call, as `ws.send()` writes it, and `ws` writes
 * its control frames within their calls too (its sender queues only while compressing, which
 * never happens on a connection without extensions).
 */
export function writeFrame(ws: WebSocket, direct: Duplex | undefined, frame: string | Buffer): void {
  if (direct) direct.write(textFrame(frame));
  else sendThroughWs(ws, frame);
}

function sendThroughWs(ws: WebSocket, frame: string | Buffer): void {
  if (typeof frame === "string") ws.send(frame);
  else ws.send(frame, TEXT);
}

/**
 * A shared payload (a broadcast sends one Buffer to every viewer with that client id) is framed
 * once. So a Buffer handed to a viewer's `send()` must not change afterwards: frames are
 * immutable (broadcast.ts makes a new one per change).
 */
const framed = new WeakMap<Buffer, Buffer>();

/** `payload` as one complete, unmasked, final text frame (RFC 6455 §5.2). */
export function textFrame(payload: string | Buffer): Buffer {
  if (typeof payload === "string") {
    const len = Buffer.byteLength(payload);
    const out = withHeader(len);
    out.write(payload, out.length - len, len, "utf8");
    return out;
  }
  let out = framed.get(payload);
  if (!out) {
    out = withHeader(payload.length);
    payload.copy(out, out.length - payload.length);
    framed.set(payload, out);
  }
  return out;
}

/** A buffer for a frame of `len` payload bytes, its header written: 2, 4 or 10 bytes by the length's size. */
function withHeader(len: number): Buffer {
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(head + len);
  out[0] = 0x81; // FIN, text
  if (head === 2) {
    out[1] = len;
  } else if (head === 4) {
    out[1] = 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 127;
    out.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    out.writeUInt32BE(len >>> 0, 6);
  }
  return out;
}
