/**
 * The protocol's error codes, shared by server and client (docs/protocol.md lists each).
 * A code is stable: clients switch on it; the message beside it is for people.
 */
export const ErrorCodes = [
  "bad_message",
  "unknown_component",
  "unknown_event",
  "not_joined",
  "bad_state",
  "too_large",
  "unauthorized",
  "rate_limited",
  "handler_error",
  "conflict",
] as const;

/** One of the protocol's error codes. */
export type ErrorCode = (typeof ErrorCodes)[number];

/** Whose fault an error is: the app's (a handler threw), the client's (bad input), or the framework's. */
export type Fault = "app" | "client" | "framework";

/** HTTP status for each code, used by the HTTP transport. */
export const HttpStatus: Record<ErrorCode, number> = {
  bad_message: 400,
  unknown_component: 404,
  unknown_event: 400,
  not_joined: 400,
  bad_state: 400,
  too_large: 413,
  unauthorized: 403,
  rate_limited: 429,
  handler_error: 500,
  conflict: 409,
};
