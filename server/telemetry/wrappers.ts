import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { Component } from "../core/component.js";
import type { StateStore } from "../core/store.js";
import type { Presenter } from "../live/presenter.js";
import type { PubSub } from "../../pubsub/pubsub.js";
import { activeOp, Attr, codeOf, instanceId, SpanNames, type Telemetry } from "./telemetry.js";

/**
 * A presenter with every render (and diff) measured: a `hotline.render` span under the active
 * span (the event's, the join's or the publish's), the render time and patch size metrics, a
 * `render` activity. Without a provider or a listener it calls straight through.
 *
 * One class for every wrapped presenter, so that the runtime's calls to it stay monomorphic.
 */
export class MeasuredPresenter implements Presenter {
  /** Its live instance, once there is one (for the instance id). */
  live: object | undefined = undefined;

  constructor(
    readonly inner: Presenter,
    readonly tel: Telemetry,
    readonly component: string,
  ) {}

  get format(): Presenter["format"] {
    return this.inner.format;
  }

  full(component: Component): Record<string, unknown> {
    return this.tel.on ? this.#measure(true, component) : this.inner.full(component);
  }

  update(component: Component): Record<string, unknown> {
    return this.tel.on ? this.#measure(false, component) : this.inner.update(component);
  }

  hibernatable(): boolean {
    return this.inner.hibernatable();
  }

  #measure(full: boolean, c: Component): Record<string, unknown> {
    const { tel, live, component } = this;
    const span = tel.tracer?.startSpan(SpanNames.render, {
      attributes: live ? { [Attr.component]: component, [Attr.instance]: instanceId(live) } : { [Attr.component]: component },
    });
    const t0 = performance.now();
    let body: Record<string, unknown>;
    try {
      body = full ? this.inner.full(c) : this.inner.update(c);
    } catch (err) {
      if (span) {
        const code = codeOf(err);
        span.setAttributes({ [Attr.outcome]: "error", [Attr.code]: code });
        span.setStatus({ code: SpanStatusCode.ERROR, message: code });
        span.end();
      }
      throw err;
    }
    const ms = performance.now() - t0;
    const bytes = bodyBytes(body);
    if (span) {
      span.setAttributes({ [Attr.patchBytes]: bytes, [Attr.outcome]: "ok" });
      span.end();
      const op = activeOp();
      if (op) op.bytes += bytes;
    }
    tel.rendered(component, live, ms, bytes);
    return body;
  }
}

/** `inner`, measured (see {@link MeasuredPresenter}). */
export function measurePresenter(inner: Presenter, tel: Telemetry, component: string): MeasuredPresenter {
  return new MeasuredPresenter(inner, tel, component);
}

/** Bytes of a patch body as it is spliced into a frame (its JSON without the braces). */
function bodyBytes(body: Record<string, unknown>): number {
  const json = JSON.stringify(body);
  return json.length <= 2 ? 0 : Buffer.byteLength(json) - 2;
}

/**
 * The state store with each call measured: `hotline.store.load|save|delete` spans under the
 * active span, and the store latency metric. Applied only when OpenTelemetry records. The call
 * reaches the store within the caller's turn, as without the wrapper.
 */
export function measureStore(inner: StateStore, tel: Telemetry): StateStore {
  const call = async <T>(operation: "load" | "save" | "delete", name: string, fn: () => Promise<T>): Promise<T> => {
    const op = tel.begin(name, { [Attr.operation]: operation }, SpanKind.CLIENT);
    try {
      return await fn();
    } catch (err) {
      op.code = codeOf(err);
      throw err;
    } finally {
      tel.stored(operation, tel.end(op), op.code);
    }
  };
  const save: StateStore["save"] = (key, state, ttlMs, owner) => call("save", SpanNames.storeSave, () => inner.save(key, state, ttlMs, owner));
  const load: StateStore["load"] = (key) => call("load", SpanNames.storeLoad, () => inner.load(key));
  const del: StateStore["delete"] = (key) => call("delete", SpanNames.storeDelete, () => inner.delete(key));
  // A proxy, not a new object: the store stays an instance of its class, and its other members
  // (synchronous, writable, onReset, …) keep working.
  return new Proxy(inner, {
    get(target, key) {
      if (key === "save") return save;
      if (key === "load") return load;
      if (key === "delete") return del;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * The app's pub/sub with each publish measured: a `hotline.publish` span (producer) and a
 * `publish` activity. While a publish runs, `tel.publishing` holds its start, so that a bus that
 * delivers inside `publish()` (MemoryPubSub) gives the topic index its delivery lag.
 */
export function measurePubSub(inner: PubSub, tel: Telemetry): PubSub {
  return {
    publish(topic, message) {
      if (!tel.on) return inner.publish(topic, message);
      const op = tel.begin(SpanNames.publish, { [Attr.topic]: topic }, SpanKind.PRODUCER);
      let bytes = 0;
      try {
        bytes = message === undefined ? 0 : Buffer.byteLength(JSON.stringify(message));
      } catch {
        // not JSON: the bus refuses it below, and the span says so
      }
      const outer = tel.publishing;
      tel.publishing = op.t0;
      let sent: Promise<void>;
      try {
        sent = tel.run(op, () => inner.publish(topic, message));
      } catch (err) {
        sent = Promise.reject(err);
      } finally {
        tel.publishing = outer;
      }
      const done = (code: string | undefined) => {
        op.code = code;
        tel.published(topic, tel.end(op, { [Attr.messageBytes]: bytes }), bytes, code);
      };
      return sent.then(() => done(undefined), (err: unknown) => {
        done(codeOf(err));
        throw err;
      });
    },
    subscribe: (topic, listener) => inner.subscribe(topic, listener),
    close: () => inner.close(),
  };
}
