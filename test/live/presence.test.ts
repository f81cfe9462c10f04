// Presence in components, over real WebSockets: track in onJoin and in events, onPresence, the list
// while rendering, tabs of one user counted once, leaves on disconnect, a shared component that
// renders a presence change once for all its viewers, and presence across two processes.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { MemoryPresence } from "../../pubsub/presence-memory.js";
import { MemoryPubSub } from "../../pubsub/memory.js";
import { Component } from "../../server/core/component.js";
import type { PresenceDiff } from "../../server/core/presence.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import type { HotlineOptions } from "../../server/hotline.js";
import { startServer, TestClient, sleep } from "../support/ws-client.js";

type U = { id: string; name: string };
const registry = new Registry();

/** Who is on the room: a shared component, one render per change for every viewer. */
class Room extends Component<{ n: number }> {
  static shared = true;
  static renders = 0;
  static diffs: PresenceDiff[] = [];
  mount() {
    this.state.n = 0;
  }
  onJoin() {
    const u = this.user as U | null;
    this.track("room", { name: u?.name ?? "guest" });
  }
  onTyping() {
    const u = this.user as U;
    this.track("room", { name: u.name, typing: true });
  }
  onQuiet() {
    this.untrack("room");
  }
  onPresence(_topic: string, diff: PresenceDiff) {
    Room.diffs.push(diff);
  }
  render() {
    Room.renders++;
    const list = this.presence("room");
    const who = Object.keys(list).sort().map((k) => {
      const metas = list[k]!.metas;
      const typing = metas.some((m) => m.meta.typing) ? " typing" : "";
      return `${metas[0]!.meta.name}x${metas.length}${typing}`;
    });
    return html`<p>${who.join(", ")}</p>`;
  }
}
registry.register("room", Room);

/** A private component that tracks its one viewer and follows another topic without being on it. */
class Desk extends Component<{ seen: number }> {
  mount() {
    this.state.seen = 0;
  }
  onJoin() {
    this.track("desk", { at: "desk" });
    this.followPresence("room");
  }
  onPresence() {
    this.state.seen++;
  }
  render() {
    const line = `${Object.keys(this.presence("room")).sort().join(",")}|${Object.keys(this.presence("desk")).length}`;
    return html`<p>${line}</p>`;
  }
}
registry.register("desk", Desk);

const authenticate = (req: { headers: Record<string, unknown> }) => {
  const h = req.headers["x-user"];
  return typeof h === "string" ? (JSON.parse(h) as U) : null;
};
const as = (url: string, u?: U) => TestClient.open(url, u ? { headers: { "x-user": JSON.stringify(u) } } : {});
const ADA = { id: "ada", name: "Ada" };
const BOB = { id: "bob", name: "Bob" };

/** Waits until the last frame for `id` shows exactly `text` (the room's one slot, or the join's html). */
async function shows(c: TestClient, id: string, text: string): Promise<void> {
  const now = () => {
    const m = c.log.filter((x) => x.id === id && (x.t === "ok" || (x.t === "patch" && "0" in x))).at(-1);
    return m ? (m.t === "ok" ? String(m.r?.[1] ?? "") : String(m["0"])) : undefined;
  };
  for (let i = 0; i < 150; i++) {
    if (now() === text) return;
    await sleep(20);
  }
  throw new Error(`never showed "${text}"; shows "${now()}"`);
}

const s = suite("presence in components");
let srv: Awaited<ReturnType<typeof startServer>>;
s.before(async () => {
  srv = await startServer({ registry, authenticate } as HotlineOptions);
});
s.after(() => srv.stop());

s("viewers tracked in onJoin see each other; two tabs of one user count once with two metas", async () => {
  const a1 = await as(srv.url, ADA);
  await a1.join("r", "room");
  await shows(a1, "r", "Adax1");
  const b = await as(srv.url, BOB);
  await b.join("r", "room");
  await shows(b, "r", "Adax1, Bobx1");
  await shows(a1, "r", "Adax1, Bobx1");
  const a2 = await as(srv.url, ADA);
  await a2.join("r", "room");
  await shows(b, "r", "Adax2, Bobx1");
  a2.close();
  await shows(b, "r", "Adax1, Bobx1");
  a1.close();
  await shows(b, "r", "Bobx1");
  await sleep(20);
  assert.equal(Object.keys(await srv.hotline.presence.list("room")), ["bob"], "ada is gone from the list");
  b.close();
});

s("a shared component renders a presence change once for all its viewers", async () => {
  const viewers = await Promise.all(Array.from({ length: 8 }, (_, i) => as(srv.url, { id: `u${i}`, name: `U${i}` })));
  for (const [i, v] of viewers.entries()) await v.join("r", "room", { ref: i + 1 });
  const all = viewers.map((_, i) => `U${i}x1`).join(", ");
  for (const v of viewers) await shows(v, "r", all);
  await sleep(50);
  const before = Room.renders;
  const late = await as(srv.url, { id: "zed", name: "Zed" });
  await late.join("r", "room");
  for (const v of viewers) await shows(v, "r", `${all}, Zedx1`);
  // The join's own render, the presence change's: not one per viewer.
  assert.ok(Room.renders - before <= 3, `renders for one arrival seen by 9 viewers: ${Room.renders - before}`);
  for (const v of [...viewers, late]) v.close();
});

s("an event tracks its sender: typing shows for the others; untrack removes them", async () => {
  const a = await as(srv.url, ADA);
  const b = await as(srv.url, BOB);
  await a.join("r", "room");
  await b.join("r", "room");
  await shows(a, "r", "Adax1, Bobx1");
  await b.event("r", "typing");
  await shows(a, "r", "Adax1, Bobx1 typing");
  await b.event("r", "quiet");
  await shows(a, "r", "Adax1");
  a.close();
  b.close();
});

s("a private component tracks its viewer, follows another topic, and hears onPresence", async () => {
  const d = await as(srv.url, ADA);
  await d.join("d", "desk");
  await shows(d, "d", "|1");
  const r = await as(srv.url, BOB);
  await r.join("r", "room");
  await shows(d, "d", "bob|1");
  d.close();
  r.close();
});

s("presence across two processes sharing a presence seam", async () => {
  const presence = new MemoryPresence();
  const pubsub = new MemoryPubSub();
  const p1 = await startServer({ registry, authenticate, presence, pubsub } as HotlineOptions);
  const p2 = await startServer({ registry, authenticate, presence, pubsub } as HotlineOptions);
  try {
    const a = await as(p1.url, ADA);
    const b = await as(p2.url, BOB);
    await a.join("r", "room");
    await b.join("r", "room");
    await shows(a, "r", "Adax1, Bobx1");
    await shows(b, "r", "Adax1, Bobx1");
    b.close();
    await shows(a, "r", "Adax1");
    a.close();
  } finally {
    await p1.stop();
    await p2.stop();
    await presence.close();
  }
});

s.run();
