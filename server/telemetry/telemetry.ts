import {
  context as otelContext, createContextKey, createNoopMeter, metrics, ProxyTracerProvider, SpanKind, SpanStatusCode, trace,
  type Attributes, type BatchObservableCallback, type Context, type Counter, type Histogram, type Meter,
  type MeterProvider, type ObservableGauge, type Span, type Tracer, type TracerProvider,
} from "@opentelemetry/api";
import type { Activity, ActivityFeed } from "../live/activity.js";

/**
 * Where an app's telemetry goes (`createHotline({ telemetry })`). Without this option the app
 * uses the global providers registered when it is created (an OpenTelemetry SDK started first);
 * with none registered it records nothing and costs nothing.
 *
 * @example
 * const hotline = createHotline({ telemetry: { tracerProvider, meterProvider } });
 * const quiet = createHotline({ telemetry: false }); // even with global providers
 */
export interface TelemetryOptions {
  /** Spans go here instead of the global tracer provider. */
  tracerProvider?: TracerProvider;
  /** Metrics go here instead of the global meter provider. */
  meterProvider?: MeterProvider;
}

/** The instrumentation scope of every span and metric. */
export const TELEMETRY_SCOPE = "hotline";

/** Span names (docs/telemetry.md lists their attributes). */
export const SpanNames = Object.freeze({
  join: "hotline.join",
  event: "hotline.event",
  render: "hotline.render",
  publish: "hotline.publish",
  deliver: "hotline.deliver",
  storeLoad: "hotline.store.load",
  storeSave: "hotline.store.save",
  storeDelete: "hotline.store.delete",
  httpCall: "hotline.http.call",
  sseStream: "hotline.sse.stream",
});

/** Metric names (docs/telemetry.md lists their units and attributes). */
export const MetricNames = Object.freeze({
  connections: "hotline.connections",
  instances: "hotline.instances",
  hibernated: "hotline.hibernated",
  events: "hotline.events",
  eventDuration: "hotline.event.duration",
  renderDuration: "hotline.render.duration",
  patchSize: "hotline.patch.size",
  deliveryLag: "hotline.pubsub.delivery_lag",
  storeDuration: "hotline.store.duration",
  refusals: "hotline.rate_limit.refusals",
});

/** Attribute keys of spans and metrics. */
export const Attr = Object.freeze({
  component: "hotline.component",
  instance: "hotline.instance",
  event: "hotline.event",
  transport: "hotline.transport",
  format: "hotline.format",
  outcome: "hotline.outcome",
  code: "hotline.error.code",
  patchBytes: "hotline.patch.bytes",
  topic: "hotline.topic",
  messageBytes: "hotline.message.bytes",
  listeners: "hotline.listeners",
  resync: "hotline.resync",
  lag: "hotline.delivery_lag_ms",
  operation: "hotline.store.operation",
  limit: "hotline.limit",
  steps: "hotline.steps",
  status: "http.response.status_code",
});

/** Which limit refused something (`hotline.rate_limit.refusals`'s `hotline.limit`). */
export type LimitName = "messages" | "invalid_tokens" | "groups";

/** One operation being measured: its span (when tracing) and its start. */
export interface Op {
  readonly span: Span | undefined;
  /** the active context with this span in it (for `Telemetry.run`) */
  readonly ctx: Context | undefined;
  readonly t0: number;
  /** patch bytes rendered under it (summed by the render wrapper) */
  bytes: number;
  /** the error code, when it failed */
  code: string | undefined;
  /** the event's name, when the operation learns it late (an HTTP call reads it from the body) */
  event?: string;
}

interface Instruments {
  events: Counter;
  eventDuration: Histogram;
  renderDuration: Histogram;
  patchSize: Histogram;
  deliveryLag: Histogram;
  storeDuration: Histogram;
  refusals: Counter;
  connections: ObservableGauge;
  instances: ObservableGauge;
  hibernated: ObservableGauge;
}

/** What the gauges read: the app's `stats()`. */
export type StatsSource = () => { connections: number; instances: number; hibernated?: number };

const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

