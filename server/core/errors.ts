import type { ErrorCode, Fault } from "../../protocol/codes.js";

const defaultFault: Record<ErrorCode, Fault> = {
  bad_message: "client",
  unknown_component: "client",
  unknown_event: "client",
  not_joined: "client",
  bad_state: "client",
  too_large: "client",
  unauthorized: "client",
  rate_limited: "client",
  handler_error: "app",
  conflict: "client",
};

/**
 * An error with a stable protocol code and the party at fault.
 *
 * `message` is safe to send to a client: it never holds a stack trace, a secret or raw input.
 * `details` may carry structured, client-safe data (validation issues, current values on conflict).
 *
 * @example
 * throw new HotlineError("unauthorized", "field 'total' is read-only");
 */
export class HotlineError extends Error {
  readonly code: ErrorCode;
  readonly fault: Fault;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, options: { fault?: Fault; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HotlineError";
    this.code = code;
    this.fault = options.fault ?? defaultFault[code];
    if (options.details !== undefined) this.details = options.details;
  }

  /** The wire form: `{ code, message }`, plus `details` when present. */
  toJSON(): { code: ErrorCode; message: string; details?: unknown } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/**
 * Turns anything thrown into a HotlineError that is safe to show a client: a HotlineError passes
 * through; anything else (an app's own exception) becomes `handler_error` with a generic message,
 * its original kept as `cause` for the server's log.
 */
export function toHotlineError(err: unknown, context = "the handler"): HotlineError {
  if (err instanceof HotlineError) return err;
  return new HotlineError("handler_error", `${context} failed`, { fault: "app", cause: err });
}
