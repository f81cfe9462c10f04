// Uploads over a real WebSocket (docs/uploads.md): announce, chunks with acks inside the window,
// progress and completion in the component, consumeUploads with an intact file, cancel from either
// side, external uploads, and temp files that go with their entry, their component and their connection.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestClient } from "../support/ws-client.js";
import { Component } from "../../server/core/component.js";
import { html } from "../../server/core/template/template.js";
import { TempFile } from "../../server/live/uploads/temp-file.js";
import { announce, chunkFrame, made, registry, sendFile, serve, sha256, tempFiles, until } from "./uploads-support.js";

const test = suite("uploads");
let s: Awaited<ReturnType<typeof serve>>;
test.before(async () => {
  s = await serve();
});
test.after(async () => {
  await s.stop();
});

test("a file uploads in acknowledged chunks, shows its progress, and reaches consumeUploads intact", async () => {
  const c = await TestClient.open(s.url);
  await c.join("a1", "avatar");
  const me = made.at(-1)!;
  const bytes = randomBytes(300_000);
  const a = await announce(c, "a1", "avatar", [{ name: "me.png", size: bytes.length, type: "image/png" }]);
  assert.is(a.t, "upload");
  assert.is(a.chunk, 16_000, "the component's chunk size (under the frame limit)");
  assert.is(a.window, 4 * 1024 * 1024);
  const entry = a.entries[0].entry as number;
  assert.ok(Number.isInteger(entry) && !a.entries[0].errors);
  assert.is(me.uploads.avatar!.entries.length, 1);
  assert.equal(tempFiles(s.tempDir).length, 1, "one temp file for the entry");
  // Half, then a render shows progress between 0 and 100.
  await sendFile(c, entry, bytes.subarray(0, 144_000), 16_000, 64_000);
  await until(() => me.uploads.avatar!.entries[0]!.progress === 48, 5000, "progress 48");
  await c.next((m) => m.t === "patch" && !m.ref && JSON.stringify(m).includes("48"), 5000);
  // The rest (a sender that offsets from where it left off).
  let sent = 144_000;
  while (sent < bytes.length) {
    const n = Math.min(16_000, bytes.length - sent);
    c.send(chunkFrame(entry, sent, bytes.subarray(sent, sent + n)), true);
    sent += n;
  }
  await c.next((m) => m.t === "upload_ack" && m.at === bytes.length, 5000);
  await until(() => me.uploads.avatar!.entries[0]!.done, 5000, "done");
  assert.is(me.uploads.avatar!.entries[0]!.progress, 100);
  const path = tempFiles(s.tempDir)[0]!;
  const saved = await c.event("a1", "save");
  assert.is(saved.t, "patch");
  assert.is(me.received.length, 1);
  assert.is(me.received[0]!.hash, sha256(bytes), "the bytes arrive intact");
  assert.equal({ ...me.received[0]!.file, path: undefined }, { name: "me.png", size: bytes.length, type: "image/png", path: undefined });
  assert.is(me.received[0]!.file.path, path);
  assert.not.ok(existsSync(path), "the temp file is deleted once consumed");
  assert.is(me.uploads.avatar!.entries.length, 0, "the entry is gone");
  assert.equal(c.all((m) => m.t === "error"), []);
  c.close();
});

test("refusals: type, size and count are errors of the entries (and the upload) before any byte", async () => {
  const c = await TestClient.open(s.url);
  await c.join("a2", "avatar", { params: {} });
  const me = made.at(-1)!;
  const a = await announce(c, "a2", "avatar", [
    { name: "x.gif", size: 10, type: "image/gif" },
    { name: "huge.png", size: 5_000_000, type: "image/png" },
  ]);
  assert.ok(/not an accepted file type/.test(a.entries[0].errors[0]));
  assert.ok(/too large: 5\.0 MB \(at most 2\.0 MB\)/.test(a.entries[1].errors[0]));
  assert.equal(tempFiles(s.tempDir), [], "no temp file for a refused entry");
  await until(() => me.uploads.avatar!.entries.length === 2);
  await c.next((m) => m.t === "patch" && JSON.stringify(m).includes("not an accepted file type"));
  // A chunk for a refused entry is refused.
  c.send(chunkFrame(a.entries[0].entry, 0, Buffer.from("GIF89a")), true);
  const e = await c.next((m) => m.t === "error");
  assert.is(e.code, "bad_message");
  // The next choice clears the old refusals; one file at a time (maxEntries 1) means two good ones are too many.
  const b = await announce(c, "a2", "avatar", [{ name: "a.png", size: 5 }, { name: "b.JPG", size: 5, type: "image/jpeg" }]);
  assert.ok(b.entries[0].entry && !b.entries[0].errors);
  assert.ok(!b.entries[1].entry && /too many files \(at most 1\)/.test(b.entries[1].errors[0]));
  assert.is(me.uploads.avatar!.entries.length, 1);
  assert.equal(me.uploads.avatar!.errors, ["too many files (at most 1)"]);
  c.close();
});

