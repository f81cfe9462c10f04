// A private Redis Cluster (3 masters, optionally one replica each) on free local ports, for the
// tests and benchmarks of hotline/redis on a cluster. Nothing of it survives the process: the
// nodes are SIGKILLed and their temp dir removed on stop(), and on exit if a test crashed.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { freePort, haveRedisServer } from "./redis-server.js";

const run = promisify(execFile);

export interface ClusterNode {
  readonly port: number;
  /** Running (not killed). */
  readonly up: boolean;
}

export interface RedisCluster {
  /** Every node's port, masters and replicas as created. */
  readonly ports: readonly number[];
  /** Startup nodes for a client: `[{ host, port }, …]` of every node. */
  readonly rootNodes: readonly { host: string; port: number }[];
  /** The ports of the nodes that are masters now (asked of a live node). */
  masters(): Promise<number[]>;
  /** SIGKILLs one node (a crash: no goodbye to clients). */
  kill(port: number): Promise<void>;
  /** Starts a killed node again with its old config: it rejoins (as a replica after a failover). */
  restart(port: number): Promise<void>;
  /** Waits until every running node says `cluster_state:ok` and all 16384 slots have a live master. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /**
   * The port of the master that owns `key`'s slot now (CLUSTER KEYSLOT, then the slot ranges of
   * CLUSTER NODES). Tests that check keys spread over the masters pick them with it: CRC16 is
   * linear, so names that differ only in a counter can crowd onto one or two masters.
   */
  ownerOf(key: string): Promise<number>;
  /** Sends one command with redis-cli to a node and returns its output. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** Kills every node and removes the temp dir; safe to call twice. */
  stop(): Promise<void>;
}

export interface RedisClusterOptions {
  /** Replicas per master: 0 (3 nodes) or 1 (6 nodes, so a master can fail over). Default 1. */
  replicas?: 0 | 1;
  /** `cluster-node-timeout`, in ms: how soon a dead master is failed over. Default 1000. */
  nodeTimeoutMs?: number;
}

/** Finds a port that is free together with the port its cluster bus would use. */
async function freePair(): Promise<[number, number]> {
  return [await freePort(), await freePort()];
}

/** True when `redis-server` and `redis-cli` can be run here. */
export async function haveRedisCluster(): Promise<boolean> {
  if (!(await haveRedisServer())) return false;
  return run("redis-cli", ["--version"]).then(() => true, () => false);
}

/** Exits the suite (skip, or fail under CI=true) unless redis-server and redis-cli are installed. */
export async function needRedisCluster(): Promise<void> {
  if (await haveRedisCluster()) return;
  const line = `SKIP ${process.argv[1]?.split("/test/").pop()}: redis-server/redis-cli are not installed (needed to start a Redis Cluster)`;
  if (process.env.CI === "true") {
    console.error(`FAIL ${line.slice(5)}; under CI=true a missing service fails the run`);
    process.exit(1);
  }
  console.log(`\n${"!".repeat(8)} ${line} ${"!".repeat(8)}\n`);
  process.exit(0);
}

