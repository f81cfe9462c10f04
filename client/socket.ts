/**
 * The page's one WebSocket: refs, answers by ref, and reconnecting with exponential backoff and
 * full jitter (250 ms doubling to 10 s), so that a restarted server is not hit by every tab at once.
 * A close for a sign-out (4001) reloads the page instead.
 */
import { CloseCodes } from "../protocol/close-codes.js";
import { M, T } from "../protocol/wire.js";

/** A server message. */
export type Msg = { [M.type]: string; [M.ref]?: number; [M.id]?: string; [k: string]: any };
/** Gets the last answer for its ref (or null when the connection dropped first); true = handled. */
export type Answer = (m: Msg | null) => unknown;

export interface Sock {
  /** Sends `m` with a fresh ref; returns the ref, or 0 when not connected (nothing sent). */
  send(m: Record<string, unknown>, cb?: Answer): number;
  /** Sends a binary frame (an upload chunk, client/uploads.ts); false when not connected. */
  bin(d: ArrayBuffer): boolean;
}

/** Opens (and keeps open) the connection to `url`. */
export function openSocket(url: string, on: { open(): void; close(): void; msg(m: Msg): void }): Sock {
  let ws: WebSocket | null = null;
  let ref = 0;
  let tries = 0;
  const cbs = new Map<number, Answer>();
  const go = () => {
    const w = (ws = new WebSocket(url));
    w.onopen = () => {
      tries = 0;
      on.open();
    };
    w.onmessage = (e) => {
      let m: Msg;
      try {
        m = JSON.parse(e.data);
      } catch {
        return;
      }
      const r = m[M.ref];
      const cb = r && cbs.get(r);
      // every event has exactly one answer, or stream steps ending with done:true
      if (cb && (m[M.type] === T.error || m[M.done] !== false)) {
        cbs.delete(r);
        if (cb(m) === true) return;
      }
      on.msg(m);
    };
    w.onclose = (e) => {
      if (ws !== w) return;
      ws = null;
      for (const cb of cbs.values()) cb(null);
      cbs.clear();
      on.close();
      // Signed out (here or in another tab, on any server): the page itself must change, so the
      // app's sign-in takes over; reconnecting would only be refused.
      if (e.code === CloseCodes.signedOut) return location.reload();
      setTimeout(go, Math.random() * Math.min(1e4, 250 * 2 ** tries++));
    };
  };
  go();
  return {
    bin: (d) => ws?.readyState === 1 && (ws.send(d), true),
    send(m, cb) {
      if (ws?.readyState !== 1) return 0;
      ws.send(JSON.stringify({ ...m, [M.ref]: ++ref }));
      if (cb) cbs.set(ref, cb);
      return ref;
    },
  };
}