test("with maxEntries 1 a new file replaces the one held (its temp file goes, its sender is told)", async () => {
  const c = await TestClient.open(s.url);
  await c.join("a3", "avatar");
  const first = await announce(c, "a3", "avatar", [{ name: "1.png", size: 100_000 }]);
  await until(() => tempFiles(s.tempDir).length === 1);
  const second = await announce(c, "a3", "avatar", [{ name: "2.png", size: 10 }]);
  const told = await c.next((m) => m.t === "upload_cancel");
  assert.is(told.entry, first.entries[0].entry);
  assert.is(told.id, "a3");
  await until(() => tempFiles(s.tempDir).length === 1, 3000, "the old temp file deleted");
  await sendFile(c, second.entries[0].entry, Buffer.from("0123456789"), 16_000, 1 << 20);
  c.close();
  await until(() => tempFiles(s.tempDir).length === 0, 3000, "temp files deleted on close");
});

test("a re-declared upload keeps its entries in progress: a new file still replaces the one held", async () => {
  class Redeclare extends Component<{ n: number }> {
    mount() {
      this.state.n = 0;
      this.allowUpload("f", { maxFileSize: 1000 });
    }
    onRedeclare() {
      this.state.n += 1;
      this.allowUpload("f", { maxFileSize: 200_000 });
    }
    render() {
      return html`<p>${this.state.n} ${this.uploads.f!.entries.map((e) => e.name).join(",")}</p>`;
    }
  }
  registry.register("redeclare", Redeclare);
  const c = await TestClient.open(s.url);
  await c.join("r1", "redeclare");
  const first = await announce(c, "r1", "f", [{ name: "1.bin", size: 500 }]);
  await c.event("r1", "redeclare");
  const second = await announce(c, "r1", "f", [{ name: "2.bin", size: 100_000 }]);
  assert.ok(!second.entries[0].errors, "the new options hold");
  const told = await c.next((m) => m.t === "upload_cancel");
  assert.is(told.entry, first.entries[0].entry);
  await until(() => tempFiles(s.tempDir).length === 1, 3000, "the old temp file deleted");
  c.close();
  await until(() => tempFiles(s.tempDir).length === 0, 3000, "temp files deleted on close");
});

test("cancel: the client's upload_cancel drops the entry and its file; its late chunks are ignored", async () => {
  const c = await TestClient.open(s.url);
  await c.join("a4", "avatar", { params: { max: 3 } });
  const me = made.at(-1)!;
  const a = await announce(c, "a4", "avatar", [{ name: "1.png", size: 100_000 }, { name: "2.png", size: 100 }]);
  const [e1, e2] = [a.entries[0].entry, a.entries[1].entry];
  c.send(chunkFrame(e1, 0, randomBytes(16_000)), true);
  await c.next((m) => m.t === "upload_ack" && m.entry === e1);
  c.send({ t: "upload_cancel", id: "a4", entry: e1 });
  c.send(chunkFrame(e1, 16_000, randomBytes(16_000)), true); // already on its way
  await until(() => me.uploads.avatar!.entries.length === 1 && tempFiles(s.tempDir).length === 1);
  assert.is(me.uploads.avatar!.entries[0]!.ref, String(e2));
  // The app cancels the other one: the client is told to stop.
  await c.event("a4", "drop", { ref: String(e2) });
  const told = await c.next((m) => m.t === "upload_cancel" && m.entry === e2);
  assert.is(told.id, "a4");
  await until(() => tempFiles(s.tempDir).length === 0);
  assert.equal(c.all((m) => m.t === "error"), [], "no error for the late chunk");
  c.close();
});

