// What telemetry costs on the event round trip (a counter increment over a real WebSocket: event ->
// handler -> render -> diff -> save -> patch), clients in a child process, medians of interleaved
// rounds. Phase 1, no context manager: `telemetry: false` (the floor), no provider registered (the
// default: goal within noise of the floor), and no provider but an activity-feed listener (an open
// devtools inspector). Phase 2, with an AsyncLocalStorage context manager (what an SDK setup
// registers; it costs every promise in the process, so the floor is measured again under it): the
// floor against an SDK tracer provider (a batch processor, as in production, with an exporter that
// drops what it gets) and a meter provider.
// Run: node --conditions=hotline-source --import tsx bench/telemetry.ts
//   ROUNDS=5  PER1=2000 (events per round, 1 client)  PER20=200 (per client, 20 clients)
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { AggregationTemporality, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { child, Counter, fmt, hotlineServer, roundTrips, type RoundTripJob, type RoundTripResult } from "./ws-support.js";
import { median, opsPerSecond, percentile } from "./measure.js";
import { ActivityFeed } from "../server/live/activity.js";
import { presenterFor } from "../server/live/presenter.js";
import { Telemetry } from "../server/telemetry/telemetry.js";
import { measurePresenter } from "../server/telemetry/wrappers.js";
import { summary } from "./summary.js";
import type { HotlineOptions } from "../server/hotline.js";

type Figures = { p50: number; rate: number };
type Rounds = { one: Figures[]; many: Figures[] };

/** An exporter that drops every span: the SDK's own cost, not an exporter's. */
class DropExporter implements SpanExporter {
  exported = 0;
  export(spans: ReadableSpan[], done: (r: { code: number }) => void): void {
    this.exported += spans.length;
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
}

/** A reader nobody collects from: the instruments aggregate in memory, as between two scrapes. */
class IdleReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

async function main() {
  const ROUNDS = Number(process.env.ROUNDS ?? 5);
  const PER1 = Number(process.env.PER1 ?? 2000);
  const PER20 = Number(process.env.PER20 ?? 200);
  const globalTracer = (trace.getTracerProvider() as unknown as { getDelegate(): object }).getDelegate().constructor.name;
  if (globalTracer !== "NoopTracerProvider") throw new Error(`a global tracer provider is registered (${globalTracer}): "no provider" would not be that`);
  const kid = child(new URL(import.meta.url).pathname, ["client"]);

  const run = async (url: string, clients: number, perClient: number): Promise<Figures> => {
    kid.send({ url, clients, perClient, hotline: true } satisfies RoundTripJob);
    const r = await kid.next<RoundTripResult>();
    return { p50: percentile(r.lat, 50), rate: (r.events / r.ms) * 1000 };
  };

  /** Interleaved rounds over `setups` (the order rotating each round); per-round figures per setup and load. */
  const measure = async (setups: Record<string, string>) => {
    const acc: Record<string, Rounds> = {};
    for (const name of Object.keys(setups)) acc[name] = { one: [], many: [] };
    // A discarded round first: the JIT and the sockets warm up alike for every setup.
    for (const url of Object.values(setups)) await run(url, 1, Math.min(PER1, 500));
    const order = Object.entries(setups);
    for (let i = 0; i < ROUNDS; i++) {
      for (let k = 0; k < order.length; k++) {
        const [name, url] = order[(i + k) % order.length]!;
        acc[name]!.one.push(await run(url, 1, PER1));
        acc[name]!.many.push(await run(url, 20, PER20));
      }
    }
    // The spread says how noisy the machine was: a ratio inside it is noise.
    for (const [name, a] of Object.entries(acc)) {
      const rates = a.many.map((x) => x.rate);
      const p50s = a.one.map((x) => x.p50);
      console.log(`  ${name.padEnd(10)} 1-client p50 ${fmt(Math.min(...p50s), 3)}..${fmt(Math.max(...p50s), 3)} ms, 20-client ${fmt(Math.min(...rates), 0)}..${fmt(Math.max(...rates), 0)} ev/s`);
    }
    return acc;
  };

  const start = (options: HotlineOptions) => hotlineServer(options);

  // Phase 0: one hook alone, without sockets (little noise): a counter's render + diff through
  // the presenter, and through the measured presenter with no provider and no listener.
  const renders = (wrap: boolean) => {
    const c = new Counter();
    c.mount();
    const inner = presenterFor("html", Counter);
    const p = wrap ? measurePresenter(inner, new Telemetry(new ActivityFeed(), undefined), "counter") : inner;
    p.full(c);
    return () => {
      c.state.count++;
      return p.update(c);
    };
  };
  const bare: number[] = [];
  const hooked: number[] = [];
  for (let i = 0; i < 6; i++) {
    // alternating which goes first: the JIT's and the machine's drift land on both alike
    if (i % 2) hooked.push(opsPerSecond(renders(true)));
    bare.push(opsPerSecond(renders(false)));
    if (!(i % 2)) hooked.push(opsPerSecond(renders(true)));
  }
  const hookRatio = median(hooked) / median(bare);
  console.log(`render + diff of a counter: ${fmt(median(bare), 0)}/s bare, ${fmt(median(hooked), 0)}/s through the measured presenter with no provider (${fmt(hookRatio, 3)}x)`);

  // Phase 1: no context manager, no provider.
  const off = await start({ telemetry: false });
  const none = await start({});
  const feed = await start({});
  const stopFeed = feed.hotline.context.activity.on(() => {});
  // `off2` is a second floor: its ratio to `off` is what noise alone looks like in this run.
  const off2 = await start({ telemetry: false });
  const p1 = await measure({ off: off.url, off2: off2.url, none: none.url, inspector: feed.url });
  stopFeed();

  // Phase 2: an SDK's context manager, the floor again, and SDK providers.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const exporter = new DropExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  const meterProvider = new MeterProvider({ readers: [new IdleReader()] });
  const sdk = await start({ telemetry: { tracerProvider, meterProvider } });
  const p2 = await measure({ off: off.url, sdk: sdk.url });

  console.log(`event round trip (counter increment), clients in a child process; ${ROUNDS} interleaved rounds`);
  console.log("figures: medians over rounds; ratios: medians of each round's ratio to the floor measured next to it");
  console.log("setup                            | 1 client p50 ms | ratio | 20 clients ev/s | ratio");
  const ratios = (f: Rounds, floor: Rounds) => ({
    p50: median(f.one.map((x, i) => x.p50 / floor.one[i]!.p50)),
    rate: median(f.many.map((x, i) => x.rate / floor.many[i]!.rate)),
  });
  const row = (label: string, f: Rounds, floor: Rounds) => {
    const r = ratios(f, floor);
    console.log(
      label.padEnd(32) + ` | ${fmt(median(f.one.map((x) => x.p50)), 3)}`.padEnd(18) + ` | ${fmt(r.p50, 2)}x`.padEnd(8) +
        ` | ${fmt(median(f.many.map((x) => x.rate)), 0)}`.padEnd(18) + ` | ${fmt(r.rate, 2)}x`,
    );
    return r;
  };
  row("telemetry: false (floor)", p1.off!, p1.off!);
  const noise = row("telemetry: false again (noise)", p1.off2!, p1.off!);
  const noProvider = row("no provider (default)", p1.none!, p1.off!);
  const listener = row("no provider, activity listener", p1.inspector!, p1.off!);
  row("ALS context manager, false", p2.off!, p2.off!);
  const withSdk = row("ALS + SDK providers (drop)", p2.sdk!, p2.off!);
  console.log(`spans exported by the SDK setup: ${exporter.exported}`);
  console.log("goal: no provider within noise of the floor (its ratios no further from 1 than the second floor's)");
  summary("telemetry", {
    render_hook_ratio: hookRatio,
    floor_p50_ms: median(p1.off!.one.map((x) => x.p50)),
    noise_p50_ratio: noise.p50,
    noise_rate_ratio: noise.rate,
    none_p50_ratio: noProvider.p50,
    none_rate_ratio: noProvider.rate,
    listener_p50_ratio: listener.p50,
    listener_rate_ratio: listener.rate,
    sdk_p50_ratio: withSdk.p50,
    sdk_rate_ratio: withSdk.rate,
    rounds: ROUNDS,
  });
  kid.kill();
  for (const s of [off, off2, none, feed, sdk]) await s.stop();
  await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
}

if (process.argv[2] === "client") {
  process.on("message", async (job: RoundTripJob) => process.send!(await roundTrips(job)));
} else {
  await main();
}
