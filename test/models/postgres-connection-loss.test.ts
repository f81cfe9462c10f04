// A PostgreSQL restart, failover or proxy timeout terminates the app's backends: its pool's idle
// connections, a query in flight and the LISTEN connection of the model feed. The app (a real child
// process: test/models/fixtures/postgres-app.ts) must stay up, fail the query in flight with a
// clear HotlineError, serve the next query on a new connection, resubscribe the feed (a resync,
// then later changes), and log the outage in one line without a stack trace.
import { fork, type ChildProcess } from "node:child_process";
import pg from "pg";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { ensureOrdersTable } from "../../demo/orders-model.js";
import { needPostgres } from "../support/services.js";

const url = await needPostgres();
const pool = new pg.Pool({ connectionString: url, max: 4 });
const run = `hl_loss_${process.pid}_${Date.now().toString(36)}`;
const fixture = new URL("./fixtures/postgres-app.ts", import.meta.url).pathname;
// Generous: these bound a hang, they do not time anything.
const WAIT_MS = 30_000;

interface Reply { ok: boolean; value?: unknown; error?: { name?: string; code?: string; fault?: string; message?: string } }
interface Change { table: string; op: string; pk: unknown; version: unknown }

/** The child app, its IPC and its stderr. */
class App {
  readonly child: ChildProcess;
  stderr = "";
  readonly changes: Change[] = [];
  exit?: { code: number | null; signal: string | null };
  #id = 0;
  #replies = new Map<number, (r: Reply) => void>();
  #waiters = new Set<() => void>();

