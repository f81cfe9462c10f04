/**
 * The dashboard's publisher: measures this process once a second and publishes the figures on the
 * "dashboard" topic. demo/main.ts runs it in-process (unless HOTLINE_ROLE=web); run alone with
 * `node dist/demo/worker.js` (REDIS_URL required then, so the web processes hear it), where it
 * also runs the orders feed when DATABASE_URL is set (as every web process with REDIS_URL does:
 * one of them is elected to publish, docs/models.md).
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import type { PubSub } from "hotline";
import { DASHBOARD_TOPIC, type Figures } from "../components/dashboard.js";

/** Options of {@link startDashboardPublisher}. */
export interface DashboardPublisherOptions {
  /** Milliseconds between ticks. Default 1000. */
  intervalMs?: number;
  /** Live sessions on this process, when it serves any. */
  sessions?: () => number | undefined;
  /** Samples kept for the sparklines. Default 30. */
  historySize?: number;
}

/**
 * Publishes this process's figures every `intervalMs`; returns a function that stops it.
 *
 * @example
 * const stop = startDashboardPublisher(hotline.pubsub);
 * // later
 * stop();
 */
export function startDashboardPublisher(pubsub: PubSub, options: DashboardPublisherOptions = {}): () => void {
  const every = options.intervalMs ?? 1000;
  const keep = options.historySize ?? 30;
  const resolution = 10;
  const loop = monitorEventLoopDelay({ resolution });
  loop.enable();
  const history = { cpu: [] as number[], loopP99: [] as number[] };
  let lastCpu = process.cpuUsage();
  let lastAt = process.hrtime.bigint();
  let failing = false;

  const tick = () => {
    const now = process.hrtime.bigint();
    const cpu = process.cpuUsage(lastCpu);
    const wallUs = Number(now - lastAt) / 1000;
    lastCpu = process.cpuUsage();
    lastAt = now;
    const mem = process.memoryUsage();
    const figures: Figures = {
      at: Date.now(),
      pid: process.pid,
      uptime: Math.round(process.uptime()),
      cpu: round(wallUs > 0 ? ((cpu.user + cpu.system) / wallUs) * 100 : 0),
      rss: mem.rss,
      heapUsed: mem.heapUsed,
      heapTotal: mem.heapTotal,
      // the histogram is in nanoseconds and records the whole interval between its timer's runs:
      // what is beyond the timer's own period is the delay
      loopP50: lag(loop.percentile(50), resolution),
      loopP99: lag(loop.percentile(99), resolution),
    };
    loop.reset();
    const sessions = options.sessions?.();
    if (sessions !== undefined) figures.sessions = sessions;
    push(history.cpu, figures.cpu, keep);
    push(history.loopP99, figures.loopP99, keep);
    figures.history = { cpu: [...history.cpu], loopP99: [...history.loopP99] };
    pubsub.publish(DASHBOARD_TOPIC, figures).then(
      () => { failing = false; },
      (err) => {
        // once per outage: a bus that is down must not flood the log every second
        if (!failing) console.warn(`[dashboard] cannot publish: ${(err as Error)?.message ?? err}`);
        failing = true;
      },
    );
  };

  const timer = setInterval(tick, every);
  timer.unref();
  return () => {
    clearInterval(timer);
    loop.disable();
  };
}

function lag(ns: number, resolutionMs: number): number {
  return round(Math.max(0, ns / 1e6 - resolutionMs));
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function push(a: number[], v: number, keep: number): void {
  a.push(v);
  if (a.length > keep) a.shift();
}

/** `node dist/demo/worker.js`: the publisher (and, with DATABASE_URL, the orders feed) as its own process, over Redis. */
async function runAlone(): Promise<void> {
  const url = process.env.REDIS_URL;
  if (!url) {
    console.error("demo/worker: set REDIS_URL, so that the web processes hear the figures");
    process.exit(1);
  }
  const { RedisPubSub } = await import("hotline/redis");
  const pubsub = new RedisPubSub({ url, prefix: process.env.HOTLINE_REDIS_PREFIX ?? "hotline:" });
  const stop = startDashboardPublisher(pubsub);
  // a memory table lives in the web process, so only a database's changes can be fed from here
  const { setupModels } = await import("./models.js");
  const models = process.env.DATABASE_URL ? await setupModels({ pubsub, feed: true }) : undefined;
  // the interval is unref'd (so that tests and the web process can exit); keep this process alive
  const keepAlive = setInterval(() => {}, 1 << 30);
  const quit = async () => {
    stop();
    clearInterval(keepAlive);
    await models?.close();
    await pubsub.close();
    process.exit(0);
  };
  process.once("SIGTERM", quit);
  process.once("SIGINT", quit);
  console.log(`demo/worker: publishing figures on "${DASHBOARD_TOPIC}" every second${models ? ", and the orders feed" : ""} (pid ${process.pid})`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void runAlone();
