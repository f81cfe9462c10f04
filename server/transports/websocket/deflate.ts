/**
 * permessage-deflate (RFC 7692) for the WebSocket transport: the app's option and what it gives
 * the `ws` server. Off by default; docs/websocket.md has the figures and the advice.
 */
import type { PerMessageDeflateOptions as WsDeflateOptions } from "ws";

/**
 * Settings of permessage-deflate. The browser offers the extension by itself on every connection;
 * a client that does not offer it (or a `ws` client with `perMessageDeflate: false`) gets plain
 * frames from the same server.
 *
 * @example
 * createHotline({ perMessageDeflate: true });                       // the defaults below
 * createHotline({ perMessageDeflate: { threshold: 256, level: 1, serverMaxWindowBits: 11, memLevel: 4 } });
 */
export interface PerMessageDeflateOptions {
  /**
   * Frames shorter than this many bytes go uncompressed (the header would eat the gain, and each
   * compression costs CPU). Default 64: Hotline's patches are small, and with context takeover
   * a 400-byte patch repeating earlier text shrinks to a few dozen bytes.
   */
  threshold?: number;
  /** zlib level, 0 to 9. Default 1: on patches this small, higher levels cost CPU and win a few bytes. */
  level?: number;
  /**
   * zlib memLevel, 1 to 9: the compressor's hash memory is 2^(memLevel + 9) bytes per connection.
   * Default 8 (128 KiB); 4 (8 KiB) loses little on small frames.
   */
  memLevel?: number;
  /**
   * The server compressor's window, 9 to 15 bits: 2^(bits + 2) bytes per connection (15: 128 KiB).
   * Default 15. Smaller windows remember less of earlier frames (and so compress repeats less).
   * A client whose offer asks for an even smaller server window is refused (400, by ws): browsers
   * do not ask.
   */
  serverMaxWindowBits?: number;
  /**
   * Resets the server's compressor after every message: no earlier frame to refer to, so small
   * patches barely shrink (the memory stays allocated, so this saves little). Default false.
   */
  serverNoContextTakeover?: boolean;
  /** Asks the client to reset its compressor after every message. Default false. */
  clientNoContextTakeover?: boolean;
  /** Most zlib jobs at once in the process (ws's limiter, shared by every connection). Default 10. */
  concurrencyLimit?: number;
}

/** What `perMessageDeflate: true` means. */
export const DEFAULT_DEFLATE: Readonly<Required<Pick<PerMessageDeflateOptions, "threshold" | "level" | "memLevel" | "serverMaxWindowBits">>> = Object.freeze({
  threshold: 64,
  level: 1,
  memLevel: 8,
  serverMaxWindowBits: 15,
});

/**
 * The `ws` server's `perMessageDeflate` for the app's option: `false` when off (the default).
 * Out-of-range numbers are a programming error of the app, reported at startup.
 */
export function wsDeflateOptions(option: boolean | PerMessageDeflateOptions | undefined): false | WsDeflateOptions {
  if (option === undefined || option === false) return false;
  const o = option === true ? {} : option;
  const level = int("level", o.level ?? DEFAULT_DEFLATE.level, 0, 9);
  const memLevel = int("memLevel", o.memLevel ?? DEFAULT_DEFLATE.memLevel, 1, 9);
  const bits = int("serverMaxWindowBits", o.serverMaxWindowBits ?? DEFAULT_DEFLATE.serverMaxWindowBits, 9, 15);
  const out: WsDeflateOptions = {
    threshold: int("threshold", o.threshold ?? DEFAULT_DEFLATE.threshold, 0, Number.MAX_SAFE_INTEGER),
    zlibDeflateOptions: { level, memLevel },
    // Only `true` is passed on: ws refuses the whole handshake (400) when it is given `false` and a
    // client's offer asks for no context takeover, or a window smaller than the one set here.
    ...(o.serverNoContextTakeover && { serverNoContextTakeover: true }),
    ...(o.clientNoContextTakeover && { clientNoContextTakeover: true }),
    ...(bits < 15 && { serverMaxWindowBits: bits }),
  };
  if (o.concurrencyLimit !== undefined) out.concurrencyLimit = int("concurrencyLimit", o.concurrencyLimit, 1, 1024);
  return out;
}

function int(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`perMessageDeflate.${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}
