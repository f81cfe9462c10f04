import { Component } from "../core/component.js";
import type { HotlineUser } from "../core/context.js";
import { html, repeat } from "../core/template/template.js";
import { Attr } from "../../protocol/attributes.js";
import { LEASE_MS, type SnapshotMessage } from "./relay.js";
import { runtimeOf } from "./runtime.js";
import { TOPICS, type ProcessSnapshot } from "./snapshot.js";

type Selected = { p: string; i: string };
type Shown = { p: string; i: string; component: string; state: unknown; truncated?: boolean } | { p: string; i: string; gone: true };

/**
 * The inspector's overview (registered as "hotline-devtools"): every process that answers on the
 * app's pub/sub, its connections, instances per component, topics and their subscribers, and the
 * redacted state of the instance selected. What it shows lives outside its state (it is rebuilt
 * from the processes' answers on every start), so only the selection is saved.
 */
export class DevtoolsPanel extends Component<{ selected: Selected | null; error?: string }> {
  static catchUp = "remount" as const;

  /** Only pages served by the inspector's route carry a valid grant for a live app. */
  static authorize(_user: HotlineUser | null, params: Readonly<Record<string, unknown>>): boolean {
    return runtimeOf(params) !== undefined;
  }

  readonly #processes = new Map<string, { snap: ProcessSnapshot; seen: number }>();
  #shown: Shown | undefined;

  mount(): void {
    this.state.selected = null;
    try {
      this.subscribe(TOPICS.snapshots);
    } catch {
      this.state.error = `the app's authorizeTopic refuses "${TOPICS.snapshots}": allow the topics that start with "${TOPICS.request}" for the inspector's users`;
    }
  }

  onJoin(): void {
    void runtimeOf(this.params)?.hello();
  }

  onResync(): void {
    void runtimeOf(this.params)?.hello();
  }

