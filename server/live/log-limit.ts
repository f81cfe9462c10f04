import { HotlineError } from "../core/errors.js";

/** Options of {@link limitLog}. */
export interface LogLimitOptions {
  /** Lines of one message written per window; the rest are counted and summarised. Default 10. */
  perMessage?: number;
  /** Lines of all messages written per window. Default 100. */
  total?: number;
  /** The window, in ms. Default 10 s. */
  windowMs?: number;
  /** Distinct messages tracked per window; past it they share one count. Default 1000. */
  maxMessages?: number;
}

/** A log function with a summariser in front (`AppContext.log`). */
export interface LimitedLog {
  (message: string, err?: unknown): void;
  /** Writes the summaries of the window now and starts a new one. */
  flush(): void;
}

type Count = { written: number; suppressed: number };
const OTHERS = "(other messages)";

/**
 * Puts a rate limit and a summariser in front of `write`: within each window, a message (the
 * first argument, whatever the error) is written at most `perMessage` times and all messages at
 * most `total` times; the rest become one line per message at the window's end, "… and 523 more
 * like it in the last 10 s". Clients trigger many logs (bad frames, refused joins, components that
 * fail on what they were sent), so without it one client fills the disk. A client's own fault (a
 * HotlineError with fault "client") is written as one line, never with its stack.
 *
 * @example
 * const log = limitLog((m, e) => console.error(m, e));
 * for (let i = 0; i < 1000; i++) log("join failed", err); // 10 lines now, one summary later
 */
export function limitLog(write: (message: string, err?: unknown) => void, options: LogLimitOptions = {}, now: () => number = Date.now): LimitedLog {
  const perMessage = options.perMessage ?? 10;
  const total = options.total ?? 100;
  const windowMs = options.windowMs ?? 10_000;
  const maxMessages = options.maxMessages ?? 1000;
  let counts = new Map<string, Count>();
  let start = now();
  let written = 0;
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const seconds = Math.max(1, Math.round((now() - start) / 1000));
    const ended = counts;
    counts = new Map();
    start = now();
    written = 0;
    for (const [message, c] of ended) {
      if (c.suppressed > 0) write(`${message} … and ${c.suppressed} more like it in the last ${seconds} s (rate-limited and summarised)`);
    }
  };

  const log = (message: string, err?: unknown) => {
    if (now() - start >= windowMs) flush();
    let key = message;
    let c = counts.get(key);
    if (!c) {
      if (counts.size >= maxMessages) c = counts.get((key = OTHERS));
      if (!c) counts.set(key, (c = { written: 0, suppressed: 0 }));
    }
    if (c.written >= perMessage || written >= total) {
      c.suppressed++;
      // The summary is written when the window ends, even if nothing is logged after it.
      timer ??= setTimeout(flush, Math.max(0, start + windowMs - now())).unref();
      return;
    }
    c.written++;
    written++;
    if (err instanceof HotlineError && err.fault === "client") write(`${message}: ${err.code}: ${err.message}`);
    else if (err === undefined) write(message);
    else write(message, err);
  };
  return Object.assign(log, { flush });
}
