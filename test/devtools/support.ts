// Opens the devtools inspector the way the browser does, over a raw WebSocket: the page from its
// route, then a join of each embedded component with the page's signed state, applying every
// patch to a tree (client/rendered.ts) so that a test reads what the page would show.
import { Rendered } from "../../client/rendered.js";
import { TestClient, type Msg } from "../support/ws-client.js";

export interface Embed {
  name: string;
  id: string;
  state: string;
}

/** The live components a page embeds (what the browser client would join). */
export function embeds(page: string): Embed[] {
  return [...page.matchAll(/<div hl-component="([^"]+)" hl-id="([^"]+)" hl-state="([^"]+)">/g)].map((m) => ({ name: m[1]!, id: m[2]!, state: m[3]! }));
}

export class Inspector {
  readonly client: TestClient;
  readonly #trees = new Map<string, Rendered>();
  readonly #changed: (() => void)[] = [];

  private constructor(client: TestClient) {
    this.client = client;
    client.ws.on("message", (data) => {
      const m = JSON.parse(String(data)) as Msg;
      if (m.t === "ok" && m.id !== undefined) this.#trees.set(m.id, Rendered.fromJoin(m));
      const tree = m.id === undefined ? undefined : this.#trees.get(m.id);
      if (m.t === "patch" && tree) tree.apply(m);
      for (const f of this.#changed.splice(0)) f();
    });
  }

  /** Fetches the page at `http` + path and joins its components on `ws`; throws on a non-200. */
  static async open(http: string, ws: string, headers: Record<string, string> = {}, path = "/hotline/devtools"): Promise<Inspector> {
    const res = await fetch(http + path, { headers });
    const page = await res.text();
    if (res.status !== 200) throw new Error(`the inspector page answered ${res.status}: ${page}`);
    const found = embeds(page);
    if (found.length !== 2) throw new Error(`the page embeds ${found.length} components:\n${page}`);
    const inspector = new Inspector(await TestClient.open(ws, { headers }));
    for (const e of found) {
      const ok = await inspector.client.join(e.id, e.name, { state: e.state });
      if (ok.t !== "ok") throw new Error(`joining ${e.name} failed: ${JSON.stringify(ok)}`);
    }
    return inspector;
  }

  html(id: string): string {
    const tree = this.#trees.get(id);
    if (!tree) throw new Error(`"${id}" is not joined`);
    return tree.toHTML();
  }

  get panel(): string {
    return this.html("devtools-panel");
  }

  get timeline(): string {
    return this.html("devtools-timeline");
  }

  /** Resolves once `id`'s HTML satisfies `pred`; rejects with what it shows after `ms`. */
  async until(id: string, pred: (html: string) => boolean, ms = 8000, what = "the expected HTML"): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const h = this.html(id);
      if (pred(h)) return h;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} in ${ms} ms; it shows:\n${h}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.#changed.push(() => (clearTimeout(t), resolve()));
      });
    }
  }

  close(): void {
    this.client.close();
  }
}

/** The select buttons' `p` and `i` of the instances of `component` the panel lists on process `pid`. */
export function instanceRows(panel: string, component: string, pid: number): { p: string; i: string }[] {
  const rows = [...panel.matchAll(/<tr class="hdt-instance[^"]*" data-pid="(\d+)" data-component="([^"]+)" data-instance="([^"]+)">[\s\S]*?hl-value-p="([^"]+)" hl-value-i="([^"]+)"/g)];
  return rows.filter((m) => m[2] === component && Number(m[1]) === pid).map((m) => ({ p: m[4]!, i: m[5]! }));
}