/** The global tracer provider, when an SDK registered one (a no-op proxy otherwise). */
function globalTracerProvider(): TracerProvider | undefined {
  const tp = trace.getTracerProvider() as TracerProvider & { getDelegate?: () => TracerProvider };
  // Duck-typed, not instanceof: the SDK may have registered through another copy of the API.
  const real = typeof tp.getDelegate === "function" ? tp.getDelegate() : tp;
  return real === NOOP_TRACER_PROVIDER ? undefined : tp;
}

/** The global meter provider, when an SDK registered one. */
function globalMeterProvider(): MeterProvider | undefined {
  const mp = metrics.getMeterProvider();
  return mp.getMeter(TELEMETRY_SCOPE) === createNoopMeter() ? undefined : mp;
}

/** Where an operation sits in the active context: a render adds its patch bytes to the event's. */
const OP_KEY = createContextKey("hotline.op");

/** The operation whose span is active (undefined when not tracing). */
export function activeOp(): Op | undefined {
  return otelContext.active().getValue(OP_KEY) as Op | undefined;
}

const MS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];
const BYTE_BUCKETS = [0, 16, 64, 256, 1024, 4096, 16384, 65536, 262144];

const OK = "ok";
/** The metric label of a name no component is registered under. */
const UNKNOWN = "(unknown)";
const ERROR = "error";

/**
 * One app's telemetry: OpenTelemetry spans and metrics (when a provider was given or registered
 * when the app was created) and the app's activity feed (when someone listens). Call sites ask
 * `on` first, a field read and a Set size, and do nothing else when it is false: the hot path
 * allocates nothing without a provider or a listener.
 */
export class Telemetry {
  readonly activity: ActivityFeed;
  /** Spans, or undefined when nothing traces. */
  readonly tracer: Tracer | undefined;
  readonly #m: Instruments | undefined;
  readonly #meter: Meter | undefined;
  #stats: StatsSource | undefined;
  #observer: BatchObservableCallback | undefined;
  /**
   * Whether a name is a registered component: metrics label only those (a client chooses the
   * name of a join or an HTTP call, and unbounded labels would grow the metrics without end).
   */
  readonly #known: (name: string) => boolean;

  constructor(activity: ActivityFeed, options: false | TelemetryOptions | undefined, known: (name: string) => boolean = () => true) {
    this.activity = activity;
    this.#known = known;
    if (options === false) return;
    const tp = options?.tracerProvider ?? globalTracerProvider();
    const mp = options?.meterProvider ?? globalMeterProvider();
    this.tracer = tp?.getTracer(TELEMETRY_SCOPE);
    if (!mp) return;
    const meter = (this.#meter = mp.getMeter(TELEMETRY_SCOPE));
    // Bucket advice (a view in the SDK overrides it): the default buckets start at 5 ms, and a
    // render or a local delivery takes far less.
    const ms = (name: string, description: string) => meter.createHistogram(name, { unit: "ms", description, advice: { explicitBucketBoundaries: MS_BUCKETS } });
    this.#m = {
      events: meter.createCounter(MetricNames.events, { unit: "{event}", description: "Events handled, by component, transport and outcome" }),
      eventDuration: ms(MetricNames.eventDuration, "Time from an event's arrival until it is handled"),
      renderDuration: ms(MetricNames.renderDuration, "Time to render and diff one component"),
      patchSize: meter.createHistogram(MetricNames.patchSize, { unit: "By", description: "Bytes of one render's patch body (JSON)", advice: { explicitBucketBoundaries: BYTE_BUCKETS } }),
      deliveryLag: ms(MetricNames.deliveryLag, "Time from a publish to its delivery to this process's topic index"),
      storeDuration: ms(MetricNames.storeDuration, "Time of one state store call, by operation and outcome"),
      refusals: meter.createCounter(MetricNames.refusals, { unit: "{refusal}", description: "Requests refused by a rate limit" }),
      connections: meter.createObservableGauge(MetricNames.connections, { unit: "{connection}", description: "Open WebSocket connections" }),
      instances: meter.createObservableGauge(MetricNames.instances, { unit: "{instance}", description: "Live component instances" }),
      hibernated: meter.createObservableGauge(MetricNames.hibernated, { unit: "{session}", description: "Hibernated sessions (their instances dropped until their next message)" }),
    };
  }

