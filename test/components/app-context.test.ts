// Two apps in one process serve the same component classes with different services
// (createHotline({ services }) -> this.services): each over its own real HTTP server, joined over
// real WebSockets and called over HTTP POST, renders from its own app's services only.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Board } from "../../components/board.js";
import { MemoryBoardRepo } from "../../components/board-repo.js";
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import { startServer, TestClient } from "../support/ws-client.js";

declare module "hotline" {
  interface HotlineServices {
    /** Read by this file's Greeting. */
    greeting?: string;
  }
}

/** Not shared: one instance per viewer, each reading its app's greeting. */
class Greeting extends Component<{ text: string }> {
  mount(): void {
    this.state.text = this.services.greeting ?? "(no greeting service)";
  }
  render() {
    return html`<p class="greeting">${this.state.text}</p>`;
  }
}

const registry = new Registry();
registry.register("board", Board);
registry.register("greeting", Greeting);

const boardA = new MemoryBoardRepo();
const boardB = new MemoryBoardRepo();
await boardA.add("milk, from app A");
await boardB.add("bread, from app B");
const a = await startServer({ registry, services: { board: boardA, greeting: "Hello from A" } });
const b = await startServer({ registry, services: { board: boardB, greeting: "Bonjour de B" } });

const post = async (base: string, name: string) => {
  const res = await fetch(`${base}/components/${name}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  assert.is(res.status, 200);
  return ((await res.json()) as { html: string }).html;
};

test("the same shared Board joined over WebSockets on two apps shows each app's own board", async () => {
  const ca = await TestClient.open(a.url);
  const cb = await TestClient.open(b.url);
  try {
    const okA = await ca.join("board", "board");
    const okB = await cb.join("board", "board");
    assert.is(okA.t, "ok");
    assert.is(okB.t, "ok");
    assert.match(okA.html as string, "milk, from app A");
    assert.not.match(okA.html as string, "bread, from app B");
    assert.match(okB.html as string, "bread, from app B");
    assert.not.match(okB.html as string, "milk, from app A");

    // a change in app A is written to A's board only: B's viewers and B's repo never see it
    const answer = await ca.event("board", "add", { text: "eggs, added in app A" });
    assert.is(answer.t, "patch");
    assert.equal((await boardA.list()).map((i) => i.text), ["milk, from app A", "eggs, added in app A"]);
    assert.equal((await boardB.list()).map((i) => i.text), ["bread, from app B"]);
    const late = await TestClient.open(b.url);
    const okLate = await late.join("board", "board");
    assert.not.match(okLate.html as string, "eggs");
    late.close();
  } finally {
    ca.close();
    cb.close();
  }
});

test("a component per viewer reads its app's services, over WebSockets and in live() embeds", async () => {
  const ca = await TestClient.open(a.url);
  const cb = await TestClient.open(b.url);
  try {
    assert.match((await ca.join("g", "greeting")).html as string, "Hello from A");
    assert.match((await cb.join("g", "greeting")).html as string, "Bonjour de B");
  } finally {
    ca.close();
    cb.close();
  }
  assert.match(await a.hotline.live("greeting"), "Hello from A");
  assert.match(await b.hotline.live("greeting"), "Bonjour de B");
});

test("over HTTP POST, each app renders from its own services", async () => {
  const boardHtmlA = await post(a.http, "board");
  const boardHtmlB = await post(b.http, "board");
  assert.match(boardHtmlA, "milk, from app A");
  assert.not.match(boardHtmlA, "bread");
  assert.match(boardHtmlB, "bread, from app B");
  assert.not.match(boardHtmlB, "milk");
  assert.match(await post(a.http, "greeting"), "Hello from A");
  assert.match(await post(b.http, "greeting"), "Bonjour de B");
});

test.after(async () => {
  await a.stop();
  await b.stop();
});

test.run();
