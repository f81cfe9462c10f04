// A presence change seen by 1,000 viewers of a shared component, against a plain publish that
// changes the same component by the same bytes: the time until every viewer has the patch
// (clients in a child process, which reports when the last one got it). The presence change is
// one more user arriving (track) or leaving (untrack) through the app's own presence seam.
// Run: node --conditions=hotline-source --import tsx bench/presence-fanout.ts
import { WebSocket } from "ws";
import { Component, html, Registry } from "hotline";
import { child, fmt, hotlineServer } from "./ws-support.js";
import { median } from "./measure.js";
import { round, summary } from "./summary.js";

const self = new URL(import.meta.url).pathname;
type Cmd = { open?: { url: string; n: number }; expect?: number; close?: boolean };

/** Shows who is in the room (a count), and a number a plain publish changes. */
class Room extends Component<{ score: number }> {
  static shared = true;
  static renders = 0;
  mount() {
    this.state.score = 0;
    this.subscribe("room:score");
  }
  onJoin() {
    this.followPresence("room");
  }
  onMessage(_t: string, m: unknown) {
    this.state.score = (m as { score: number }).score;
  }
  render() {
    Room.renders++;
    return html`<h1>${Object.keys(this.presence("room")).length} here, ${this.state.score}</h1>`;
  }
}

if (process.argv[2] === "client") {
  let socks: WebSocket[] = [];
  let left = 0;
  process.on("message", async (m: Cmd) => {
    if (m.close) {
      for (const s of socks) s.terminate();
      socks = [];
      return process.send!("closed");
    }
    if (m.expect) {
      left = m.expect;
      return process.send!("armed");
    }
    const { url, n } = m.open!;
    for (let i = 0; i < n; i += 200) {
      await Promise.all(Array.from({ length: Math.min(200, n - i) }, async () => {
        const ws = new WebSocket(url, { perMessageDeflate: false });
        await new Promise((r) => ws.once("open", r));
        ws.send(JSON.stringify({ t: "join", ref: 1, id: "room", name: "room" }));
        await new Promise((r) => ws.once("message", r));
        ws.on("message", (d) => {
          JSON.parse(String(d));
          if (--left === 0) process.send!("all");
        });
        socks.push(ws);
      }));
    }
    process.send!("ready");
  });
} else {
  const registry = new Registry();
  registry.register("room", Room);
  const kid = child(self, ["client"]);
  const hot = await hotlineServer({ registry, maxBufferedBytes: 64 * 1024 * 1024 });
  const N = Number(process.env.VIEWERS ?? 1000);
  const CHANGES = Number(process.env.CHANGES ?? 11);
  kid.send({ open: { url: hot.url, n: N } });
  await kid.next();
  await new Promise((r) => setTimeout(r, 300));
  const presence: number[] = [];
  const publish: number[] = [];
  let presenceRenders = 0;
  let score = 0;
  const refs: string[] = [];
  // Alternating blocks, so that both kinds see the same machine.
  for (let block = 0; block < 4; block++) {
    for (let i = 0; i < CHANGES; i++) {
      kid.send({ expect: N });
      await kid.next();
      const before = Room.renders;
      const t0 = performance.now();
      // arrivals then departures, so the room's size (and the patch's bytes) stay alike
      if (block % 2 === 0) refs.push(await hot.hotline.presence.track("room", `user-${block}-${i}`, { name: `User ${i}` }));
      else await hot.hotline.presence.untrack("room", refs.shift()!);
      await kid.next();
      presence.push(performance.now() - t0);
      presenceRenders += Room.renders - before;
    }
    for (let i = 0; i < CHANGES; i++) {
      kid.send({ expect: N });
      await kid.next();
      const t0 = performance.now();
      await hot.hotline.pubsub.publish("room:score", { score: ++score });
      await kid.next();
      publish.push(performance.now() - t0);
    }
  }
  console.log(`a presence change to ${N} viewers of a shared component, against a plain publish that changes it alike (medians of ${presence.length} changes each)`);
  console.log(`presence ${fmt(median(presence), 2)} ms | publish ${fmt(median(publish), 2)} ms | ${fmt(median(presence) / median(publish), 2)}x | renders per presence change: ${fmt(presenceRenders / presence.length, 2)}`);
  console.log("goal: <= 1.25x the plain publish");
  summary("presence-fanout", { viewers: N, presence_ms: round(median(presence)), publish_ms: round(median(publish)), ratio: round(median(presence) / median(publish)), renders_per_presence_change: round(presenceRenders / presence.length, 2) });
  kid.send({ close: true });
  await kid.next();
  kid.kill();
  await hot.stop();
}
