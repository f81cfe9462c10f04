/**
 * The one error `hotline/testing` throws: a plain `Error` (any test framework reports it), with
 * the protocol's error code when the server refused something, so a test can assert on it.
 */
export class LiveTestError extends Error {
  /**
   * The server's error code (`unauthorized`, `bad_message`, `unknown_event`, `handler_error`, …),
   * or `"testing"` when the test itself asked for something impossible (no element matches, no
   * binding on it, the view is closed).
   */
  readonly code: string;
  /** The error frame's `details` (a schema's issues, a redirect), when it has some. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "LiveTestError";
    this.code = code;
    this.details = options.details;
  }
}

/** A mistake in the test (not the server's answer): code `"testing"`. */
export function misuse(message: string): LiveTestError {
  return new LiveTestError("testing", message);
}
