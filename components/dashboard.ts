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
 * Live figures of the server, pushed every second. The render depends only on the published
 * figures (`shared`): one render per tick serves every viewer.
 *
 * @example
 * html`${await hotline.live("dashboard")}`
 */
@register("dashboard")
export class Dashboard extends Component<{ figures: Figures | null }> {
  static shared = true;

  mount(): void {
    this.subscribe(DASHBOARD_TOPIC);
    this.state.figures = latest;
  }

  onMessage(_topic: string, message: unknown): void {
    // A resync (message undefined) keeps the last figures: the next tick is a second away.
    if (!isFigures(message)) return;
    latest = message;
    this.state.figures = message;
  }

  render() {
    const f = this.state.figures;
    if (!f) return html`<div class="dashboard"><p class="muted">Waiting for the first figures… (is the publisher running?)</p></div>`;
    return html`<div class="dashboard">
  <div class="stats">
    ${stat("CPU", `${f.cpu.toFixed(1)} %`, spark(f.history?.cpu, 100))}
    ${stat("Memory (RSS)", mb(f.rss), null)}
    ${stat("Heap used", `${mb(f.heapUsed)} / ${mb(f.heapTotal)}`, null)}
    ${stat("Event-loop delay p50", `${f.loopP50.toFixed(2)} ms`, null)}
    ${stat("Event-loop delay p99", `${f.loopP99.toFixed(2)} ms`, spark(f.history?.loopP99))}
    ${f.sessions === undefined ? null : stat("Connected sessions", String(f.sessions), null)}
  </div>
  <p class="muted small">Process ${f.pid}, up ${duration(f.uptime)}; measured at <time datetime="${new Date(f.at).toISOString()}">${new Date(f.at).toISOString().slice(11, 19)}</time> UTC.</p>
</div>`;
  }
}

function stat(label: string, value: string, extra: unknown) {
  return html`<div class="stat"><div class="stat-label">${label}</div><div class="stat-value">${value}</div>${extra}</div>`;
}

/** An inline SVG polyline of the samples, scaled to `max` (or to their own maximum). */
function spark(samples: number[] | undefined, max?: number) {
  if (!samples || samples.length < 2) return null;
  const top = Math.max(max ?? 0, ...samples, 1e-9);
  const step = 100 / (samples.length - 1);
  const points = samples.map((v, i) => `${(i * step).toFixed(1)},${(24 - (Math.min(v, top) / top) * 22).toFixed(1)}`).join(" ");
  return html`<svg class="spark" viewBox="0 0 100 24" preserveAspectRatio="none" aria-hidden="true"><polyline points="${points}"></polyline></svg>`;
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
