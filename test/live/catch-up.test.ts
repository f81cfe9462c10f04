// Catch-up (issue 11): a page's component opened late, from a token signed before the last change,
// or resumed from its session after changes it missed, shows what a fresh mount would show. Run
// with the demo's own board, as a user's app would have it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Board, BOARD_TOPIC, MemoryBoardRepo } from "../../components/index.js";
import { Registry } from "../../server/core/registry.js";
import { startServer, TestClient } from "../support/ws-client.js";

const registry = new Registry();
registry.register("board", Board);
const board = new MemoryBoardRepo();
const srv = await startServer({ registry, services: { board } });
test.after(() => srv.stop());

test("a board opened from a token older than the last change shows the current items", async () => {
  await board.add("first");
  const embed = await srv.hotline.live("board");
  const token = /hl-state="([^"]+)"/.exec(embed)![1]!;
  assert.match(embed, "first");
  // The page is closed (nobody listens); meanwhile someone adds an item and announces it.
  await board.add("second");
  await srv.hotline.pubsub.publish(BOARD_TOPIC, { at: Date.now() });
  const c = await TestClient.open(srv.url);
  const ok = await c.join("b", "board", { state: token });
  assert.is(ok.t, "ok");
  assert.match(ok.html, "first");
  assert.match(ok.html, "second", "the change made while the page was closed");
  c.close();
});

test("a board resumed from its session after a change it missed shows it", async () => {
  const a = await TestClient.open(srv.url);
  const ok = await a.join("b", "board", { state: /hl-state="([^"]+)"/.exec(await srv.hotline.live("board"))![1] });
  a.close();
  await new Promise((r) => setTimeout(r, 50));
  await board.add("third");
  await srv.hotline.pubsub.publish(BOARD_TOPIC, { at: Date.now() });
  const b = await TestClient.open(srv.url);
  const back = await b.join("b", "board", { session: ok.session });
  assert.is(back.t, "ok");
  assert.match(back.html, "third");
  b.close();
});

test.run();
