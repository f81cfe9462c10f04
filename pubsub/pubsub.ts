/**
 * Fans messages out by topic, within one process (`MemoryPubSub`, the reference) or across many
 * (`RedisPubSub` in `hotline/redis`). Messages are JSON-serialisable values.
 *
 * Delivery is at most once per subscriber; when an implementation knows a subscriber may have
 * missed messages (a Redis reconnect, a sequence gap), it calls the listener with
 * `info.resync = true` and `message = undefined`, so the subscriber re-reads current state.
 *
 * @example
 * const off = await pubsub.subscribe("orders:42", (msg) => console.log(msg));
 * await pubsub.publish("orders:42", { status: "paid" });
 * await off();
 */
export interface PubSub {
  /** Sends `message` to every subscriber of `topic`, in every process that shares this bus. */
  publish(topic: string, message: unknown): Promise<void>;
  /** Calls `listener` for each message on `topic`; resolves once the subscription is live, to an unsubscribe function. */
  subscribe(topic: string, listener: Listener): Promise<() => Promise<void>>;
  /** Ends every subscription and releases connections. */
  close(): Promise<void>;
}

/** What a subscriber is told besides the message. */
export interface DeliveryInfo {
  topic: string;
  /** Set when messages may have been missed: re-read current state instead of applying `message`. */
  resync?: boolean;
  /** When the message was published (ms since the epoch, the publisher's clock), when the bus says (RedisPubSub does). */
  publishedAt?: number;
}

/** A subscriber's callback. It must not throw; an error it throws is reported and swallowed. */
export type Listener = (message: unknown, info: DeliveryInfo) => void;
