// Hostile upload traffic over a real WebSocket (docs/uploads.md, docs/limits.md): binary frames
// outside an upload, wrong refs, offsets out of order, chunks past the announced size, too many
// entries, a client ignoring its window; each gets a clear error and never a crash, and the
// entry's temp file goes.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { TestClient } from "../support/ws-client.js";
import { announce, chunkFrame, made, serve, sha256, tempFiles, until } from "./uploads-support.js";

const test = suite("uploads: hostile clients");
let s: Awaited<ReturnType<typeof serve>>;
test.before(async () => {
  s = await serve({ uploads: { maxEntriesPerConnection: 3, maxUploadBytes: 3_000_000, maxInFlightBytes: 64 * 1024 } });
});
test.after(async () => {
  await s.stop();
});

const pong = async (c: TestClient) => assert.is((await c.request({ t: "ping" })).t, "pong");

test("a binary frame outside an upload is bad_message; the connection stays", async () => {
  const c = await TestClient.open(s.url);
  c.send(chunkFrame(1, 0, Buffer.from("hi")), true);
  const e = await c.next((m) => m.t === "error");
  assert.is(e.code, "bad_message");
  await pong(c);
  // With uploads going on, a frame that is not a chunk, and a chunk for a ref nobody announced.
  await c.join("h1", "avatar");
  await announce(c, "h1", "avatar", [{ name: "a.png", size: 100 }]);
  c.send(Buffer.from([9, 9, 9]), true);
  assert.match((await c.next((m) => m.t === "error")).message, /upload chunks only/);
  c.send(chunkFrame(0xfffffff0, 0, Buffer.from("x")), true);
  assert.match((await c.next((m) => m.t === "error")).message, /no upload entry with this ref/);
  await pong(c);
  c.close();
});

test("offsets out of order, an empty chunk, a chunk past the size and crumbs drop the entry with an error", async () => {
  const c = await TestClient.open(s.url);
  await c.join("h2", "avatar", { params: { max: 4 } });
  const me = made.at(-1)!;
  const a = await announce(c, "h2", "avatar", [{ name: "1.png", size: 40_000 }, { name: "2.png", size: 100 }, { name: "3.png", size: 100 }]);
  const [e1, e2, e3] = a.entries.map((x: { entry: number }) => x.entry);
  c.send(chunkFrame(e1, 0, randomBytes(16_000)), true);
  await c.next((m) => m.t === "upload_ack" && m.entry === e1);
  c.send(chunkFrame(e1, 32_000, randomBytes(8_000)), true); // skips 16,000 bytes
  const err = await c.next((m) => m.t === "error");
  assert.is(err.code, "bad_message");
  assert.match(err.message, /where the last one ended \(byte 16000\)/);
  assert.is((await c.next((m) => m.t === "upload_cancel")).entry, e1);
  c.send(chunkFrame(e2, 0, new Uint8Array(0)), true);
  assert.is((await c.next((m) => m.t === "error")).code, "bad_message");
  c.send(chunkFrame(e3, 0, randomBytes(101)), true);
  const big = await c.next((m) => m.t === "error");
  assert.is(big.code, "too_large");
  await until(() => me.uploads.avatar!.entries.every((e) => e.errors[0] === "the upload failed"), 3000, "three failed entries");
  // Crumbs: a small chunk that does not end the file.
  const e4 = (await announce(c, "h2", "avatar", [{ name: "4.png", size: 5000 }])).entries[0].entry;
  c.send(chunkFrame(e4, 0, randomBytes(10)), true);
  const crumb = await c.next((m) => m.t === "error");
  assert.is(crumb.code, "bad_message");
  assert.match(crumb.message, /at least 1024 bytes/);
  await until(() => me.uploads.avatar!.entries.every((e) => e.errors[0] === "the upload failed"), 3000, "the fourth failed too");
  await until(() => tempFiles(s.tempDir).length === 0, 3000, "their files deleted");
  await pong(c);
  c.close();
});