test("temp files go when the component leaves, and when the connection closes", async () => {
  const c = await TestClient.open(s.url);
  await c.join("l1", "avatar");
  await c.join("l2", "avatar");
  const a = await announce(c, "l1", "avatar", [{ name: "1.png", size: 20 }]);
  await sendFile(c, a.entries[0].entry, Buffer.alloc(20, 7), 16_000, 1 << 20);
  await announce(c, "l2", "avatar", [{ name: "2.png", size: 50_000 }]);
  assert.is(tempFiles(s.tempDir).length, 2);
  c.send({ t: "leave", id: "l1" });
  await until(() => tempFiles(s.tempDir).length === 1, 3000, "the leaving component's file deleted");
  c.close();
  await until(() => tempFiles(s.tempDir).length === 0, 3000, "the closed connection's file deleted");
});

test("external uploads: the answer carries the app's URL and fields, the client reports progress, consume gets meta", async () => {
  const c = await TestClient.open(s.url);
  await c.join("x1", "avatar");
  const me = made.at(-1)!;
  const a = await announce(c, "x1", "doc", [{ name: "report.pdf", size: 1234, type: "application/pdf" }]);
  const e = a.entries[0];
  assert.is(e.url, "http://s3.test/bucket");
  assert.equal(e.fields, { key: "up/report.pdf" });
  assert.equal(tempFiles(s.tempDir), [], "no temp file: the bytes go elsewhere");
  c.send(chunkFrame(e.entry, 0, Buffer.alloc(10)), true);
  assert.is((await c.next((m) => m.t === "error")).code, "bad_message", "no chunks for an external entry");
  c.send({ t: "upload_progress", id: "x1", entry: e.entry, progress: 40 });
  await until(() => me.uploads.doc!.entries[0]!.progress === 40);
  c.send({ t: "upload_progress", id: "x1", entry: e.entry, progress: 100 });
  await until(() => me.uploads.doc!.entries[0]!.done);
  await c.event("x1", "save");
  assert.equal(me.received.at(-1)!.file, { name: "report.pdf", size: 1234, type: "application/pdf", meta: { key: "up/report.pdf" } });
  // A failure reported by the client becomes the entry's error.
  const b = await announce(c, "x1", "doc", [{ name: "b.pdf", size: 1 }]);
  c.send({ t: "upload_progress", id: "x1", entry: b.entries[0].entry, progress: -1 });
  await until(() => me.uploads.doc!.entries[0]?.errors[0] === "the upload failed");
  c.close();
});

test("a temp file takes writes queued at any moment (while a write is on disk, or just as it ends) in order", async () => {
  const f = await TempFile.create(s.tempDir);
  const bytes = randomBytes(400 * 1000);
  const writes: Promise<void>[] = [];
  for (let i = 0; i < 400; i++) {
    writes.push(f.write(bytes.subarray(i * 1000, (i + 1) * 1000), i * 1000));
    // some in one turn, some a microtask or a macrotask apart: the flush loop ends between them
    if (i % 7 === 0) await Promise.resolve();
    if (i % 13 === 0) await new Promise((r) => setImmediate(r));
  }
  await Promise.all(writes);
  await f.close();
  assert.is(sha256((await import("node:fs")).readFileSync(f.path)), sha256(bytes));
  await f.remove();
  assert.not.ok(existsSync(f.path));
});

test("the process's upload directory is removed when the process exits, with the temp files left in it", () => {
  const base = mkdtempSync(join(tmpdir(), "hotline-upload-exit-"));
  const module = new URL("../../server/live/uploads/temp-file.ts", import.meta.url).pathname;
  const code = `import { uploadDir, TempFile } from ${JSON.stringify(module)};
    const dir = await uploadDir(${JSON.stringify(base)});
    const f = await TempFile.create(dir);
    await f.write(new Uint8Array(10), 0);
    console.log(dir);
    process.exit(0);`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout.trim(), /hotline-uploads-\d+-/, "it made its directory");
  assert.equal(readdirSync(base), [], "gone at exit, its file with it");
  rmSync(base, { recursive: true, force: true });
});

test.run();
