// One process's campaign to publish a table's changes. Every process that runs the feed holds one
// dedicated connection and tries a session advisory lock on it; the holder is the leader. A lock
// dies with its session, so a leader that is killed, or whose connection the server ends, frees it
// at once, and a follower takes it at its next try. The leader reads the change log (changelog.ts)
// ON THE LOCK'S OWN CONNECTION: a process that lost that connection cannot read (nor delete)
// anything more, so two leaders never publish the same backlog, apart from the one batch that was
// being published when the connection went (delivery is at least once).
import { hostname } from "node:os";
import type { Pool, PoolClient } from "pg";
import type { ModelChange } from "../model.js";
import type { ChangeBatchPublisher, FeedLeadership, FeedRole, LeadTimings } from "../leadership.js";
import type { ChangeLogNames } from "./changelog.js";
import { connectionLostError, isConnectionLoss, Outage } from "./outage.js";

/** What a campaign needs from its adapter. */
export interface CampaignDeps {
  pool: Pool;
  /** The adapter's name for the table (what changes carry). */
  table: string;
  channel: string;
  names: ChangeLogNames;
  timings: LeadTimings;
  outage: Outage;
  /** Wakes the leader on each NOTIFY of the table (the adapter's LISTEN connection). */
  watch: (onChange: () => void) => Promise<() => Promise<void>>;
  publish: ChangeBatchPublisher;
  onRole?: (role: FeedRole) => void;
  log: (message: string, err?: unknown) => void;
  /** Most changes read per batch. */
  batchSize?: number;
  /** A backlog longer than this is dropped and replaced by one resync. */
  maxBacklog?: number;
}

interface First { settled: boolean; resolve: () => void; reject: (err: unknown) => void }

interface Conn {
  client: PoolClient;
  since: number;
  lost: boolean;
  error?: unknown;
  released: boolean;
}

const LOCK = "SELECT pg_try_advisory_lock(hashtext('hotline:feed'), hashtext($1)) AS ok";
const UNLOCK = "SELECT pg_advisory_unlock(hashtext('hotline:feed'), hashtext($1))";

/** A campaign for one table's feed: see the file's comment. Start it with {@link startCampaign}. */
export class Campaign implements FeedLeadership {
  readonly #d: CampaignDeps;
  readonly #me = `${hostname()}:${process.pid}`;
  readonly #batch: number;
  readonly #maxBacklog: number;
  #role: FeedRole = "follower";
  #closed = false;
  #conn: Conn | null = null;
  #nudge: (() => void) | null = null;
  #kicked = false;
  #pendingResync = false;
  #wakeOff: (() => Promise<void>) | null = null;
  #wakePending = false;
  readonly #first: First;
  readonly firstAttempt: Promise<void>;
  readonly #done: Promise<void>;

  constructor(deps: CampaignDeps) {
    this.#d = deps;
    this.#batch = deps.batchSize ?? 500;
    this.#maxBacklog = deps.maxBacklog ?? 10_000;
    const first: First = { settled: false, resolve: () => {}, reject: () => {} };
    this.firstAttempt = new Promise<void>((resolve, reject) => { first.resolve = resolve; first.reject = reject; });
    this.#first = first;
    this.#done = this.#campaign().catch((err) => this.#d.log("the model feed's campaign stopped", err));
  }

