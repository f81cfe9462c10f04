// Losing the database for a while (a restart, a failover, a proxy closing idle connections) is
// expected: it must not end the process, and it must not flood the log. This file says which
// errors mean "the connection is gone", what a caller is told, and logs one line per outage.
import { HotlineError } from "../../core/errors.js";

// SQLSTATE: class 08 (connection exception), and the server ending a session on purpose.
const LOST_SQLSTATES = new Set(["57P01", "57P02", "57P03"]);
const LOST_SYSCALL_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ECONNABORTED"]);
// pg's own errors for a socket that closed or never opened carry no code, only these messages.
const LOST_MESSAGES = /Connection terminated|not queryable|timeout exceeded when trying to connect|Client was closed/i;

/** Whether `err` means the connection to the database is gone (or cannot be made), not a bad query. */
export function isConnectionLoss(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === "string" && (code.startsWith("08") || LOST_SQLSTATES.has(code) || LOST_SYSCALL_CODES.has(code))) return true;
  return typeof message === "string" && LOST_MESSAGES.test(message);
}

/**
 * What a caller gets when the database went away under its query: the framework's fault (no
 * stack trace, no driver text for a client), with the driver's error kept as `cause` for the log.
 * A write's outcome is unknown: the server may have committed before the connection went.
 */
export function connectionLostError(err: unknown, write: boolean): HotlineError {
  const message = write
    ? "the database connection was lost before the change was confirmed; reload to see whether it was saved"
    : "the database is unavailable; try again";
  return new HotlineError("handler_error", message, { fault: "framework", cause: err });
}

/**
 * Tracks one outage at a time, so that its many symptoms (each idle connection of the pool, the
 * query in flight, the LISTEN connection, every retry) give one log line. An outage ends when
 * something that started after it began succeeds; an error from something older than the last
 * recovery (an idle connection that outlived it) is a late echo of that outage, not a new one.
 */
export class Outage {
  readonly #log: (line: string, err?: unknown) => void;
  readonly #what: string;
  #began: number | null = null;
  #recovered = -Infinity;
  #reportedOther = false;

  constructor(what: string, log: (line: string, err?: unknown) => void) {
    this.#what = what;
    this.#log = log;
  }

  /** The clock this class compares with: take it when a query starts or a connection opens. */
  static now(): number {
    return performance.now();
  }

  get down(): boolean {
    return this.#began !== null;
  }

  /** A connection loss seen by something that started at `since`: logs once per outage. */
  lost(err: unknown, since = Outage.now()): void {
    if (this.#began !== null || since < this.#recovered) return;
    this.#began = Outage.now();
    this.#reportedOther = false;
    const reason = err instanceof Error && err.message ? err.message : String(err);
    this.#log(`${this.#what}: lost the database connection (${reason}); reconnecting with backoff, and the change feed will resync`);
  }

  /**
   * An unexpected error while reconnecting (a permission, a missing table): logged in full, once
   * per outage, since retrying will not make it go away by itself.
   */
  failed(message: string, err: unknown): void {
    if (this.#reportedOther) return;
    this.#reportedOther = true;
    this.#log(`${this.#what}: ${message}`, err);
  }

  /** Something that started at `since` succeeded: if it started after the outage began, it is over. */
  ok(since: number): void {
    if (this.#began === null || since < this.#began) return;
    this.#began = null;
    this.#recovered = Outage.now();
  }
}
