// What presence costs Redis and how fast it forgets the dead, measured on a private redis-server.
// 1. Redis commands per track and per untrack, counted by Redis itself (INFO commandstats deltas,
//    CONFIG RESETSTAT before each scenario), with 1 and 10 other instances subscribed to the topic.
//    Goal: at most 3 per operation, whatever the number of instances.
// 2. Time for the presences of a SIGKILLed process to leave another process's list: median of 5,
//    against processTimeoutMs (PRESENCE_TIMEOUT_MS, default 3000; the library's default is 10,000).
// Prints figures, fails nothing.
// Run: node --conditions=hotline-source --import tsx bench/presence-redis.ts   (needs redis-server on the PATH)
import { Redis } from "ioredis";
import { setTimeout as sleep } from "node:timers/promises";
import { RedisPresence } from "../pubsub/presence-redis.js";
import { haveRedisServer, startRedisServer } from "../test/support/redis-server.js";
import { presenceChild } from "../test/pubsub/presence-redis-behaviour.js";
import { fmt } from "./ws-support.js";
import { round, summary } from "./summary.js";

if (!(await haveRedisServer())) {
  console.log("bench/presence-redis: needs redis-server on the PATH (it counts commands on a private one); skipped");
  process.exit(0);
}
const OPS = 50;
const TIMEOUT = Number(process.env.PRESENCE_TIMEOUT_MS ?? 3000);
const RUNS = 5;
const redis = await startRedisServer();
const admin = new Redis(redis.url);
const prefix = `hotline-bench:${process.pid}:`;

async function calls(): Promise<Map<string, number>> {
  const info = await admin.info("commandstats");
  const out = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) if (m[1] !== "info" && m[1] !== "config|resetstat") out.set(m[1]!, Number(m[2]));
  return out;
}

const perCommand = (c: Map<string, number>) => [...c].sort().map(([k, v]) => `${k.toUpperCase()} ${fmt(v / OPS, 2)}`).join(", ");
const sum = (c: Map<string, number>) => [...c.values()].reduce((a, b) => a + b, 0);

/** OPS tracks then OPS untracks by one instance, `watchers` other instances subscribed (and the tracker too when `subscribed`). */
async function countScenario(watchers: number, subscribed: boolean): Promise<{ row: string; track: number; untrack: number }> {
  const opts = { url: redis.url, driver: "ioredis" as const, prefix, processTimeoutMs: 600_000 }; // no heartbeat while counting
  const topic = `board:${watchers}:${subscribed}`;
  const tracker = new RedisPresence(opts);
  if (subscribed) await tracker.subscribe(topic, () => {});
  let seen = 0;
  const others = await Promise.all(Array.from({ length: watchers }, async () => {
    const p = new RedisPresence(opts);
    await p.subscribe(topic, () => { seen++; });
    return p;
  }));
  const settle = async (n: number) => { while (seen < n * watchers) await sleep(1); };
  await tracker.untrack(topic, await tracker.track(topic, "warm-up", {})); // the topic in the process's set, once
  await settle(2);
  await admin.config("RESETSTAT");
  const refs: string[] = [];
  for (let i = 0; i < OPS; i++) refs.push(await tracker.track(topic, `user${i % 10}`, { name: `User ${i % 10}`, tab: i }));
  await settle(2 + OPS);
  const t = await calls();
  await admin.config("RESETSTAT");
  for (const ref of refs) await tracker.untrack(topic, ref);
  await settle(2 + 2 * OPS);
  const u = await calls();
  for (const p of [tracker, ...others]) await p.close();
  const row = `${String(watchers).padStart(2)} other instance(s) subscribed, tracker ${subscribed ? "subscribed  " : "unsubscribed"} | track: ${fmt(sum(t) / OPS, 2)} (${perCommand(t)}) | untrack: ${fmt(sum(u) / OPS, 2)} (${perCommand(u)})`;
  return { row, track: sum(t) / OPS, untrack: sum(u) / OPS };
}

const counted = [await countScenario(1, true), await countScenario(10, true), await countScenario(10, false)];
const rows = counted.map((c) => c.row);

// Time for a crashed process's presences to leave another's list.
const times: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const topic = `crash:${run}`;
  const survivor = new RedisPresence({ url: redis.url, driver: "ioredis", prefix, processTimeoutMs: TIMEOUT });
  await survivor.subscribe(topic, () => {});
  const child = await presenceChild("ioredis", redis.url, prefix, TIMEOUT, topic, ["ada", "ada", "bob"]);
  while (Object.keys(await survivor.list(topic)).length < 2) await sleep(5);
  await sleep(Math.random() * TIMEOUT / 4); // anywhere in the heartbeat period
  const killed = performance.now();
  child.kill();
  while (Object.keys(await survivor.list(topic)).length > 0) await sleep(2);
  times.push(performance.now() - killed);
  await survivor.close();
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
const left = await admin.keys(`${prefix}*`);

await admin.quit();
await redis.stop();

console.log(`Redis commands per operation, counted by Redis (INFO commandstats deltas over ${OPS} tracks and ${OPS} untracks; goal <= 3):`);
for (const r of rows) console.log(`  ${r}`);
console.log(`SIGKILLed process's presences gone from another's list (${RUNS} runs, processTimeoutMs ${TIMEOUT}):`);
console.log(`  median ${fmt(median, 0)} ms (${fmt(median / TIMEOUT, 2)}x the bound), min ${fmt(times[0]!, 0)} ms, max ${fmt(times.at(-1)!, 0)} ms (${fmt(times.at(-1)! / TIMEOUT, 2)}x the bound)`);
console.log(`  keys left under the prefix after the sweeps: ${left.length}`);
summary("presence-redis", {
  track_commands_1_watcher: round(counted[0]!.track, 2), untrack_commands_1_watcher: round(counted[0]!.untrack, 2),
  track_commands_10_watchers: round(counted[1]!.track, 2), untrack_commands_10_watchers: round(counted[1]!.untrack, 2),
  track_commands_unsubscribed: round(counted[2]!.track, 2), untrack_commands_unsubscribed: round(counted[2]!.untrack, 2),
  crash_gone_median_ms: Math.round(median), crash_gone_max_ms: Math.round(times.at(-1)!), crash_gone_ratio_to_timeout: round(median / TIMEOUT, 2), keys_left: left.length,
});
process.exit(0);
