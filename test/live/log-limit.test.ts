// The log summariser in front of every app's log (createHotline builds context.log with it).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { HotlineError } from "../../server/core/errors.js";
import { limitLog } from "../../server/live/log-limit.js";

function setup(options = {}) {
  const lines: unknown[][] = [];
  let t = 1_000_000;
  const log = limitLog((...args: unknown[]) => void lines.push(args), options, () => t);
  return { lines, log, advance: (ms: number) => (t += ms) };
}

test("the same message more than perMessage times in a window is written once more, as a summary", () => {
  const { lines, log, advance } = setup({ perMessage: 3, windowMs: 10_000 });
  const err = new Error("boom");
  for (let i = 0; i < 526; i++) log("join failed", err);
  assert.is(lines.length, 3);
  assert.is(lines[0]![1], err, "the first ones keep their error (and stack)");
  advance(10_000);
  log.flush();
  assert.is(lines.length, 4);
  assert.is(lines[3]![0], "join failed … and 523 more like it in the last 10 s (rate-limited and summarised)");
  log("join failed", err);
  assert.is(lines.length, 5, "a new window writes again");
});

test("a new window flushes the last one's summary first; other messages are counted apart", () => {
  const { lines, log, advance } = setup({ perMessage: 1, windowMs: 1000 });
  log("a");
  log("a");
  log("b");
  assert.equal(lines.map((l) => l[0]), ["a", "b"]);
  advance(1000);
  log("b");
  assert.equal(lines.map((l) => l[0]), ["a", "b", "a … and 1 more like it in the last 1 s (rate-limited and summarised)", "b"]);
});

test("all messages together are capped by total; distinct messages beyond maxMessages share one count", () => {
  const { lines, log, advance } = setup({ perMessage: 5, total: 20, maxMessages: 50, windowMs: 1000 });
  for (let i = 0; i < 10_000; i++) log(`message ${i}`);
  assert.is(lines.length, 20);
  advance(1000);
  log.flush();
  assert.ok(lines.length <= 20 + 51, String(lines.length));
});

test("a client's own fault is one line, never its stack; an app's keeps its error", () => {
  const { lines, log } = setup();
  log("bad frame", new HotlineError("bad_message", "a frame must be valid JSON"));
  assert.equal(lines[0], ["bad frame: bad_message: a frame must be valid JSON"]);
  const appErr = new HotlineError("handler_error", "failed", { fault: "app" });
  log("handler", appErr);
  assert.is(lines[1]![1], appErr);
});

test.run();
