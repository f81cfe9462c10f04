// Chromium on the demo's /stream and /htmx pages: rag_query streams one patch per stage over the
// WebSocket and one SSE frame per stage over fetch; the htmx counter works without the client.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { RagQuery } from "../../components/rag-query.js";
import { connected, demoInChromium, watchErrors } from "./support.js";

RagQuery.stageDelayMs = 30;
const ctx = demoInChromium(test);

test("/stream: one patch per stage over the WebSocket, then the SSE form's frames", async () => {
  const page = await ctx.signedIn.newPage();
  const errors = watchErrors(page);
  const failed: string[] = [];
  page.on("response", (r) => {
    if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) failed.push(`${r.status()} ${r.url()}`);
  });
  const patches: any[] = [];
  page.on("websocket", (ws) => ws.on("framereceived", (f) => {
    const m = JSON.parse(String(f.payload));
    if (m.t === "patch") patches.push(m);
  }));
  await page.goto(ctx.demo.url + "/stream");
  await connected(page);
  const live = page.locator('[hl-component="rag_query"]');
  await live.locator('input[name="query"]').fill("how is the state token signed");
  await live.getByRole("button", { name: "Ask" }).click();
  await live.locator('[data-stage="done"]').waitFor({ timeout: 10_000 });
  assert.ok((await live.locator("blockquote.rag-passage mark").count()) > 0, "query terms are highlighted");
  const ours = patches.filter((p) => p.ref === patches.at(-1).ref);
  assert.ok(ours.length >= 4, `${ours.length} patches for the event`);
  assert.is(ours.at(-1).done, true);
  assert.ok(ours.slice(0, -1).every((p) => !p.done));

  await page.getByRole("button", { name: "Stream over SSE" }).click();
  await page.waitForFunction(() => document.querySelectorAll(".sse-frames li").length >= 4 && document.querySelector(".sse-frames li:last-child")?.textContent?.includes("stream_done"));
  const lines = await page.locator(".sse-frames li").allTextContents();
  assert.equal(lines.map((l) => /stage (\w+)/.exec(l)?.[1]), ["retrieving", "ranking", "answering", "done"]);
  assert.is(await page.locator('.sse-view [data-stage="done"]').count(), 1);
  // one form per half: the SSE half's own, none inside the component's render there
  assert.equal(await page.locator("main section.card").evaluateAll((cards) => cards.map((c) => c.querySelectorAll("form").length)), [1, 1]);
  assert.is(await page.locator(".sse-view form").count(), 0);
  const text = (await page.locator("main").textContent()) ?? "";
  assert.not.match(text, /\]\(/, "no raw Markdown link");
  assert.equal(failed, []);
  assert.equal(errors.filter((e) => !e.startsWith("Failed to load resource")), []);
  await page.close();
});

test("/htmx: the demo counter over plain htmx, no client, no WebSocket", async () => {
  const page = await ctx.signedIn.newPage();
  const sockets: string[] = [];
  page.on("websocket", (ws) => sockets.push(ws.url()));
  await page.goto(ctx.demo.url + "/htmx");
  await page.locator(".counter-value").waitFor();
  await page.getByRole("button", { name: "Increment" }).click();
  await page.waitForFunction(() => document.querySelector(".counter-value")?.textContent?.includes("Count: 1"));
  assert.equal(sockets, []);
  assert.is(await page.locator('script[src="/hotline.js"]').count(), 0);
  await page.close();
});

test.run();
