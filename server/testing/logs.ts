/**
 * What a test app's logger was told, kept per app: a handler's error reaches its client only as
 * `handler_error`, so a failed action's message quotes the app's log line about it instead.
 */
import type { Hotline } from "../hotline.js";

/** Lines kept per app (the newest). */
const KEEP = 50;

const logs = new WeakMap<Hotline, string[]>();

type Logger = { error(...args: unknown[]): void };

/** A logger that keeps what it is told (in `lines`) and passes it on to `next`. */
export function keepingLogger(next: Logger, lines: string[]): Logger {
  return {
    error(...args: unknown[]) {
      lines.push(args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(" "));
      if (lines.length > KEEP) lines.shift();
      next.error(...args);
    },
  };
}

/** Records `lines` as `app`'s log. */
export function keepLog(app: Hotline, lines: string[]): void {
  logs.set(app, lines);
}

/** The app's log lines so far (none for an app `createTestApp()` did not make). */
export function logOf(app: Hotline): readonly string[] {
  return logs.get(app) ?? [];
}
