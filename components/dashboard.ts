import { Component, html, register } from "hotline";

/** The pub/sub topic the figures are published on, once a second. */
export const DASHBOARD_TOPIC = "dashboard";

/** One tick of server figures, as published by `startDashboardPublisher` (demo/worker.ts). */
export interface Figures {
  /** When measured (ms since the epoch). */
  at: number;
  pid: number;
  /** Seconds since the measuring process started. */
  uptime: number;
  /** CPU used by the process over the last interval, in % of one core. */
  cpu: number;
  /** Resident set size, bytes. */
  rss: number;
  heapUsed: number;
  heapTotal: number;
  /** Event-loop delay percentiles over the last interval, in ms. */
  loopP50: number;
  loopP99: number;
  /** Live sessions on the measuring process, when it serves any. */
  sessions?: number;
  /** The last samples, oldest first, for the sparklines. */
  history?: { cpu: number[]; loopP99: number[] };
}

// The last figures any dashboard in this process heard: a viewer who arrives between two ticks sees
// numbers at once instead of an empty card.
let latest: Figures | null = null;

/**
 * Live figures of the server, pushed every second. Each figure is a tile, a child component
 * (`dashboard_tile`, this.child()): on each tick the dashboard hands every tile its new value with
 * `sendUpdate`, and each tile sends its own patch; the dashboard's own render is the line under
 * the tiles (process, uptime, time of the measure).
 *
 * It is not `shared`: a shared component cannot have children (each child belongs to one page),
 * so each viewer's dashboard renders once per tick.
 *
 * @example
 * html`${await hotline.live("dashboard")}`
 */
@register("dashboard")
export class Dashboard extends Component<{ figures: Figures | null }> {
  mount(): void {
    this.subscribe(DASHBOARD_TOPIC);
    this.state.figures = latest;
  }

  onMessage(_topic: string, message: unknown): void {
    // A resync (message undefined) keeps the last figures: the next tick is a second away.
    if (!isFigures(message)) return;
    latest = message;
    // tiles the last render named are on the page; a tile named for the first time by the coming
    // render mounts with its figure
    const shown = new Set(this.state.figures ? tiles(this.state.figures).map((t) => t.id) : []);
    this.state.figures = message;
    for (const t of tiles(message)) if (shown.has(t.id)) this.sendUpdate(t.id, t.props);
  }

  render() {
    const f = this.state.figures;
    if (!f) return html`<div class="dashboard"><p class="muted">Waiting for the first figures… (is the publisher running?)</p></div>`;
    return html`<div class="dashboard">
  <div class="stats">${tiles(f).map((t) => this.child("dashboard_tile", t.props, t.id))}</div>
  <p class="muted small">Process ${f.pid}, up ${duration(f.uptime)}; measured at <time datetime="${new Date(f.at).toISOString()}">${new Date(f.at).toISOString().slice(11, 19)}</time> UTC.</p>
</div>`;
  }
}

/** The tiles of one tick, in order: their child ids and what each shows. */
export function tiles(f: Figures): { id: string; props: TileProps }[] {
  const out = [
    { id: "cpu", props: { label: "CPU", value: `${f.cpu.toFixed(1)} %`, spark: spark(f.history?.cpu, 100) } },
    { id: "rss", props: { label: "Memory (RSS)", value: mb(f.rss) } },
    { id: "heap", props: { label: "Heap used", value: `${mb(f.heapUsed)} / ${mb(f.heapTotal)}` } },
    { id: "loop-p50", props: { label: "Event-loop delay p50", value: `${f.loopP50.toFixed(2)} ms` } },
    { id: "loop-p99", props: { label: "Event-loop delay p99", value: `${f.loopP99.toFixed(2)} ms`, spark: spark(f.history?.loopP99) } },
  ];
  if (f.sessions !== undefined) out.push({ id: "sessions", props: { label: "Connected sessions", value: String(f.sessions) } });
  return out;
}

/** What a tile shows: a label, a value, and the points of a sparkline ("" for none). */
export type TileProps = {
  label: string;
  value: string;
  spark?: string;
};

/**
 * One figure of the dashboard: a child of `dashboard`, which mounts it with its first value and
 * sends it each new one (`sendUpdate` -> `update()`); its patch carries that figure only.
 */
@register("dashboard_tile")
export class DashboardTile extends Component<Required<TileProps>, TileProps> {
  mount(): void {
    this.update(this.params as unknown as Record<string, unknown>);
  }

  /** Takes the label, value and sparkline a parent sends; anything else is ignored. */
  update(props: Record<string, unknown>): void {
    for (const key of ["label", "value", "spark"] as const) {
      const v = props[key];
      if (typeof v === "string") this.state[key] = v;
      else if (key === "spark" || this.state[key] === undefined) this.state[key] = "";
    }
  }

  render() {
    const { label, value, spark } = this.state;
    return html`<div class="stat"><div class="stat-label">${label}</div><div class="stat-value">${value}</div>${spark
      ? html`<svg class="spark" viewBox="0 0 100 24" preserveAspectRatio="none" aria-hidden="true"><polyline points="${spark}"></polyline></svg>`
      : ""}</div>`;
  }
}

/** The points of an inline SVG polyline of the samples, scaled to `max` (or to their own maximum); "" for fewer than two. */
function spark(samples: number[] | undefined, max?: number): string {
  if (!samples || samples.length < 2) return "";
  const top = Math.max(max ?? 0, ...samples, 1e-9);
  const step = 100 / (samples.length - 1);
  return samples.map((v, i) => `${(i * step).toFixed(1)},${(24 - (Math.min(v, top) / top) * 22).toFixed(1)}`).join(" ");
}

function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

function duration(s: number): string {
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = Math.floor(s % 60);
  return h ? `${h}h ${m}m` : m ? `${m}m ${sec}s` : `${sec}s`;
}

function isFigures(m: unknown): m is Figures {
  const f = m as Figures;
  return !!f && typeof f === "object" && [f.at, f.cpu, f.rss, f.heapUsed, f.heapTotal, f.loopP50, f.loopP99].every((n) => typeof n === "number" && Number.isFinite(n));
}