  get role(): FeedRole {
    return this.#role;
  }

  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#nudge?.();
    }
    // A publish that never settles (a bus that hangs) must not hold close() for ever.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#done, new Promise((r) => { timer = setTimeout(r, this.#d.timings.takeoverMs); })]);
    clearTimeout(timer);
    if (this.#conn) this.#release(this.#conn);
  }

  async #campaign(): Promise<void> {
    let backoff = this.#d.timings.pollMs;
    while (!this.#closed) {
      let conn: Conn | undefined;
      try {
        conn = await this.#connect();
        backoff = this.#d.timings.pollMs;
        while (!this.#closed && !conn.lost) {
          const got = (await this.#q(conn, LOCK, [this.#d.channel])).rows[0]?.ok === true;
          this.#d.outage.ok(conn.since);
          if (got) {
            await this.#lead(conn);
            // Give the others a turn at the lock before trying again (we lost our connection).
            if (!this.#closed) await this.#sleep(this.#d.timings.pollMs);
            break;
          }
          this.#settle();
          await this.#sleep(this.#d.timings.pollMs);
        }
      } catch (err) {
        if (!this.#first.settled) {
          this.#closed = true;
          this.#first.settled = true;
          this.#first.reject(isConnectionLoss(err) ? connectionLostError(err, false) : err);
          return;
        }
        if (!this.#closed) {
          this.#report(err, conn?.since);
          await this.#sleep(backoff);
          backoff = Math.min(backoff * 2, this.#d.timings.takeoverMs);
        }
      } finally {
        if (conn) this.#release(conn);
      }
    }
    this.#settle();
  }

  /** Publishes while this connection holds the lock; returns when it is lost or the campaign closed. */
  async #lead(conn: Conn): Promise<void> {
    const { feeds } = this.#d.names;
    const ch = this.#d.channel;
    const prev = await this.#q(conn, `SELECT clean FROM ${feeds} WHERE channel = $1`, [ch]);
    await this.#q(conn, `INSERT INTO ${feeds} AS f (channel, term, leader, since, clean) VALUES ($1, 1, $2, now(), false)
      ON CONFLICT (channel) DO UPDATE SET term = f.term + 1, leader = excluded.leader, since = excluded.since, clean = false`, [ch, this.#me]);
    // The previous leader did not hand over cleanly (or there was none): tell every viewer to re-read
    // once. What it left in the log is published too; this covers what predates the log.
    this.#pendingResync = prev.rows[0]?.clean !== true;
    this.#setRole("leader");
    await this.#startWake();
    try {
      while (!this.#closed && !conn.lost) {
        this.#kicked = false;
        if (!this.#wakeOff) void this.#startWake();
        try {
          await this.#drain(conn);
        } catch (err) {
          if (conn.lost) {
            // A timeout, or a query error: the socket events did not report it (an outage logs once).
            if (!this.#closed) this.#report(err, conn.since);
            break;
          }
          // The bus refused a publish (the feed logged it): the batch stays in the log; try again.
          this.#settle();
          await this.#sleep(this.#d.timings.pollMs);
          continue;
        }
        this.#settle();
        if (!this.#kicked) await this.#sleep(this.#d.timings.heartbeatMs);
      }
      if (this.#closed && !conn.lost) {
        await this.#q(conn, `UPDATE ${feeds} SET clean = true, leader = NULL WHERE channel = $1 AND leader = $2`, [ch, this.#me]);
        await this.#q(conn, UNLOCK, [ch]);
      }
    } catch (err) {
      if (!this.#first.settled) throw err;
      if (!this.#closed) this.#report(err, conn.since);
    } finally {
      const off = this.#wakeOff;
      this.#wakeOff = null;
      await off?.().catch(() => {});
      this.#setRole("follower");
    }
  }

  /** Publishes what the log holds for this table, oldest first, and deletes exactly what went out. */
  async #drain(conn: Conn): Promise<void> {
    const { log, feeds } = this.#d.names;
    for (;;) {
      const res = await this.#q(conn, `SELECT id::text AS id, op, pk, version FROM ${log} WHERE channel = $1 ORDER BY id LIMIT $2`, [this.#d.channel, this.#batch]);
      const rows = res.rows as Array<{ id: string; op: string; pk: unknown; version: unknown }>;
      if (rows.length === this.#batch && (await this.#overflow(conn))) continue;
      const changes = rows.map((r) => this.#toChange(r)).filter((c): c is ModelChange => c !== null);
      if (this.#pendingResync) changes.unshift(this.#resync());
      if (changes.length) {
        if (conn.lost || this.#closed) return;
        await this.#d.publish(changes);
        this.#pendingResync = false;
      }
      if (rows.length) {
        await this.#q(conn, `WITH gone AS (DELETE FROM ${log} WHERE channel = $1 AND id = ANY($2::bigint[]))
          UPDATE ${feeds} SET last_id = $3 WHERE channel = $1`, [this.#d.channel, rows.map((r) => r.id), rows.at(-1)!.id]);
      }
      if (rows.length < this.#batch) return;
    }
  }

  /**
   * A backlog past `maxBacklog` (no leader for a long time, a bus down for long) is not replayed
   * change by change: one resync makes every viewer re-read. The snapshot is taken before the resync
   * is published, so only changes the viewers' re-reads will see are deleted.
   */
  async #overflow(conn: Conn): Promise<boolean> {
    const { log } = this.#d.names;
    const ch = this.#d.channel;
    const n = (await this.#q(conn, `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${log} WHERE channel = $1 LIMIT $2) x`, [ch, this.#maxBacklog + 1])).rows[0]?.n as number;
    if (n <= this.#maxBacklog) return false;
    await this.#q(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ");
    try {
      await this.#q(conn, `SELECT 1 FROM ${log} WHERE channel = $1 LIMIT 1`, [ch]);
      await this.#d.publish([this.#resync()]);
      await this.#q(conn, `DELETE FROM ${log} WHERE channel = $1`, [ch]);
      await this.#q(conn, "COMMIT");
    } catch (err) {
      if (!conn.lost) await this.#q(conn, "ROLLBACK").catch(() => {});
      throw err;
    }
    this.#pendingResync = false;
    this.#d.log(`the model feed of ${this.#d.table} had more than ${this.#maxBacklog} undelivered changes: replaced them with one resync`);
    return true;
  }

  #toChange(r: { op: string; pk: unknown; version: unknown }): ModelChange | null {
    if (r.op === "resync") return this.#resync();
    if ((r.op !== "insert" && r.op !== "update" && r.op !== "delete") || (typeof r.pk !== "number" && typeof r.pk !== "string")) return null;
    return { table: this.#d.table, op: r.op, pk: r.pk, version: typeof r.version === "number" ? r.version : null };
  }

  #resync(): ModelChange {
    return { table: this.#d.table, op: "resync", pk: null, version: null };
  }

  async #startWake(): Promise<void> {
    if (this.#wakeOff || this.#wakePending) return;
    this.#wakePending = true;
    try {
      const off = await this.#d.watch(() => this.#kick());
      if (this.#role === "leader" && !this.#closed) this.#wakeOff = off;
      else await off();
    } catch (err) {
      // The heartbeat still reads the log; the next beat tries to LISTEN again.
      this.#report(err);
    } finally {
      this.#wakePending = false;
    }
  }

  async #connect(): Promise<Conn> {
    const since = Outage.now();
    const client = await this.#d.pool.connect();
    const conn: Conn = { client, since, lost: false, released: false };
    this.#conn = conn;
    // A checked-out client's `error` would end the process without a listener: a lost lock
    // connection is a step down, reported once per outage, never a crash.
    const onLost = (err?: unknown) => {
      if (conn.lost) return;
      conn.lost = true;
      conn.error = err ?? new Error("Connection terminated");
      if (!conn.released && !this.#closed) this.#report(conn.error, since);
      this.#nudge?.();
    };
    client.on("error", onLost);
    client.on("end", () => onLost());
    try {
      await this.#keepalives(conn);
    } catch (err) {
      this.#release(conn);
      throw err;
    }
    return conn;
  }

  async #keepalives(conn: Conn): Promise<void> {
    // Let the server notice a vanished leader (a host gone, a cable cut) within the takeover time,
    // so that the lock is freed: keepalives while idle, a cap on unacknowledged data.
    const secs = Math.max(2, Math.floor((this.#d.timings.takeoverMs - this.#d.timings.pollMs) / 1000));
    // tcp_user_timeout exists from PostgreSQL 12 on; before that, keepalives alone.
    await this.#q(conn, `SELECT set_config('tcp_keepalives_idle', '1', false), set_config('tcp_keepalives_interval', '1', false),
      set_config('tcp_keepalives_count', $1, false),
      (SELECT set_config('tcp_user_timeout', $2, false) FROM pg_settings WHERE name = 'tcp_user_timeout')`, [String(secs - 1), String(secs * 1000)]);
  }

  /** A query on the lock connection, bounded in time: any failure gives the connection (and the lock) up. */
  async #q(conn: Conn, sql: string, params?: unknown[]) {
    if (conn.lost) throw conn.error;
    const query = conn.client.query(sql, params);
    query.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(
        new Error(`the model feed's connection did not answer within ${this.#d.timings.queryTimeoutMs} ms`), { code: "ETIMEDOUT" })), this.#d.timings.queryTimeoutMs);
    });
    try {
      return await Promise.race([query, timeout]);
    } catch (err) {
      // Whatever failed (a lost connection, a timeout, a statement), the campaign starts over on a
      // new connection: simplest, and safe, since the lock goes with this one.
      if (!conn.lost) { conn.lost = true; conn.error = err; }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  #release(conn: Conn): void {
    if (conn.released) return;
    conn.released = true;
    conn.lost = true;
    if (this.#conn === conn) this.#conn = null;
    // Destroyed, never returned to the pool: it may hold the lock or a session setting.
    try {
      conn.client.release(true);
    } catch {
      // already released by pg itself
    }
  }

  #report(err: unknown, since?: number): void {
    if (isConnectionLoss(err)) this.#d.outage.lost(err, since);
    else this.#d.outage.failed("the model feed's leader election failed; retrying", err);
  }

  #setRole(role: FeedRole): void {
    if (this.#role === role) return;
    this.#role = role;
    if (this.#first.settled) this.#d.onRole?.(role);
  }

  #settle(): void {
    if (this.#first.settled) return;
    this.#first.settled = true;
    this.#first.resolve();
  }

  #kick(): void {
    this.#kicked = true;
    this.#nudge?.();
  }

  #sleep(ms: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { clearTimeout(timer); if (this.#nudge === done) this.#nudge = null; resolve(); };
      const timer = setTimeout(done, ms);
      this.#nudge = done;
    });
  }
}

/** Starts a campaign; resolves once its first attempt settled (leading after a first drain, or following). */
export async function startCampaign(deps: CampaignDeps): Promise<Campaign> {
  const campaign = new Campaign(deps);
  await campaign.firstAttempt;
  return campaign;
}
