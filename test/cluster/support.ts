// Helpers of the cluster suites: the demo as several real server processes behind one Redis, and
// raw `ws` viewers that apply the patches they get (client/rendered.ts) so a test can compare
// what each viewer shows with what the server would render now.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { Rendered } from "../../client/rendered.js";
import { freePort } from "../support/redis-server.js";
import { TestClient, type Msg } from "../support/ws-client.js";

export const ROOT = new URL("../../", import.meta.url).pathname;
/** The same token secret on every process of one run, as in production. */
export const SECRET = randomBytes(24).toString("hex");
/** The same sign-in cookie secret on every process, so that a cookie from one is valid on all. */
export const SESSION_SECRET = randomBytes(24).toString("hex");

/** A unique Redis key and channel prefix for this run, so that runs never see each other. */
export function runPrefix(what: string): string {
  return `hotline-test:${what}:${process.pid}:${randomBytes(4).toString("hex")}:`;
}

/** One demo server process. */
export interface Node {
  readonly name: string;
  readonly port: number;
  readonly http: string;
  readonly ws: string;
  readonly child: ChildProcess;
  /** Everything it printed (stdout and stderr). */
  output(): string;
  /** True while the process runs. */
  alive(): boolean;
  /** Sends `signal` (default SIGKILL) and resolves once it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const running = new Set<ChildProcess>();
// Whatever happens to the test (an assertion, a crash, process.exit), no demo process outlives it.
process.on("exit", () => {
  for (const c of running) c.kill("SIGKILL");
});

/**
 * Starts `node --import tsx demo/main.ts` on a free port with `env` added (REDIS_URL,
 * HOTLINE_REDIS_PREFIX, ...); resolves once it listens. Dashboard figures and the orders feed are
 * left to a worker (HOTLINE_ROLE=web) so the processes publish nothing on their own.
 */
export async function startNode(name: string, env: Record<string, string>): Promise<Node> {
  // A free port can be taken between the check and the child's listen (a suite running in
  // parallel picked it meanwhile): then another one, twice at most.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startNodeOn(await freePort(), name, env);
    } catch (err) {
      if (attempt >= 3 || !/EADDRINUSE/.test(String((err as Error).message))) throw err;
    }
  }
}

