// The model feed with no single point of failure: three real processes run startModelFeed on one
// PostgreSQL table (test/models/fixtures/feed-node.ts), one publishes, and a writer commits rows in
// a loop while the publisher is SIGKILLed, or loses its lock connection (pg_terminate_backend) and
// lives on. Every committed row must reach the subscriber (the parent, over each child's IPC);
// a stepped-down publisher must never publish beside its successor. The takeover is printed, and
// only bounded (generously), never timed.
import { fork, type ChildProcess } from "node:child_process";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { HotlineError } from "../../server/core/errors.js";
import { MemoryModelAdapter } from "../../server/models/memory.js";
import { PostgresModelAdapter } from "../../server/models/postgres/adapter.js";
import { startModelFeed } from "../../server/models/feed.js";
import { MemoryPubSub } from "../../pubsub/memory.js";
import { leadTimings } from "../../server/models/leadership.js";
import type { ModelChange } from "../../server/models/model.js";
import { changeLogNames } from "../../server/models/postgres/changelog.js";
import { channelFor } from "../../server/models/postgres/catalog.js";
import { startCampaign } from "../../server/models/postgres/leader.js";
import { Outage } from "../../server/models/postgres/outage.js";
import { needPostgres } from "../support/services.js";

const url = await needPostgres();
const admin = new pg.Pool({ connectionString: url, max: 4 });
const schema = `hl_failover_${process.pid}_${Date.now().toString(36)}`;
const table = `${schema}.items`;
const fixture = new URL("./fixtures/feed-node.ts", import.meta.url).pathname;
// Generous: these bound a hang, they do not time anything.
const WAIT_MS = 30_000;
const TAKEOVER_MS = 5000;

interface Change { table: string; op: string; pk: unknown; version: unknown }
interface Received { from: number; change: Change }

const received: Received[] = [];
let wakeAll = () => {};

/** A feed process: its role as it reports it, its stderr, its exit. */
class Node {
  readonly child: ChildProcess;
  readonly appName: string;
  role: string | undefined;
  roleAt = 0;
  stderr = "";
  exit?: { code: number | null; signal: string | null };
  killed = false;
  #id = 0;
  #replies = new Map<number, (role: string) => void>();

  constructor(readonly n: number) {
    this.appName = `${schema}_n${n}`;
    const u = new URL(url);
    u.searchParams.set("application_name", this.appName);
    this.child = fork(fixture, [u.toString(), table, String(TAKEOVER_MS)], {
      execArgv: ["--conditions=hotline-source", "--import", "tsx"],
      stdio: ["ignore", "inherit", "pipe", "ipc"],
    });
    this.child.stderr!.on("data", (d) => { this.stderr += d; });
    this.child.on("message", (msg: { t: string; id?: number; role?: string; message?: Change }) => {
      if (msg.t === "pub") received.push({ from: n, change: msg.message! });
      if (msg.t === "ready" || msg.t === "role") { this.role = msg.role; this.roleAt = performance.now(); }
      if (msg.t === "reply") { this.#replies.get(msg.id!)?.(msg.role!); this.#replies.delete(msg.id!); }
      wakeAll();
    });
    this.child.on("exit", (code, signal) => { this.exit = { code, signal }; wakeAll(); });
  }

  get alive(): boolean {
    return !this.killed && !this.exit;
  }

  /** The role, asked now (not as last reported). */
  async ask(): Promise<string> {
    const id = ++this.#id;
    let role: string | undefined;
    this.#replies.set(id, (r) => { role = r; });
    this.child.send({ t: "role", id });
    return until(`node ${this.n}'s role`, () => role);
  }

  kill(): void {
    this.killed = true;
    this.child.kill("SIGKILL");
  }

  async close(): Promise<void> {
    if (this.exit) return;
    if (this.killed) { await until(`node ${this.n} to exit`, () => this.exit); return; }
    this.child.send({ t: "close" });
    await until(`node ${this.n} to exit`, () => this.exit).catch(() => this.child.kill("SIGKILL"));
  }
}

/** Resolves when `test()` holds (checked on every message and every 50 ms); rejects after WAIT_MS. */
function until<T>(what: string, test: () => T | undefined | false | null): Promise<T> {
  return new Promise((resolve, reject) => {
    const end = Date.now() + WAIT_MS;
    const check = () => {
      const v = test();
      if (v) { clearInterval(timer); resolve(v); return; }
      if (Date.now() > end) { clearInterval(timer); reject(new Error(`no ${what} after ${WAIT_MS} ms`)); }
    };
    const timer = setInterval(check, 50);
    const prev = wakeAll;
    wakeAll = () => { prev(); check(); };
    check();
  });
}

/** Inserts rows one after another until stopped; `committed` holds the id of each commit. */
class Writer {
  readonly committed: number[] = [];
  #stop = false;
  #done: Promise<void>;