test("too many files in one message, on one connection, or too many bytes in one upload", async () => {
  const c = await TestClient.open(s.url);
  await c.join("h3", "avatar", { params: { max: 50 } });
  const many = Array.from({ length: 101 }, (_, i) => ({ name: `${i}.png`, size: 1 }));
  assert.is((await announce(c, "h3", "avatar", many)).code, "bad_message");
  const a = await announce(c, "h3", "avatar", Array.from({ length: 4 }, (_, i) => ({ name: `${i}.png`, size: 1 })));
  assert.equal(a.entries.map((e: { errors?: string[] }) => !e.errors), [true, true, true, false], "three per connection");
  assert.match(a.entries[3].errors[0], /too many uploads at once/);
  c.close();
  const d = await TestClient.open(s.url);
  await d.join("h4", "avatar", { params: { max: 50 } });
  const b = await announce(d, "h4", "avatar", [{ name: "a.png", size: 1_900_000 }, { name: "b.png", size: 1_900_000 }]);
  assert.ok(!b.entries[0].errors);
  assert.match(b.entries[1].errors[0], /too large in all/);
  // Not a message the protocol knows: bad fields.
  assert.is((await d.request({ t: "upload", id: "h4", name: "avatar", entries: [{ name: "x", size: -1 }] })).code, "bad_message");
  assert.is((await d.request({ t: "upload", id: "h4", name: "nope", entries: [{ name: "x", size: 1 }] })).code, "bad_message");
  assert.is((await d.request({ t: "upload", id: "zz", name: "avatar", entries: [{ name: "x", size: 1 }] })).code, "not_joined");
  assert.is((await d.request({ t: "upload_progress", id: "h4", entry: b.entries[0].entry, progress: 50 })).code, "bad_message", "progress is for external entries");
  d.close();
});

test("a client that ignores its window is not read until the writes catch up; every byte lands in order", async () => {
  const c = await TestClient.open(s.url);
  await c.join("h5", "avatar");
  const me = made.at(-1)!;
  const bytes = randomBytes(1_500_000);
  const a = await announce(c, "h5", "avatar", [{ name: "w.png", size: bytes.length }]);
  assert.is(a.window, 64 * 1024);
  const e = a.entries[0].entry;
  for (let o = 0; o < bytes.length; o += 16_000) c.send(chunkFrame(e, o, bytes.subarray(o, o + 16_000)), true);
  await c.next((m) => m.t === "upload_ack" && m.at === bytes.length, 20_000);
  await until(() => me.uploads.avatar!.entries[0]!.done);
  const path = tempFiles(s.tempDir)[0]!;
  assert.is(sha256(readFileSync(path)), sha256(bytes));
  assert.equal(c.all((m) => m.t === "error"), []);
  c.close();
});

test("a chunk sent before the answer (its ref guessed) is refused, never a crash", async () => {
  // Its own server, without a rate limit: the frames it sends until the answer are many.
  const own = await serve({ rateLimit: { perSecond: 1e6, burst: 1e6 } });
  const c = await TestClient.open(own.url);
  await c.join("h7", "avatar", { params: { max: 5 } });
  const first = await announce(c, "h7", "avatar", [{ name: "a.png", size: 10 }]);
  const guess = first.entries[0].entry + 1;
  let answered = false;
  const answer = announce(c, "h7", "avatar", [{ name: "b.png", size: 10 }]).then((m) => ((answered = true), m));
  // Again and again until the answer: some land while the entry's temp file is being made.
  for (let i = 0; !answered && i < 2000; i++) {
    c.send(chunkFrame(guess, 0, Buffer.alloc(1)), true);
    await new Promise((r) => setImmediate(r));
  }
  const b = await answer;
  assert.ok(b.entries[0].entry >= guess);
  await pong(c);
  assert.ok(c.all((m) => m.t === "error").every((e) => e.code === "bad_message"));
  c.close();
  await own.stop();
});

test("a chunk frame over the frame limit closes the connection with 1009", async () => {
  const c = await TestClient.open(s.url);
  await c.join("h6", "avatar");
  const a = await announce(c, "h6", "avatar", [{ name: "a.png", size: 200_000 }]);
  c.send(chunkFrame(a.entries[0].entry, 0, randomBytes(70_000)), true);
  assert.is((await c.closed).code, 1009);
  await until(() => tempFiles(s.tempDir).length === 0, 3000, "its file deleted");
});

test("a flood of bad binary frames is rate-limited, then closed", async () => {
  const c = await TestClient.open(s.url);
  for (let i = 0; i < 400 && c.ws.readyState === 1; i++) c.send(Buffer.from([1, 2]), true);
  const closed = await c.closed;
  assert.is(closed.code, 1008);
  assert.ok(c.all((m) => m.code === "rate_limited").length > 0);
});

test.run();
