import { Component } from "../core/component.js";
import type { HotlineUser } from "../core/context.js";
import { html, repeat } from "../core/template/template.js";
import { Attr } from "../../protocol/attributes.js";
import type { ActivityMessage, RelayedActivity } from "./relay.js";
import { runtimeOf } from "./runtime.js";
import { TOPICS } from "./snapshot.js";

/** Most entries kept (and shown), newest first. */
const KEEP = 150;
const KINDS = new Set(["join", "leave", "event", "render", "publish", "deliver", "error"]);

type Entry = RelayedActivity & { seq: number; process: string };

/**
 * The inspector's live timeline (registered as "hotline-devtools-timeline"): joins, events,
 * renders (with their patch sizes), publishes and deliveries of every process, as they happen,
 * newest first. Each process sends its activity in batches while an inspector is open.
 */
export class DevtoolsTimeline extends Component<{ error?: string }> {
  static catchUp = "remount" as const;

  static authorize(_user: HotlineUser | null, params: Readonly<Record<string, unknown>>): boolean {
    return runtimeOf(params) !== undefined;
  }

  #entries: Entry[] = [];
  #seq = 0;
  #dropped = 0;

  mount(): void {
    try {
      this.subscribe(TOPICS.activity);
    } catch {
      this.state.error = `the app's authorizeTopic refuses "${TOPICS.activity}"`;
    }
  }

  onJoin(): void {
    void runtimeOf(this.params)?.hello();
  }

  onMessage(_topic: string, message: unknown): void {
    const m = message as ActivityMessage | undefined;
    if (!m || typeof m.p !== "string" || !Array.isArray(m.items)) return;
    const process = typeof m.label === "string" ? m.label.slice(0, 80) : m.p;
    if (typeof m.dropped === "number" && m.dropped > 0) this.#dropped += m.dropped;
    const fresh: Entry[] = [];
    for (const a of m.items.slice(-KEEP)) {
      if (!a || !KINDS.has(a.kind) || typeof a.at !== "number") continue;
      fresh.push({ ...clean(a), seq: ++this.#seq, process });
    }
    if (!fresh.length) return;
    this.#entries = [...fresh.reverse(), ...this.#entries].slice(0, KEEP);
  }

  onClear(): void {
    this.#entries = [];
    this.#dropped = 0;
  }

  render() {
    return html`<div class="hdt-timeline">
  <h2>Timeline <button type="button" class="hdt-clear"${{ [Attr.click]: "clear" }}>Clear</button>${this.#dropped ? html` <span class="hdt-dropped">${this.#dropped} not shown (too many at once)</span>` : ""}</h2>
  ${this.state.error ? html`<p class="hdt-error" role="alert">${this.state.error}</p>` : ""}
  <table><thead><tr><th>time</th><th>process</th><th>kind</th><th>component</th><th>instance</th><th>event / topic</th><th>ms</th><th>bytes</th><th>count</th><th>outcome</th></tr></thead>
  <tbody>${repeat(this.#entries, (e) => e.seq, (e) => html`<tr id="hdt-ev-${e.seq}" class="hdt-entry kind-${e.kind}${e.outcome === "error" ? " failed" : ""}" data-kind="${e.kind}" data-component="${e.component ?? ""}" data-name="${e.name ?? ""}"><td>${clock(e.at)}</td><td>${e.process}</td><td>${e.kind}</td><td>${e.component ?? ""}</td><td><code>${e.instance ?? ""}</code></td><td>${e.name ?? ""}</td><td>${typeof e.ms === "number" ? e.ms.toFixed(2) : ""}</td><td>${e.bytes ?? ""}</td><td>${e.count ?? ""}</td><td>${e.outcome === "error" ? `error${e.code ? `: ${e.code}` : ""}` : (e.outcome ?? "")}</td></tr>`)}</tbody></table>
</div>`;
  }
}

/** Only the fields shown, of the types expected (anything on the bus may publish here). */
function clean(a: RelayedActivity): RelayedActivity {
  const r: RelayedActivity = { kind: a.kind, at: a.at };
  const str = (v: unknown) => (typeof v === "string" ? v.slice(0, 200) : undefined);
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
  const component = str(a.component), instance = str(a.instance), name = str(a.name), code = str(a.code);
  const ms = num(a.ms), bytes = num(a.bytes), count = num(a.count);
  if (component !== undefined) r.component = component;
  if (instance !== undefined) r.instance = instance;
  if (name !== undefined) r.name = name;
  if (ms !== undefined) r.ms = ms;
  if (bytes !== undefined) r.bytes = bytes;
  if (count !== undefined) r.count = count;
  if (a.outcome === "ok" || a.outcome === "error") r.outcome = a.outcome;
  if (code !== undefined) r.code = code;
  return r;
}

function clock(at: number): string {
  const d = new Date(at);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`;
}
