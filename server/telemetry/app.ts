import { ActivityFeed } from "../live/activity.js";
import type { AppContext } from "../live/context.js";
import { Telemetry, type StatsSource, type TelemetryOptions } from "./telemetry.js";
import { measurePubSub, measureStore } from "./wrappers.js";

const apps = new WeakMap<object, Telemetry>();

/**
 * Sets up an app's telemetry (`createHotline()` calls it once, before the hub): the providers are
 * resolved now (given ones, else the global ones registered by now, else none), the store is
 * measured when OpenTelemetry records, and publishes are measured when anything listens.
 * `stats` feeds the connection and instance gauges.
 */
export function instrumentApp(ctx: AppContext, options: false | TelemetryOptions | undefined, stats: StatsSource): Telemetry {
  const tel = new Telemetry(ctx.activity, options, (name) => ctx.registry.has(name));
  if (tel.recording) ctx.store = measureStore(ctx.store, tel);
  ctx.pubsub = measurePubSub(ctx.pubsub, tel);
  tel.observe(stats);
  apps.set(ctx, tel);
  return tel;
}

/**
 * An app's telemetry. A context not made by `createHotline()` (a test's) gets one that records
 * no OpenTelemetry, only its activity feed.
 */
export function telemetryOf(ctx: Pick<AppContext, "activity">): Telemetry {
  let tel = apps.get(ctx);
  if (!tel) apps.set(ctx, (tel = new Telemetry(ctx.activity ?? new ActivityFeed(), false)));
  return tel;
}
