/**
 * The WebSocket close codes Hotline uses (RFC 6455 §7.4, and the IANA registry for 1012/1013),
 * with when each is sent. docs/protocol.md §2.4 lists the limits behind them.
 */
export const CloseCodes = {
  /** 1000: a normal close, e.g. the client leaving the page or calling `close()`. */
  normal: 1000,
  /** 1008 (policy violation): a client that keeps sending past the rate limit. */
  policy: 1008,
  /** 1009 (message too big): a frame over `maxPayload`; the `ws` server sends it by itself. */
  tooBig: 1009,
  /** 1012 (service restart): a graceful shutdown, after every state was saved; clients reconnect and resume. */
  restart: 1012,
  /** 1013 (try again later): a client that stopped reading (over `maxBufferedBytes` unsent); it resumes when it reconnects. */
  tryAgainLater: 1013,
  /**
   * 4001 (Hotline's own): the user signed out (`hotline.signOut(user)`), on this or another
   * process. The browser client reloads the page rather than reconnecting, so the app's sign-in
   * takes over.
   */
  signedOut: 4001,
} as const;

/** One of the close codes Hotline sends. */
export type CloseCode = (typeof CloseCodes)[keyof typeof CloseCodes];
