// A private redis-server on a free port, for tests that must kill or count what Redis sees.
// The shared Redis on 6379 is never touched by these.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Kills the server like a crash would (SIGKILL): no goodbye to clients. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty (no persistence). */
  start(): Promise<void>;
  /** Kills it for good; safe to call twice. */
  stop(): Promise<void>;
}

/** Ports this process has handed out: a test may keep one unbound for a while, so none is given twice. */
const handedOut = new Set<number>();

/**
 * Finds a port nothing listens on, below the kernel's ephemeral range: a server of a suite running
 * in parallel that listens on port 0 never gets it, even while a test keeps it unbound (a Redis down
 * on purpose, or between a kill and a restart). Picked at random, so that parallel suites rarely
 * try the same one, and never one this process handed out before (two demo processes started at
 * once, or a node started while the Redis port it is given is still unbound, would otherwise get
 * the same one now and then); the OS's choice when the range leaves no room.
 */
export async function freePort(): Promise<number> {
  const low = 20_000;
  const high = ephemeralStart();
  for (let i = 0; high - low > 1000 && i < 50; i++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (handedOut.has(port)) continue;
    if (await listenOn(port)) {
      handedOut.add(port);
      return port;
    }
  }
  return listenOn(0) as Promise<number>;
}

/** Listens on `port` of 127.0.0.1 and closes again: the port it got, or 0 when it is taken. */
async function listenOn(port: number): Promise<number> {
  const srv = createServer();
  const got = await new Promise<number>((resolve) => {
    srv.once("error", () => resolve(0));
    srv.listen(port, "127.0.0.1", () => resolve((srv.address() as { port: number }).port));
  });
  if (got) await new Promise((resolve) => srv.close(resolve));
  return got;
}

/** The first port the kernel hands out for port 0 (Linux: /proc/sys/net/ipv4/ip_local_port_range). */
function ephemeralStart(): number {
  try {
    return Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}

/** True when `redis-server` can be run here. */
export async function haveRedisServer(): Promise<boolean> {
  return new Promise((resolve) => {
    const p = spawn("redis-server", ["--version"], { stdio: "ignore" });
    p.once("error", () => resolve(false));
    p.once("exit", (code) => resolve(code === 0));
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port });
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.setTimeout(500, () => done(false));
    s.once("error", () => done(false));
    s.once("connect", () => s.write("PING\r\n"));
    s.once("data", (d) => done(d.toString().startsWith("+PONG")));
  });
}

/** Starts redis-server on a free port (or `port`) and waits until it answers PING. */
export async function startRedisServer(port?: number): Promise<PrivateRedis> {
  const p = port ?? (await freePort());
  let child: ChildProcess | undefined;
  const start = async () => {
    if (child) throw new Error("private redis-server already running");
    const c = spawn("redis-server", ["--port", String(p), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
      "--daemonize", "no", "--loglevel", "warning"], { stdio: ["ignore", "ignore", "inherit"] });
    child = c;
    c.once("exit", () => { if (child === c) child = undefined; });
    for (let i = 0; i < 100; i++) {
      if (await ping(p)) return;
      if (child !== c) throw new Error(`redis-server on port ${p} exited at start`);
      await sleep(30);
    }
    throw new Error(`redis-server on port ${p} did not answer`);
  };
  const kill = async () => {
    const c = child;
    if (!c) return;
    const exited = new Promise((resolve) => c.once("exit", resolve));
    c.kill("SIGKILL");
    await exited;
  };
  // A test that crashes must not leave its redis-server behind.
  process.once("exit", () => child?.kill("SIGKILL"));
  await start();
  return { port: p, url: `redis://127.0.0.1:${p}`, kill, start, stop: kill };
}