  onMessage(_topic: string, message: unknown): void {
    const m = message as SnapshotMessage | undefined;
    const snap = m?.process;
    if (!m || m.t !== "snapshot" || !snap || typeof snap.id !== "string" || snap.id.length > 64) return;
    // Anything on the bus may publish here: lists that are not lists are shown empty.
    for (const k of ["instanceList", "components", "topics", "connectionList"] as const) if (!Array.isArray(snap[k])) (snap as unknown as Record<string, unknown>)[k] = [];
    const now = Date.now();
    this.#processes.set(snap.id, { snap, seen: now });
    for (const [id, p] of this.#processes) if (now - p.seen > LEASE_MS) this.#processes.delete(id);
    const sel = this.state.selected;
    if (sel && sel.p === snap.id && m.states && sel.i in m.states) {
      const s = m.states[sel.i];
      this.#shown = s ? { ...sel, component: s.component, state: s.state, ...(s.truncated && { truncated: true }) } : { ...sel, gone: true };
    }
  }

  /** Shows one instance's state (the same one again: hides it). */
  onSelect(payload: Record<string, unknown>): void {
    const { p, i } = payload;
    if (typeof p !== "string" || typeof i !== "string" || p.length > 64 || i.length > 32) return;
    const sel = this.state.selected;
    this.state.selected = sel && sel.p === p && sel.i === i ? null : { p, i };
    this.#shown = undefined;
    void runtimeOf(this.params)?.hello();
  }

  render() {
    const procs = [...this.#processes.values()].map((p) => p.snap).sort((a, b) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : 1));
    const label = (p: ProcessSnapshot) => `${p.host}:${p.pid}`;
    const sel = this.state.selected;
    return html`<div class="hdt-panel">
  ${this.state.error ? html`<p class="hdt-error" role="alert">${this.state.error}</p>` : ""}
  <section class="hdt-processes"><h2>Processes <span class="hdt-count">${procs.length}</span></h2>
  ${procs.length === 0 ? html`<p class="hdt-muted">Waiting for the processes to answer…</p>` : ""}
  <table><thead><tr><th>process</th><th>pid</th><th>host</th><th>uptime</th><th>connections</th><th>instances</th><th>hibernated</th><th>shared groups</th></tr></thead>
  <tbody>${repeat(procs, (p) => p.id, (p) => html`<tr class="hdt-process" data-process="${p.id}" data-pid="${p.pid}"><td>${label(p)}</td><td>${p.pid}</td><td>${p.host}</td><td>${uptime(p.at - p.startedAt)}</td><td class="hdt-connections">${p.connections}</td><td class="hdt-instances">${p.instances}</td><td class="hdt-hibernated">${p.hibernated ?? 0}</td><td>${p.sharedGroups}</td></tr>`)}</tbody></table></section>
  <section class="hdt-components"><h2>Instances per component</h2>
  <table><thead><tr><th>component</th><th>process</th><th>instances</th><th>viewers</th></tr></thead>
  <tbody>${repeat(procs.flatMap((p) => p.components.map((c) => ({ p, c }))), ({ p, c }) => `${p.id} ${c.name}`, ({ p, c }) => html`<tr class="hdt-component" data-pid="${p.pid}" data-component="${c.name}"><td>${c.name}</td><td>${label(p)}</td><td>${c.instances}</td><td>${c.viewers}</td></tr>`)}</tbody></table></section>
  <section class="hdt-instance-list"><h2>Instances</h2>
  <table><thead><tr><th></th><th>component</th><th>id</th><th>process</th><th>viewers</th><th>topics</th></tr></thead>
  <tbody>${repeat(procs.flatMap((p) => p.instanceList.map((i) => ({ p, i }))), ({ p, i }) => `${p.id} ${i.id}`, ({ p, i }) => {
    const on = sel !== null && sel.p === p.id && sel.i === i.id;
    return html`<tr class="hdt-instance${on ? " selected" : ""}" data-pid="${p.pid}" data-component="${i.component}" data-instance="${i.id}"><td><button type="button" class="hdt-select"${{ [Attr.click]: "select", [`${Attr.valuePrefix}p`]: p.id, [`${Attr.valuePrefix}i`]: i.id, "aria-pressed": on ? "true" : "false" }}>${on ? "hide state" : "state"}</button></td><td>${i.component}${i.shared ? html` <span class="hdt-muted">shared</span>` : ""}</td><td><code>${i.id}</code></td><td>${label(p)}</td><td>${i.viewers}</td><td>${i.topics}</td></tr>`;
  })}</tbody></table></section>
  <section class="hdt-state"><h2>State</h2>${this.#stateView(sel, procs)}</section>
  <section class="hdt-topics"><h2>Topics</h2>
  <table><thead><tr><th>topic</th><th>process</th><th>subscribers</th></tr></thead>
  <tbody>${repeat(procs.flatMap((p) => p.topics.map((t) => ({ p, t }))), ({ p, t }) => `${p.id} ${t.topic}`, ({ p, t }) => html`<tr class="hdt-topic" data-pid="${p.pid}"><td><code>${t.topic}</code></td><td>${label(p)}</td><td>${t.subscribers}</td></tr>`)}</tbody></table></section>
  <section class="hdt-connection-list"><h2>Connections</h2>
  <table><thead><tr><th>process</th><th>address</th><th>components joined</th><th>signed in</th></tr></thead>
  <tbody>${procs.flatMap((p) => p.connectionList.map((c) => html`<tr class="hdt-connection" data-pid="${p.pid}"><td>${label(p)}</td><td>${c.address}</td><td>${c.joined}</td><td>${c.signedIn ? "yes" : "no"}</td></tr>`))}</tbody></table></section>
</div>`;
  }

  #stateView(sel: Selected | null, procs: ProcessSnapshot[]) {
    if (!sel) return html`<p class="hdt-muted">Select an instance to see its state (keys like password, token and secret are redacted).</p>`;
    const shown = this.#shown;
    if (!shown || shown.p !== sel.p || shown.i !== sel.i) return html`<p class="hdt-muted">Loading the state of ${sel.i}…</p>`;
    if ("gone" in shown) return html`<p class="hdt-muted">${sel.i} is no longer live.</p>`;
    const p = procs.find((x) => x.id === sel.p);
    const text = typeof shown.state === "string" && shown.truncated ? shown.state : JSON.stringify(shown.state, null, 2);
    return html`<p><strong>${shown.component}</strong> <code>${sel.i}</code> on ${p ? `${p.host}:${p.pid}` : sel.p}${shown.truncated ? " (truncated)" : ""}</p><pre class="hdt-json">${text}</pre>`;
  }
}

function uptime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}
