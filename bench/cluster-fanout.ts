// Fan-out across processes: one change published on Redis reaches 1,000 viewers on each of two
// server processes (2,000 in all), against the same 2,000 viewers on one process with the memory
// pub/sub. The time is from the publish until every client has its patch (clients in two child
// processes; the servers are child processes too). Medians of several changes; fails nothing.
// Run: node --import tsx bench/cluster-fanout.ts   (REDIS_URL, else a private redis-server)
import { randomBytes } from "node:crypto";
import { RedisPubSub } from "../pubsub/redis.js";
import { haveRedisServer, startRedisServer, type PrivateRedis } from "../test/support/redis-server.js";
import { closeClients, kid, median, serveIn, timeFanOut } from "./cluster-support.js";
import { fmt } from "./ws-support.js";
import { round, summary } from "./summary.js";

const PER_PROCESS = Number(process.env.VIEWERS ?? 1000);
const CHANGES = 15;
const prefix = `hotline-bench:${process.pid}:${randomBytes(3).toString("hex")}:`;

// A private redis-server keeps the figures free of whatever else uses the shared one.
let priv: PrivateRedis | undefined;
const url = (await haveRedisServer()) ? (priv = await startRedisServer()).url : (process.env.REDIS_URL ?? "redis://127.0.0.1:6379");

const clients = [kid("client"), kid("client")];

const serve = (kind: "memory" | "redis") => serveIn(kind === "redis" ? ["redis", url, prefix] : ["memory"]);
const run = (publish: (score: number) => Promise<unknown>) => timeFanOut(clients, PER_PROCESS, CHANGES, publish);

// Baseline: one process, memory pub/sub, 2 x PER_PROCESS viewers; the server publishes itself.
const one = await serve("memory");
await Promise.all(clients.map((c) => c.ask({ open: { url: one.url, n: PER_PROCESS } })));
const single = await run((score) => one.ask({ publish: { topic: "tally:0", score } }));
await closeClients(clients);
await one.ask({ stop: true });

// Two processes behind Redis, PER_PROCESS viewers each; the change is published on Redis.
const [p1, p2] = [await serve("redis"), await serve("redis")];
await Promise.all([clients[0]!.ask({ open: { url: p1.url, n: PER_PROCESS } }), clients[1]!.ask({ open: { url: p2.url, n: PER_PROCESS } })]);
const bus = new RedisPubSub({ url, prefix });
const cluster = await run((score) => bus.publish("tally:0", { score }));
await closeClients(clients);
await Promise.all([p1.ask({ stop: true }), p2.ask({ stop: true })]);
await bus.close();
for (const c of clients) c.kill();
await priv?.stop();

const total = PER_PROCESS * 2;
const ms = (a: number[]) => `median ${fmt(median(a), 2)} ms (min ${fmt(Math.min(...a), 2)}, max ${fmt(Math.max(...a), 2)})`;
console.log(`one change to ${total} viewers of a shared component, until the last client has its patch (${CHANGES} changes)`);
console.log(`  1 process,  memory pub/sub, ${total} viewers:            ${ms(single)}`);
console.log(`  2 processes, Redis pub/sub, ${PER_PROCESS} viewers each:  ${ms(cluster)}`);
console.log(`  ratio (2 processes over Redis / 1 process): ${fmt(median(cluster) / median(single), 2)}x   goal <= 1.5x`);
console.log(`  Redis: ${priv ? "a private redis-server" : url}`);
summary("cluster-fanout", {
  viewers: total,
  single_ms: round(median(single), 2),
  two_processes_ms: round(median(cluster), 2),
  ratio: round(median(cluster) / median(single), 3),
});
process.exit(0);