/** Starts a Redis Cluster and waits until it serves every slot. */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const replicas = options.replicas ?? 1;
  const nodeTimeout = options.nodeTimeoutMs ?? 1000;
  const dir = mkdtempSync(join(tmpdir(), "hotline-redis-cluster-"));
  const count = 3 * (1 + replicas);
  const pairs: [number, number][] = [];
  const used = new Set<number>();
  while (pairs.length < count) {
    const pair = await freePair();
    if (used.has(pair[0]) || used.has(pair[1]) || pair[0] === pair[1]) continue;
    used.add(pair[0]).add(pair[1]);
    pairs.push(pair);
  }
  const children = new Map<number, ChildProcess>();
  const busOf = new Map(pairs);
  let stopped = false;

  const spawnNode = async (port: number) => {
    const child = spawn("redis-server", [
      "--port", String(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
      "--cluster-port", String(busOf.get(port)), "--cluster-config-file", `nodes-${port}.conf`,
      "--cluster-node-timeout", String(nodeTimeout),
      // A replica that restarted a moment ago may still fail over (the test kills masters on purpose).
      "--cluster-replica-validity-factor", "0", "--repl-diskless-sync-delay", "0",
      "--dir", dir, "--save", "", "--appendonly", "no",
      "--daemonize", "no", "--loglevel", "warning", "--logfile", join(dir, `${port}.log`),
    ], { stdio: "ignore" });
    // Unref'd: the test's process ends when its work does; the exit hook below kills the nodes.
    child.unref();
    children.set(port, child);
    child.once("exit", () => { if (children.get(port) === child) children.delete(port); });
    for (let i = 0; i < 200; i++) {
      if (!children.has(port)) throw new Error(`redis-server on port ${port} exited at start (log: ${join(dir, `${port}.log`)})`);
      if (await cli(port, "PING").then((o) => o.trim() === "PONG", () => false)) return;
      await sleep(25);
    }
    throw new Error(`redis-server on port ${port} did not answer`);
  };

  const cli = async (port: number, ...args: string[]) =>
    (await run("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args], { timeout: 5000 })).stdout;

  const killAll = () => {
    for (const child of children.values()) child.kill("SIGKILL");
    children.clear();
    rmSync(dir, { recursive: true, force: true });
  };
  // A test that crashes must not leave six redis-servers behind.
  process.once("exit", killAll);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Ref'd again while they die, so that waiting for their exit keeps the process alive.
    const exits = [...children.values()].map((c) => { c.ref(); return new Promise((resolve) => c.once("exit", resolve)); });
    killAll();
    await Promise.all(exits);
    process.removeListener("exit", killAll);
  };

  const masters = async () => {
    for (const port of children.keys()) {
      const out = await cli(port, "CLUSTER", "NODES").catch(() => "");
      if (!out) continue;
      const found: number[] = [];
      for (const line of out.trim().split("\n")) {
        const [, addr, flags] = line.split(" ");
        if (flags?.includes("master") && !flags.includes("fail")) found.push(Number(addr!.split(":")[1]!.split("@")[0]));
      }
      return found.sort((a, b) => a - b);
    }
    throw new Error("no Redis Cluster node answers");
  };

  const ownerOf = async (key: string) => {
    const port = (await masters())[0]!;
    const slot = Number((await cli(port, "CLUSTER", "KEYSLOT", key)).trim());
    for (const line of (await cli(port, "CLUSTER", "NODES")).trim().split("\n")) {
      const [, addr, flags, , , , , , ...slots] = line.split(" ");
      if (!flags?.includes("master") || flags.includes("fail")) continue;
      for (const range of slots) {
        if (range.startsWith("[")) continue; // a slot being migrated
        const [from, to = from] = range.split("-").map(Number);
        if (slot >= from! && slot <= to!) return Number(addr!.split(":")[1]!.split("@")[0]);
      }
    }
    throw new Error(`no master owns slot ${slot} of ${key}`);
  };

  const waitHealthy = async (timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      let ok = children.size > 0;
      for (const port of children.keys()) {
        const info = await cli(port, "CLUSTER", "INFO").catch((err) => String(err));
        if (!info.includes("cluster_state:ok") || !info.includes("cluster_slots_ok:16384")) {
          ok = false;
          last = `${port}: ${info.split("\n").slice(0, 3).join(" ").trim()}`;
          break;
        }
      }
      // Every live node must also agree that no master it knows is failed and unreplaced, and
      // every running replica must be in sync with its master (else it could not take over).
      if (ok) {
        const live = await masters();
        ok = live.length === 3 && live.every((p) => children.has(p));
        last = `masters ${live.join(",")}; running ${[...children.keys()].join(",")}`;
        for (const port of children.keys()) {
          if (!ok || live.includes(port)) continue;
          const info = await cli(port, "INFO", "replication").catch(() => "");
          if (!info.includes("master_link_status:up")) {
            ok = false;
            last = `replica ${port} not in sync`;
          }
        }
        if (ok) return;
      }
      await sleep(50);
    }
    throw new Error(`Redis Cluster not healthy after ${timeoutMs} ms (${last})`);
  };

  try {
    const ports = pairs.map(([p]) => p);
    await Promise.all(ports.map(spawnNode));
    await run("redis-cli", ["--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`),
      "--cluster-replicas", String(replicas), "--cluster-yes"], { timeout: 30_000 });
    const cluster: RedisCluster = {
      ports,
      rootNodes: ports.map((port) => ({ host: "127.0.0.1", port })),
      masters,
      ownerOf,
      async kill(port) {
        const child = children.get(port);
        if (!child) return;
        child.ref();
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGKILL");
        await exited;
      },
      async restart(port) {
        if (children.has(port)) throw new Error(`node ${port} is running`);
        await spawnNode(port);
      },
      waitHealthy,
      cli,
      stop,
    };
    await waitHealthy();
    return cluster;
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Names made by `make(i)`, `perMaster` of them on each master now (`keyOf` gives the Redis key a
 * name lands in): what a "spreads over every master" test publishes, saves or tracks.
 */
export async function spreadNames(cluster: RedisCluster, perMaster: number, make: (i: number) => string,
  keyOf: (name: string) => string): Promise<string[]> {
  const count = new Map((await cluster.masters()).map((port) => [port, 0]));
  const names: string[] = [];
  for (let i = 0; names.length < perMaster * count.size; i++) {
    if (i > 10_000) throw new Error("spreadNames: could not fill every master");
    const name = make(i);
    const port = await cluster.ownerOf(keyOf(name));
    if ((count.get(port) ?? perMaster) >= perMaster) continue;
    count.set(port, count.get(port)! + 1);
    names.push(name);
  }
  return names;
}