async function startNodeOn(port: number, name: string, env: Record<string, string>): Promise<Node> {
  const child = spawn(process.execPath, ["--import", "tsx", "--import", "./test/cluster/orphan-guard.ts", "demo/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, HOST: "127.0.0.1", PORT: String(port), DATABASE_URL: "", HOTLINE_SECRET: SECRET, HOTLINE_SESSION_SECRET: SESSION_SECRET, HOTLINE_ROLE: "web", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  running.add(child);
  let out = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => { running.delete(child); resolve(); }));
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const node: Node = {
    name, port, child,
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}/live`,
    output: () => out,
    alive: () => child.exitCode === null && child.signalCode === null,
    async kill(signal = "SIGKILL") {
      if (node.alive()) child.kill(signal);
      await exited;
    },
  };
  const deadline = Date.now() + 20_000;
  while (!/Hotline demo on http/.test(out)) {
    if (!node.alive()) throw new Error(`${name} exited before listening:\n${out}`);
    if (Date.now() > deadline) {
      await node.kill();
      throw new Error(`${name} did not start in 20 s:\n${out}`);
    }
    await sleep(25);
  }
  return node;
}

/** Kills every demo process still running (SIGKILL). */
export async function killAll(): Promise<void> {
  await Promise.all([...running].map((c) => new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once("exit", () => resolve());
    c.kill("SIGKILL");
  })));
}

/** Deletes every key of `prefix` on the Redis at `url` (never anything else). */
export async function dropKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on("error", () => {});
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}

/**
 * A raw WebSocket client on one process that keeps, per joined id, the tree it was sent and
 * applies every patch to it, like the browser client does.
 */
export class Viewer {
  readonly client: TestClient;
  readonly node: Node;
  readonly #trees = new Map<string, Rendered>();
  readonly #changed: (() => void)[] = [];
  #ref = 0;

  private constructor(client: TestClient, node: Node) {
    this.client = client;
    this.node = node;
    client.ws.on("message", (data) => {
      const m = JSON.parse(String(data)) as Msg;
      // Taken here, synchronously, so that a patch in the same chunk as its `ok` is not lost.
      if (m.t === "ok" && m.id !== undefined) this.#trees.set(m.id, Rendered.fromJoin(m));
      const tree = m.id === undefined ? undefined : this.#trees.get(m.id);
      if (m.t === "patch" && tree) tree.apply(m);
      for (const f of this.#changed.splice(0)) f();
    });
  }

  /** A viewer on `node` signed in as `name` (the demo refuses anonymous joins). */
  static async open(node: Node, name = "Tester"): Promise<Viewer> {
    return new Viewer(await TestClient.open(node.ws, { headers: { cookie: await signInCookie(node, name) } }), node);
  }

  /** Sends `m` with a fresh ref; resolves with its answer (waiting up to `ms`: Redis may be reconnecting). */
  request(m: Record<string, unknown>, ms = 8000): Promise<Msg> {
    const ref = ++this.#ref;
    this.client.send({ ...m, ref });
    return this.client.next((x) => x.ref === ref && (x.t === "error" || x.done !== false), ms);
  }

  /** Joins and keeps the tree of the `ok`; resolves with the `ok` (or the error). */
  join(id: string, name: string, extra: Record<string, unknown> = {}, ms?: number): Promise<Msg> {
    return this.request({ t: "join", id, name, ...extra }, ms);
  }

  event(id: string, event: string, payload?: Record<string, unknown>, ms?: number): Promise<Msg> {
    return this.request({ t: "event", id, event, ...(payload && { payload }) }, ms);
  }

  /** What the viewer shows for `id` now. */
  html(id: string): string {
    const tree = this.#trees.get(id);
    if (!tree) throw new Error(`${this.node.name}: "${id}" is not joined`);
    return tree.toHTML();
  }

  /** Resolves once the viewer's HTML for `id` satisfies `pred`; rejects with what it shows after `ms`. */
  async until(id: string, pred: (html: string) => boolean, ms = 5000, what = "the expected HTML"): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const h = this.html(id);
      if (pred(h)) return h;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.node.name}: no ${what} in ${ms} ms; it shows:\n${h}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.#changed.push(() => (clearTimeout(t), resolve()));
      });
    }
  }

  /** Ref-less patches received for `id` (those caused by pub/sub, not by this viewer's events). */
  pushed(id: string): Msg[] {
    return this.client.all((m) => m.t === "patch" && m.id === id && m.ref === undefined);
  }

  close(): void {
    this.client.close();
  }
}

const cookies = new Map<string, string>();

/**
 * The demo's sign-in cookie for `name`, from its own sign-in form on `node`; every node of the run
 * accepts it (one SESSION_SECRET), so it is made once per name.
 */
export async function signInCookie(node: Node, name: string): Promise<string> {
  const known = cookies.get(name);
  if (known) return known;
  const res = await fetch(`${node.http}/signin`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ name }).toString(),
  });
  const cookie = res.headers.get("set-cookie")?.split(";")[0];
  if (res.status !== 303 || !cookie) throw new Error(`${node.name}: signing in as ${name} failed (HTTP ${res.status})`);
  cookies.set(name, cookie);
  return cookie;
}

/** What a fresh viewer joining `name` on `node` is shown now (the server's current state). */
export async function freshHtml(node: Node, name: string): Promise<string> {
  const v = await Viewer.open(node);
  try {
    const ok = await v.join("fresh", name);
    if (ok.t !== "ok") throw new Error(`${node.name}: join ${name} failed: ${JSON.stringify(ok)}`);
    return v.html("fresh");
  } finally {
    v.close();
  }
}

/**
 * A board's HTML without its online list. A fresh join is one more tab of its user, seen by the
 * others a moment after its own render (and gone again when it closes), so views are compared
 * with a fresh join on everything else; the online list has its own suite (presence.test.ts).
 */
export function withoutOnline(html: string): string {
  return html.replace(/<div class="board-online">[\s\S]*?<\/ul><\/div>/, "");
}

/** Who a board lists as online, as "Name:tabs" (a dot per tab), in order, from its HTML. */
export function boardOnline(html: string): string[] {
  return [...html.matchAll(/<li class="online-user[^"]*" data-user="[^"]*"><span class="online-name">([^<]*)<\/span>\s*<span class="tabs"[^>]*>(●*)<\/span>/g)]
    .map((m) => `${m[1]}:${m[2]!.length}`);
}

/** The texts of a board's items, in order, from its HTML. */
export function boardItems(html: string): string[] {
  return [...html.matchAll(/<span class="text">([^<]*)<\/span>/g)].map((m) => m[1]!);
}

/** The ids of a board's items, by text. */
export function boardIds(html: string): Map<string, string> {
  const ids = new Map<string, string>();
  for (const m of html.matchAll(/<li id="board-(i\d+)"[\s\S]*?<span class="text">([^<]*)<\/span>/g)) ids.set(m[2]!, m[1]!);
  return ids;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Exits the suite (SKIP, or FAIL under CI=true) when redis-server cannot be run here. */
export async function needRedisServer(): Promise<void> {
  const { haveRedisServer } = await import("../support/redis-server.js");
  if (await haveRedisServer()) return;
  const line = `SKIP ${process.argv[1]?.split("/test/").pop()}: redis-server is not available (apt-get install -y redis-server)`;
  if (process.env.CI === "true") {
    console.error(`FAIL ${line.slice(5)}; under CI=true a missing service fails the run`);
    process.exit(1);
  }
  console.log(`\n${"!".repeat(8)} ${line} ${"!".repeat(8)}\n`);
  process.exit(0);
}

/** Lines of a process's output that look like a crash or an unhandled error. */
export function crashLines(output: string): string[] {
  return output.split("\n").filter((l) => /Unhandled|uncaught|^\s+at |Error: /i.test(l) && !/^\[demo\] |^hotline\/redis: /.test(l));
}