  constructor(mode: string, appUrl: string, table: string) {
    this.child = fork(fixture, [mode, appUrl, table], {
      execArgv: ["--conditions=hotline-source", "--import", "tsx"],
      stdio: ["ignore", "inherit", "pipe", "ipc"],
    });
    this.child.stderr!.on("data", (d) => { this.stderr += d; this.#wake(); });
    this.child.on("message", (msg: { t: string; id?: number; change?: Change } & Reply) => {
      if (msg.t === "reply") { this.#replies.get(msg.id!)?.(msg); this.#replies.delete(msg.id!); }
      if (msg.t === "change") this.changes.push(msg.change!);
      if (msg.t === "ready") this.ready = true;
      this.#wake();
    });
    this.child.on("exit", (code, signal) => { this.exit = { code, signal }; this.#wake(); });
  }

  ready = false;

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  /** Resolves when `test()` holds; rejects if the child exits first or after WAIT_MS. */
  until<T>(what: string, test: () => T | undefined | false): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = test();
        if (v) { done(); resolve(v); return; }
        if (this.exit) { done(); reject(new Error(`the app exited (${JSON.stringify(this.exit)}) waiting for ${what}; stderr:\n${this.stderr}`)); }
      };
      const timer = setTimeout(() => { done(); reject(new Error(`no ${what} after ${WAIT_MS} ms; stderr:\n${this.stderr}`)); }, WAIT_MS);
      const done = () => { clearTimeout(timer); this.#waiters.delete(check); };
      this.#waiters.add(check);
      check();
    });
  }

  request(cmd: Record<string, unknown>): Promise<Reply> {
    const id = ++this.#id;
    let reply: Reply | undefined;
    this.#replies.set(id, (r) => { reply = r; });
    this.child.send({ ...cmd, id });
    return this.until(`a reply to ${cmd.t}`, () => reply);
  }

  async close(): Promise<void> {
    if (!this.exit) {
      this.child.send({ t: "close" });
      await this.until("the app to exit", () => this.exit).catch(() => this.child.kill("SIGKILL"));
    }
  }
}

async function backends(appName: string) {
  const res = await pool.query<{ pid: number; query: string; state: string; wait_event_type: string | null }>(
    "SELECT pid, query, state, wait_event_type FROM pg_stat_activity WHERE application_name = $1", [appName]);
  return res.rows;
}

async function poll<T>(what: string, fn: () => Promise<T | undefined | false>): Promise<T> {
  const end = Date.now() + WAIT_MS;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`no ${what} after ${WAIT_MS} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const lossLines = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("[hotline]"));

const modes = ["library", "demo"];
for (const mode of modes) {
  const test = suite(`PostgreSQL connection loss (${mode})`);
  const table = `${run}_${mode}`;
  const appName = `${table}_app`;

  test.before(async () => { await ensureOrdersTable(pool, { table }); });
  test.after(async () => {
    await pool.query(`DROP TABLE IF EXISTS "${table}"`);
    if (mode === modes.at(-1)) await pool.end();
  });

  test("the app stays up, fails the query in flight clearly, reconnects, and its feed hears later changes", async () => {
    const appUrl = new URL(url);
    appUrl.searchParams.set("application_name", appName);
    const app = new App(mode, appUrl.toString(), table);
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    try {
      await app.until("the app to start", () => app.ready);
      // Several reads at once, so that the pool holds several idle connections beside the LISTEN one.
      const warm = await Promise.all([1, 2, 3, 4].map((pk) => app.request({ t: "get", pk })));
      assert.ok(warm.every((r) => r.ok), "reads before the loss work");
      const before = await poll("idle connections and the LISTEN", async () => {
        const rows = await backends(appName);
        return rows.some((r) => r.query.startsWith("LISTEN")) && rows.filter((r) => r.state === "idle").length >= 2 && rows;
      });

      // A save in flight: blocked on a row lock held here, so that it is running when its backend goes.
      await locker.query("BEGIN");
      await locker.query(`SELECT * FROM "${table}" WHERE id = 1 FOR UPDATE`);
      const inflight = app.request({ t: "save", pk: 1, values: { status: "paid" }, version: 1 });
      await poll("the save waiting on the lock", async () => (await backends(appName)).some((r) => r.wait_event_type === "Lock"));

      const killed = await pool.query(
        "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1", [appName]);
      assert.ok(killed.rows.length > before.length - 1, `terminated ${killed.rows.length} backends`);
      assert.ok(killed.rows.every((r) => r.ok));
      await locker.query("ROLLBACK");

      const failed = await inflight;
      assert.is(failed.ok, false, "the save in flight fails");
      assert.equal(
        { name: failed.error!.name, code: failed.error!.code, fault: failed.error!.fault },
        { name: "HotlineError", code: "handler_error", fault: "framework" },
      );
      assert.match(failed.error!.message!, /database/);

      // The feed reconnects and tells its followers to re-read what they may have missed.
      await app.until("a resync from the feed", () => app.changes.some((c) => c.op === "resync"));
      const got = await app.request({ t: "get", pk: 1 });
      assert.ok(got.ok, `a read after the loss works: ${JSON.stringify(got.error)}`);
      assert.is((got.value as { status: string }).status, "pending", "the save in flight did not commit");
      const listed = await app.request({ t: "list" });
      assert.is((listed.value as unknown[]).length, 5);

      await locker.query(`UPDATE "${table}" SET status = 'shipped' WHERE id = 2`);
      const heard = await app.until("the UPDATE made after the reconnection", () =>
        app.changes.find((c) => c.op === "update" && c.pk === 2));
      assert.equal(heard, { table, op: "update", pk: 2, version: 2 });
      assert.ok((await backends(appName)).some((r) => r.query.startsWith("LISTEN")), "LISTENing again on a new connection");

      assert.is(app.exit, undefined, "the app is still running");
      const lines = lossLines(app.stderr);
      assert.is(lines.length, 1, `one log line for the outage, got:\n${app.stderr}`);
      assert.match(lines[0]!, /connection/i);
      assert.not.match(app.stderr, /\n\s+at /, "no stack trace for an expected connection error");
    } finally {
      await locker.end().catch(() => {});
      await app.close();
    }
    assert.equal(app.exit, { code: 0, signal: null }, "the app then closes cleanly");
  });

  test.run();
}
