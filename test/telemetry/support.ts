// OpenTelemetry in memory for the telemetry tests: global providers (as an app's SDK would
// register them) with an AsyncLocalStorage context manager, spans kept as they end (and waited
// for), metrics read on demand.
import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint, type Histogram } from "@opentelemetry/sdk-metrics";
import { z } from "zod";
import { Component } from "../../server/core/component.js";
import { html } from "../../server/core/template/template.js";

/** Every span that ended, in order; `waitFor` resolves when one matching a predicate has ended. */
export class SpanLog implements SpanProcessor {
  spans: ReadableSpan[] = [];
  #waiters: { pred: (s: ReadableSpan) => boolean; ok: (s: ReadableSpan) => void }[] = [];

  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
    for (const w of [...this.#waiters]) {
      if (w.pred(span)) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.ok(span);
      }
    }
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}

  waitFor(pred: (s: ReadableSpan) => boolean, ms = 3000): Promise<ReadableSpan> {
    const found = this.spans.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((ok, no) => {
      const t = setTimeout(() => no(new Error(`no such span in ${ms} ms; ended: ${this.spans.map((s) => s.name).join(", ")}`)), ms);
      this.#waiters.push({ pred, ok: (s) => (clearTimeout(t), ok(s)) });
    });
  }

  named(name: string): ReadableSpan[] {
    return this.spans.filter((s) => s.name === name);
  }

  clear(): void {
    this.spans = [];
  }
}

/** A reader that collects when asked (cumulative). */
export class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}

  /** The data points of metric `name` (empty when it has none). */
  async points(name: string): Promise<DataPoint<unknown>[]> {
    const { resourceMetrics } = await this.collect();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const m of scope.metrics) if (m.descriptor.name === name) return m.dataPoints as DataPoint<unknown>[];
    }
    return [];
  }

  /** The sum of a counter's points whose attributes include `attrs`. */
  async sum(name: string, attrs: Record<string, unknown> = {}): Promise<number> {
    return (await this.points(name)).filter((p) => matches(p.attributes, attrs)).reduce((n, p) => n + (p.value as number), 0);
  }

  /** How many values a histogram recorded (over points whose attributes include `attrs`). */
  async count(name: string, attrs: Record<string, unknown> = {}): Promise<number> {
    return (await this.points(name)).filter((p) => matches(p.attributes, attrs)).reduce((n, p) => n + (p.value as Histogram).count, 0);
  }
}

function matches(have: Record<string, unknown>, want: Record<string, unknown>): boolean {
  return Object.entries(want).every(([k, v]) => have[k] === v);
}

/** Registers global providers once per process (as `NodeSDK.start()` would); returns the span log and the reader. */
export function registerGlobalOtel(): { spans: SpanLog; reader: TestReader } {
  const spans = new SpanLog();
  const reader = new TestReader();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [spans] }));
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  return { spans, reader };
}

/** The parent span id of a span (SDK 2.x: `parentSpanContext`). */
export function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

/** A chat room over pub/sub: `say` publishes, every member's `onMessage` adds the line. */
export class Chat extends Component<{ lines: string[] }, { room: string }> {
  static clientParams = z.object({ room: z.string().max(64) }).strict();
  mount() {
    this.state.lines = [];
    this.subscribe(`room:${this.params.room}`);
  }
  async onSay(p: { text: string }) {
    await this.publish(`room:${this.params.room}`, { text: p.text });
  }
  onMessage(_topic: string, m: unknown) {
    this.state.lines.push((m as { text: string }).text);
  }
  render() {
    return html`<ul>${this.state.lines.join("|")}</ul>`;
  }
}