  /** Whether OpenTelemetry records anything for this app. */
  get recording(): boolean {
    return this.tracer !== undefined || this.#m !== undefined;
  }

  /** Whether anything is measured now: OpenTelemetry, or a listener on the activity feed. */
  get on(): boolean {
    return this.tracer !== undefined || this.#m !== undefined || this.activity.active;
  }

  /** Feeds the connection and instance gauges from `stats` (the app calls it once). */
  observe(stats: StatsSource): void {
    const m = this.#m;
    if (!m || this.#observer) return;
    this.#stats = stats;
    this.#observer = (result) => {
      const s = this.#stats?.();
      if (!s) return;
      result.observe(m.connections, s.connections);
      result.observe(m.instances, s.instances);
      result.observe(m.hibernated, s.hibernated ?? 0);
    };
    this.#meter!.addBatchObservableCallback(this.#observer, [m.connections, m.instances, m.hibernated]);
  }

  /** Stops observing the app (it is closing). */
  close(): void {
    if (this.#observer) this.#meter!.removeBatchObservableCallback(this.#observer, [this.#m!.connections, this.#m!.instances, this.#m!.hibernated]);
    this.#observer = undefined;
    this.#stats = undefined;
  }

  /** Starts an operation: a span under the active context (when tracing) and a clock. */
  begin(name: string, attributes: Attributes, kind: SpanKind = SpanKind.INTERNAL): Op {
    const span = this.tracer?.startSpan(name, { kind, attributes });
    const op: { -readonly [K in keyof Op]: Op[K] } = { span, ctx: undefined, t0: performance.now(), bytes: 0, code: undefined };
    if (span) op.ctx = trace.setSpan(otelContext.active(), span).setValue(OP_KEY, op);
    return op;
  }

  /** Runs `fn` with the operation's span active, so that what it starts (even through promises) is its child. */
  run<T>(op: Op, fn: () => T): T {
    return op.ctx ? otelContext.with(op.ctx, fn) : fn();
  }

  /** Ends an operation's span with its outcome; returns its duration in ms. */
  end(op: Op, attributes?: Attributes): number {
    const ms = performance.now() - op.t0;
    const span = op.span;
    if (span) {
      if (attributes) span.setAttributes(attributes);
      if (op.bytes) span.setAttribute(Attr.patchBytes, op.bytes);
      if (op.code !== undefined) {
        span.setAttribute(Attr.code, op.code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: op.code });
      }
      span.setAttribute(Attr.outcome, op.code === undefined ? OK : ERROR);
      span.end();
    }
    return ms;
  }

