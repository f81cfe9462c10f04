/**
 * The demo's OpenTelemetry setup (docs/telemetry.md), chosen by `HOTLINE_OTEL`:
 *
 * - `console`: spans and metrics printed to stdout (the SDK's console exporters; metrics every
 *   `HOTLINE_OTEL_INTERVAL_MS`, default 10 s).
 * - `prometheus`: metrics served for scraping on `http://HOST:HOTLINE_OTEL_PORT/metrics` (default
 *   port 9464), by `@opentelemetry/exporter-prometheus`; no spans.
 *
 * The providers are handed to `createHotline({ telemetry })`; the AsyncLocalStorage context
 * manager is registered globally (the context API has no other place), so that a render's span
 * finds its event's. A real app would more often start `@opentelemetry/sdk-node` first and let
 * Hotline find the global providers.
 */
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter } from "@opentelemetry/sdk-trace-base";
import type { TelemetryOptions } from "hotline";

/** A started telemetry setup: what to give `createHotline({ telemetry })`, and how to stop it. */
export interface DemoTelemetry {
  options: TelemetryOptions;
  /** Where the metrics can be scraped (prometheus mode). */
  metricsUrl?: string;
  /** Flushes what is buffered and stops the exporters. */
  close(): Promise<void>;
}

/** The setup for `mode` (`HOTLINE_OTEL`); undefined when it is unset or empty. Throws on an unknown mode. */
export async function startTelemetry(mode: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<DemoTelemetry | undefined> {
  if (!mode) return undefined;
  if (mode !== "console" && mode !== "prometheus") throw new Error(`HOTLINE_OTEL must be "console" or "prometheus" (got "${mode}")`);
  // false when one is registered already (a second demo in the same process): that one serves.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  if (mode === "console") {
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new ConsoleSpanExporter())] });
    const interval = Number(env.HOTLINE_OTEL_INTERVAL_MS ?? 10_000);
    const meterProvider = new MeterProvider({
      readers: [new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter(), exportIntervalMillis: interval, exportTimeoutMillis: Math.min(interval, 30_000) })],
    });
    return {
      options: { tracerProvider, meterProvider },
      async close() {
        await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
      },
    };
  }
  const port = Number(env.HOTLINE_OTEL_PORT ?? 9464);
  const host = env.HOST ?? "127.0.0.1";
  const exporter = await new Promise<PrometheusExporter>((resolve, reject) => {
    const e: PrometheusExporter = new PrometheusExporter({ port, host }, (err) => (err ? reject(err) : resolve(e)));
  });
  const meterProvider = new MeterProvider({ readers: [exporter] });
  return {
    options: { meterProvider },
    metricsUrl: `http://${host}:${port}${PrometheusExporter.DEFAULT_OPTIONS.endpoint}`,
    async close() {
      await meterProvider.shutdown();
    },
  };
}
