/**
 * One line per Redis outage for the whole demo process. The demo opens several connections to
 * the same Redis (pub/sub publisher and subscriber, state store, presence, board repo); each reports its own
 * outage, so a Redis that is down at start-up would print four lines, and a connection left without
 * an `error` listener (ioredis) prints a stack trace on every retry. Everything goes through here.
 */
import { watchConnection } from "hotline/redis";

/** The shared log and a way to watch a connection the demo opened itself. */
export interface RedisStatus {
  /** Give this as `log` to RedisPubSub and RedisStore. */
  log(line: string): void;
  /** Watches an ioredis client the demo opened (and gives it the `error` listener it needs). */
  watch(client: unknown, name: string): void;
}

const DOWN = /cannot reach Redis|connection lost/;
const BACK = /connection is back/;
const DURING_OUTAGE = /until Redis is back/;
// Presence's heartbeat fails and recovers with the connections: part of the same outage.
const HEARTBEAT_FAILED = /presence heartbeat failed/;
const HEARTBEAT_BACK = /presence heartbeat is back/;

/**
 * @example
 * const status = redisStatus(process.env.REDIS_URL!, (l) => console.warn(l));
 * new RedisPubSub({ url, log: status.log });
 * status.watch(new Redis(url), "board");
 */
export function redisStatus(url: string, print: (line: string) => void): RedisStatus {
  const where = safeUrl(url);
  let down = false;
  let heartbeatQuiet = false;
  const log = (line: string) => {
    if (HEARTBEAT_FAILED.test(line)) {
      heartbeatQuiet = down;
      if (down) return;
    } else if (HEARTBEAT_BACK.test(line) && heartbeatQuiet) {
      heartbeatQuiet = false;
      return;
    }
    if (DOWN.test(line)) {
      if (down) return;
      down = true;
      const why = /\(([^)]*)\)/.exec(line)?.[1] ?? "no answer";
      print(`[demo] cannot reach Redis at ${where} (${why}); retrying in the background`);
      return;
    }
    if (BACK.test(line)) {
      if (!down) return;
      down = false;
      print(`[demo] Redis at ${where} is back`);
      return;
    }
    if (down && DURING_OUTAGE.test(line)) return;
    print(line);
  };
  return { log, watch: (client, name) => watchConnection(client, "ioredis", name, log) };
}

/** The URL without its password, fit for a log line. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString().replace(/\/$/, "");
  } catch {
    return "(REDIS_URL)";
  }
}