  /** A join ended (`live` is the instance joined). */
  joined(op: Op, component: string, live: object | undefined, transport: string): void {
    this.end(op, live ? { [Attr.instance]: instanceId(live) } : undefined);
    if (this.#m) this.#m.events.add(1, { [Attr.component]: this.#label(component), [Attr.event]: "join", [Attr.transport]: transport, [Attr.outcome]: op.code === undefined ? OK : ERROR });
    if (this.activity.active) {
      this.#emit({ kind: "join", at: Date.now(), component, ...(live && { instance: instanceId(live) }), ms: performance.now() - op.t0, ...outcome(op) });
    }
  }

  /** An event ended (over any transport). */
  handled(op: Op, component: string, event: string | undefined, live: object | undefined, transport: string): void {
    const ms = this.end(op);
    if (this.#m) {
      const attributes = { [Attr.component]: this.#label(component), [Attr.transport]: transport, [Attr.outcome]: op.code === undefined ? OK : ERROR };
      this.#m.events.add(1, attributes);
      this.#m.eventDuration.record(ms, attributes);
    }
    if (this.activity.active) {
      this.#emit({ kind: "event", at: Date.now(), component, ...(live && { instance: instanceId(live) }), ...(event !== undefined && { name: event }), ms, ...(op.bytes && { bytes: op.bytes }), ...outcome(op) });
      if (op.code !== undefined) this.#emit({ kind: "error", at: Date.now(), component, ...(live && { instance: instanceId(live) }), ...(event !== undefined && { name: event }), outcome: ERROR, code: op.code });
    }
  }

  /** A render (and diff) of `component` took `ms` and made a patch body of `bytes`. */
  rendered(component: string, live: object | undefined, ms: number, bytes: number): void {
    if (this.#m) {
      const attributes = { [Attr.component]: component };
      this.#m.renderDuration.record(ms, attributes);
      this.#m.patchSize.record(bytes, attributes);
    }
    if (this.activity.active) this.#emit({ kind: "render", at: Date.now(), component, ...(live && { instance: instanceId(live) }), ms, bytes });
  }

  /** A viewer left an instance. */
  left(component: string, live: object): void {
    if (this.activity.active) this.#emit({ kind: "leave", at: Date.now(), component, instance: instanceId(live) });
  }

  /**
   * `performance.now()` of the publish running now, in this call stack: a bus that delivers inside
   * `publish()` (MemoryPubSub) gives the topic index its delivery lag through it.
   */
  publishing: number | undefined;

  /** A message was published on `topic` from this process. */
  published(topic: string, ms: number, bytes: number, code: string | undefined): void {
    if (this.activity.active) this.#emit({ kind: "publish", at: Date.now(), name: topic, ms, bytes, ...(code === undefined ? { outcome: OK } : { outcome: ERROR, code }) });
  }

  /** A message on `topic` reached this process's `count` listeners, `lag` ms after its publish (when known). */
  delivered(op: Op, topic: string, count: number, lag: number | undefined): void {
    this.end(op, lag === undefined ? undefined : { [Attr.lag]: Math.max(0, lag) });
    if (this.#m && lag !== undefined) this.#m.deliveryLag.record(Math.max(0, lag));
    if (this.activity.active) this.#emit({ kind: "deliver", at: Date.now(), name: topic, count, ...(lag !== undefined && { ms: Math.max(0, lag) }) });
  }

  /** One state store call took `ms`. */
  stored(operation: "load" | "save" | "delete", ms: number, code: string | undefined): void {
    this.#m?.storeDuration.record(ms, { [Attr.operation]: operation, [Attr.outcome]: code === undefined ? OK : ERROR });
    if (code !== undefined && this.activity.active) this.#emit({ kind: "error", at: Date.now(), name: `store.${operation}`, ms, outcome: ERROR, code });
  }

  /** A rate limit refused a request. */
  refused(limit: LimitName, transport: string): void {
    this.#m?.refusals.add(1, { [Attr.limit]: limit, [Attr.transport]: transport });
  }

  #label(component: string): string {
    return this.#known(component) ? component : UNKNOWN;
  }

  #emit(activity: Activity): void {
    this.activity.emit(activity);
  }
}

function outcome(op: Op): Pick<Activity, "outcome" | "code"> {
  return op.code === undefined ? { outcome: OK } : { outcome: ERROR, code: op.code };
}

const ids = new WeakMap<object, string>();
let nextId = 0;

/**
 * A live instance's id in this process ("i1", "i2", …): never its session key, which is a
 * credential (whoever has it may resume the session).
 */
export function instanceId(live: object): string {
  let id = ids.get(live);
  if (id === undefined) ids.set(live, (id = `i${++nextId}`));
  return id;
}

/** Longest client-chosen name (an event's, a component's) kept in an attribute or a record. */
export const MAX_NAME = 128;

/**
 * A client-chosen name as telemetry keeps it: clipped to {@link MAX_NAME} characters (a client may
 * send a name as long as a frame; its unknown_event answer should not make a 64 KiB attribute).
 */
export function clip(name: string): string {
  return name.length <= MAX_NAME ? name : `${name.slice(0, MAX_NAME)}…`;
}

/** The code of whatever was thrown: a HotlineError's, else "handler_error". */
export function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "handler_error";
}