  constructor(client: pg.Client) {
    this.#done = (async () => {
      while (!this.#stop) {
        const res = await client.query<{ id: number }>(`INSERT INTO ${table} (note) VALUES ('w') RETURNING id`);
        this.committed.push(res.rows[0]!.id);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
  }

  async stop(): Promise<number[]> {
    this.#stop = true;
    await this.#done;
    return this.committed;
  }
}

const insertsFrom = (since = 0) => received.slice(since).filter((r) => r.change.op === "insert");
const leaders = (nodes: Node[]) => nodes.filter((n) => n.alive && n.role === "leader");

/** Backends of our nodes that hold an advisory lock (the feed's). */
async function lockHolders(nodes: Node[]) {
  const res = await admin.query<{ pid: number; app: string }>(
    `SELECT a.pid, a.application_name AS app FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = ANY($1)`, [nodes.map((n) => n.appName)]);
  return res.rows;
}

/** Waits until every committed id was received; returns the ids missing at the deadline instead of throwing. */
async function missingAfterWait(committed: number[]): Promise<number[]> {
  const missing = () => {
    const got = new Set(insertsFrom().map((r) => r.change.pk));
    return committed.filter((id) => !got.has(id));
  };
  await until("every committed row to be published", () => missing().length === 0).catch(() => {});
  return missing();
}

const failover = suite("the model feed on three processes: one publishes, another takes over");
const nodes: Node[] = [];
let writerClient: pg.Client;

// One schema per run, dropped at the end with the shared log tables the feed creates in it.
await admin.query(`CREATE SCHEMA "${schema}"`);
await admin.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, note text NOT NULL, version integer NOT NULL DEFAULT 1)`);

failover.before(async () => {
  writerClient = new pg.Client({ connectionString: url });
  await writerClient.connect();
});

failover.after(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  await writerClient.end();
});

failover("exactly one of three processes publishes, and each change once", async () => {
  for (const n of [0, 1, 2]) nodes.push(new Node(n));
  await until("three nodes ready", () => nodes.every((n) => n.role));
  assert.is(leaders(nodes).length, 1, `one leader: ${nodes.map((n) => n.role).join(", ")}`);
  assert.is((await lockHolders(nodes)).length, 1, "one lock held");
  const w = new Writer(writerClient);
  await until("20 rows published", () => insertsFrom().length >= 20);
  const committed = await w.stop();
  assert.equal(await missingAfterWait(committed), []);
  const leader = leaders(nodes)[0]!;
  const got = insertsFrom();
  assert.ok(got.every((r) => r.from === leader.n), "only the leader published");
  assert.is(got.length, new Set(got.map((r) => r.change.pk)).size, "each change once");
});

failover("SIGKILL of the publisher while rows are committed: another takes over, and every committed row is published", async () => {
  const before = leaders(nodes)[0]!;
  const start = received.length;
  const w = new Writer(writerClient);
  await until("rows flowing", () => insertsFrom(start).length >= 10);
  before.kill();
  const killedAt = performance.now();
  const next = await until("a new leader", () => leaders(nodes)[0]);
  const takeover = next.roleAt - killedAt;
  const committedAtTakeover = w.committed.length;
  await until("20 more commits", () => w.committed.length >= committedAtTakeover + 20);
  const committed = await w.stop();
  const missing = await missingAfterWait(committed);
  const got = insertsFrom(start);
  const dupes = got.length - new Set(got.map((r) => r.change.pk)).size;
  console.log(`  takeover after SIGKILL: ${takeover.toFixed(0)} ms (takeoverMs ${TAKEOVER_MS}); ${committed.length} rows committed, ${dupes} published twice`);
  assert.equal(missing, [], `rows committed but never published: ${missing.join(", ")}`);
  assert.ok(takeover < 10_000, `took over within 10 s (${takeover.toFixed(0)} ms)`);
  assert.ok(received.slice(start).some((r) => r.from === next.n && r.change.op === "resync"), "the new leader told viewers to re-read once");
  assert.is(leaders(nodes).length, 1);
  assert.is((await lockHolders(nodes.filter((n) => n.alive))).length, 1, "one lock held");
});

failover("the publisher loses its lock connection but lives: it steps down, and never publishes beside its successor", async () => {
  const old = leaders(nodes)[0]!;
  const [holder] = await lockHolders([old]);
  assert.ok(holder, "the leader holds the lock");
  const start = received.length;
  const w = new Writer(writerClient);
  await until("rows flowing", () => insertsFrom(start).length >= 10);
  const steppedDownBefore = old.roleAt;
  await admin.query("SELECT pg_terminate_backend($1)", [holder.pid]);
  const cutAt = performance.now();
  await until("the old leader to step down", () => old.roleAt > steppedDownBefore && old.role === "follower" && old);
  const next = await until("a leader again", () => leaders(nodes)[0]);
  const takeover = next.roleAt - cutAt;
  const committedAtTakeover = w.committed.length;
  await until("20 more commits", () => w.committed.length >= committedAtTakeover + 20);
  const committed = await w.stop();
  console.log(`  takeover after pg_terminate_backend: ${takeover.toFixed(0)} ms, by ${next === old ? "the same process" : "another process"}`);
  assert.equal(await missingAfterWait(committed), []);
  assert.ok(takeover < 10_000, `took over within 10 s (${takeover.toFixed(0)} ms)`);

  // Settled: rows written now are published exactly once, all by the one leader.
  const settled = received.length;
  const w2 = new Writer(writerClient);
  await until("30 rows", () => w2.committed.length >= 30);
  const later = await w2.stop();
  assert.equal(await missingAfterWait(later), []);
  const got = insertsFrom(settled);
  assert.is(got.length, later.length, "each row published once: no second publisher");
  assert.equal([...new Set(got.map((r) => r.from))], [leaders(nodes)[0]!.n], "by the leader only");
  assert.equal(await Promise.all(nodes.filter((n) => n.alive).map((n) => n.ask())).then((r) => r.filter((x) => x === "leader").length), 1);

  assert.ok(old.alive, "the process that lost its connection is still running");
  const lines = old.stderr.split("\n").filter((l) => l.startsWith("[hotline]"));
  assert.is(lines.length, 1, `one log line for the lost connection:\n${old.stderr}`);
  assert.match(lines[0]!, /lost the database connection/);
  assert.not.match(old.stderr, /\n\s+at /, "no stack trace");
});

failover("a publisher that closes hands over cleanly: the next one publishes no resync, and the backlog", async () => {
  const old = leaders(nodes)[0]!;
  const start = received.length;
  await old.close();
  // Written while no process leads: kept in the log for the next one.
  for (let i = 0; i < 5; i++) await writerClient.query(`INSERT INTO ${table} (note) VALUES ('gap')`);
  const next = await until("a new leader", () => leaders(nodes)[0]);
  assert.is.not(next, old);
  await until("the five rows", () => insertsFrom(start).length >= 5);
  assert.not.ok(received.slice(start).some((r) => r.change.op === "resync"), "no resync after a clean hand-over");
});

const config = suite("the model feed: configuration, a long backlog, a bus or a database that is away");

config("bad options are refused with a clear error", async () => {
  const adapter = new MemoryModelAdapter({ table: "t", fields: [] });
  const pubsub = new MemoryPubSub();
  for (const [options, pattern] of [
    [{ takeoverMs: 10 }, /takeoverMs must be a number of milliseconds from 500 to 600000, got 10/],
    [{ takeoverMs: "5s" }, /takeoverMs must be .*got "5s"/],
    [{ elect: "yes" }, /`elect` must be true or false/],
  ] as const) {
    const err = await startModelFeed(adapter, pubsub, options as never).then(() => null, (e: unknown) => e);
    assert.instance(err, Error);
    assert.match((err as Error).message, pattern);
  }
  const err = await startModelFeed({} as never, pubsub).then(() => null, (e: unknown) => e);
  assert.match((err as Error).message, /must be a ModelAdapter/);
  // A pool too small to keep the lock and the LISTEN connections and still serve queries.
  const small = new pg.Pool({ connectionString: url, max: 2 });
  const pgAdapter = new PostgresModelAdapter({ pool: small, table });
  try {
    const tooSmall = await startModelFeed(pgAdapter, pubsub, { elect: true }).then(() => null, (e: unknown) => e);
    assert.instance(tooSmall, RangeError);
    assert.match((tooSmall as Error).message, /a pool of max 2 leaves none for queries: give it max 3 or more/);
  } finally {
    await pgAdapter.close();
    await small.end();
  }
});

config("the memory adapter always leads in its own process", async () => {
  const adapter = new MemoryModelAdapter({ table: "t", fields: [{ name: "n", type: "integer", nullable: true }], rows: [{ id: 1, n: 1 }] });
  const pubsub = new MemoryPubSub();
  const got: unknown[] = [];
  await pubsub.subscribe("model:t", (m) => got.push(m));
  const feed = await startModelFeed(adapter, pubsub, { elect: true });
  assert.is(feed.role, "leader");
  await adapter.save(1, { n: 2 }, 1);
  await until("the change", () => got.length === 1);
  await feed.close();
});

config("installTrigger: false without the change log: an error that says which SQL to run", async () => {
  await admin.query(`CREATE TABLE ${schema}.bare (id serial PRIMARY KEY, version integer NOT NULL DEFAULT 1)`);
  const adapter = new PostgresModelAdapter({ pool: admin, table: `${schema}.bare`, installTrigger: false });
  try {
    const err = await startModelFeed(adapter, new MemoryPubSub(), { elect: true }).then(() => null, (e: unknown) => e);
    assert.match((err as Error).message, /needs its change log .*run the statements of adapter\.changeLogSql\(\) in a migration/);
    for (const sql of await adapter.changeLogSql()) await admin.query(sql);
    for (const sql of await adapter.triggerSql()) await admin.query(sql);
    const feed = await startModelFeed(adapter, new MemoryPubSub(), { elect: true });
    assert.is(feed.role, "leader", "after the migration, it runs");
    await feed.close();
  } finally {
    await adapter.close();
  }
});

config("a long backlog is replaced by one resync; a bus that refuses keeps the batch for the next try", async () => {
  const name = "backlog";
  await admin.query(`CREATE TABLE ${schema}.${name} (id serial PRIMARY KEY, version integer NOT NULL DEFAULT 1)`);
  const adapter = new PostgresModelAdapter({ pool: admin, table: `${schema}.${name}` });
  for (const sql of await adapter.changeLogSql()) await admin.query(sql);
  await adapter.close();
  // Written while no feed runs: 11 changes, over a bound of 10.
  for (let i = 0; i < 11; i++) await admin.query(`INSERT INTO ${schema}.${name} DEFAULT VALUES`);
  const channel = channelFor(schema, name);
  const logged = async () => (await admin.query(`SELECT count(*)::int AS n FROM ${changeLogNames(schema).log} WHERE channel = $1`, [channel])).rows[0].n as number;
  const batches: ModelChange[][] = [];
  const lines: string[] = [];
  let down = false;
  let refused = 0;
  let wake = () => {};
  const campaign = await startCampaign({
    pool: admin, table: name, channel, names: changeLogNames(schema), timings: leadTimings(2500),
    outage: new Outage(name, (m) => lines.push(m)), log: (m) => lines.push(m), batchSize: 4, maxBacklog: 10,
    watch: async (w) => { wake = w; return async () => {}; },
    publish: async (changes) => { if (down) { refused++; throw new Error("the bus is down"); } batches.push(changes); },
  });
  try {
    assert.is(campaign.role, "leader");
    assert.equal(batches, [[{ table: name, op: "resync", pk: null, version: null }]], "one resync, not 11 changes");
    assert.is(await logged(), 0, "the backlog is gone");
    assert.match(lines.join("\n"), /more than 10 undelivered changes: replaced them with one resync/);

    down = true;
    const ids = (await admin.query(`INSERT INTO ${schema}.${name} SELECT FROM generate_series(1, 3) RETURNING id`)).rows.map((r) => r.id);
    wake();
    await until("a refused publish", () => refused > 0);
    assert.is(await logged(), 3, "a refused batch stays in the log");
    down = false;
    await until("the batch published on a later try", () => batches.length > 1);
    assert.equal(batches.slice(1).flat().map((c) => [c.op, c.pk]), ids.map((id) => ["insert", id]));
    // the published rows are deleted after the publish resolves: wait for that delete
    for (const end = Date.now() + WAIT_MS; (await logged()) !== 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
    assert.is(await logged(), 0, "published rows leave the log");
  } finally {
    await campaign.close();
  }
});

config("a database that cannot be reached at start: a HotlineError of the framework's", async () => {
  const adapter = new PostgresModelAdapter({ connectionString: "postgres://postgres@127.0.0.1:1/test", table, log: () => {} });
  try {
    const err = await startModelFeed(adapter, new MemoryPubSub(), { elect: true }).then(() => null, (e: unknown) => e);
    assert.instance(err, HotlineError);
    assert.equal([(err as HotlineError).code, (err as HotlineError).fault], ["handler_error", "framework"]);
  } finally {
    await adapter.close();
  }
});

config.after(async () => {
  await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
  await admin.end();
});

failover.run();
config.run();
