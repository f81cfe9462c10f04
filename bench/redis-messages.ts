// What one change costs Redis, counted by Redis itself (INFO stats / INFO commandstats on a private
// redis-server, reset before each scenario): N viewers of a shared component across two server
// processes, each change made by a viewer's event on process 1 and awaited until all N viewers
// have their patch. Goal: one PUBLISH per topic per change, whatever N. Fails nothing.
// Run: node --import tsx bench/redis-messages.ts   (needs redis-server on the PATH)
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { haveRedisServer, startRedisServer } from "../test/support/redis-server.js";
import { kid, type Kid } from "./cluster-support.js";
import { fmt } from "./ws-support.js";
import { round, summary } from "./summary.js";

if (!(await haveRedisServer())) {
  console.log("bench/redis-messages: needs redis-server on the PATH (it counts commands on a private one); skipped");
  process.exit(0);
}
const CHANGES = process.env.BENCH_QUICK === "1" ? 10 : 50;
const redis = await startRedisServer();
const prefix = `hotline-bench:${process.pid}:${randomBytes(3).toString("hex")}:`;
const admin = new Redis(redis.url);

async function serve(): Promise<Kid & { url: string }> {
  const k = kid("server", ["redis", redis.url, prefix]);
  const { url } = await k.next<{ url: string }>();
  return Object.assign(k, { url });
}

/** INFO stats and commandstats as numbers: total_commands_processed, and calls per command. */
async function stats(): Promise<{ total: number; calls: Map<string, number> }> {
  const info = await admin.info("all");
  const total = Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? NaN);
  const calls = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1]!, Number(m[2]));
  return { total, calls };
}

const servers = [await serve(), await serve()];
const clients = [kid("client"), kid("client"), kid("client"), kid("client")];
const rows: string[] = [];
const figures: Record<string, number> = {};

/** N viewers (half per process) in `rooms` rooms; each change bumps room 0 from process 1. */
async function scenario(n: number, rooms: number): Promise<void> {
  // clients[0..1] feed process 1, clients[2..3] process 2; room 0's first socket (clients[0]) bumps
  const per = n / 2;
  const plan: { c: number; s: number; n: number; room: number }[] = [];
  for (let room = 0; room < rooms; room++) {
    const k = per / rooms;
    plan.push({ c: room === 0 ? 0 : 1, s: 0, n: k, room }, { c: room === 0 ? 2 : 3, s: 1, n: k, room });
  }
  for (const p of plan) await clients[p.c]!.ask({ open: { url: servers[p.s]!.url, n: p.n, room: p.room } });
  const inRoom0 = per / rooms;
  await admin.config("RESETSTAT");
  const before = await stats();
  for (let i = 0; i < CHANGES; i++) {
    await Promise.all([clients[0]!.ask({ expect: inRoom0 }), clients[2]!.ask({ expect: inRoom0 })]);
    const all = Promise.all([clients[0]!.next(), clients[2]!.next()]);
    clients[0]!.send({ bump: true });
    await all;
  }
  const after = await stats();
  const d = (cmd: string) => ((after.calls.get(cmd) ?? 0) - (before.calls.get(cmd) ?? 0)) / CHANGES;
  // total_commands_processed counts the commands a script runs too; minus our own INFO (`before`'s)
  const perChange = (after.total - before.total - 1) / CHANGES;
  const numsub = (await admin.pubsub("NUMSUB", `${prefix}tally:0`)) as [string, number];
  const others = [...after.calls.keys()].filter((k) => !["info", "config|resetstat", "config", "publish", "evalsha", "eval", "incr", "pexpire", "set", "get"].includes(k) && d(k) > 0);
  rows.push(`${String(n).padStart(5)} viewers, ${String(rooms).padStart(2)} room(s) | PUBLISH ${fmt(d("publish"), 2)} | EVALSHA ${fmt(d("evalsha"), 2)} | EVAL ${fmt(d("eval"), 2)} | INCR ${fmt(d("incr"), 2)} | PEXPIRE ${fmt(d("pexpire"), 2)} | SET ${fmt(d("set"), 2)} | GET ${fmt(d("get"), 2)} | all commands ${fmt(perChange, 2)} | subscribers on the channel: ${numsub[1]}${others.length ? ` | other: ${others.map((k) => `${k} ${fmt(d(k), 2)}`).join(", ")}` : ""}`);
  const key = `${n}_viewers_${rooms}_rooms`;
  Object.assign(figures, { [`${key}.publish`]: round(d("publish"), 2), [`${key}.evalsha`]: round(d("evalsha"), 2), [`${key}.all_commands`]: round(perChange, 2) });
  await Promise.all(clients.map((c) => c.ask({ close: true })));
  await new Promise((r) => setTimeout(r, 300));
}

await scenario(2, 1);
await scenario(200, 1);
await scenario(2000, 1);
await scenario(2000, 10);

await Promise.all(servers.map((s) => s.ask({ stop: true })));
for (const c of clients) c.kill();
await admin.quit();
await redis.stop();

console.log(`Redis commands per change, counted by Redis (INFO commandstats deltas over ${CHANGES} changes; 2 server processes;`);
console.log("a change = one viewer's event on process 1, awaited until every viewer of its room has the patch):");
for (const r of rows) console.log("  " + r);
console.log("goal: one PUBLISH per topic per change, independent of the number of viewers.");
console.log("PUBLISH, INCR and PEXPIRE run inside the publish script (one EVALSHA round trip); SET is the state save of");
console.log("the shared group, once per process that re-rendered (not per viewer).");
summary("redis-messages", figures);
process.exit(0);
