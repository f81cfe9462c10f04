// hotline/testing: view.upload() uploads through the view's own UploadManager (the one a WebSocket
// connection makes): the server's checks land in the render, consumeUploads gets the bytes intact,
// progress renders, cancels drop the entry and its temp file.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Component, html } from "hotline";
import { live, createTestApp, type LiveView } from "hotline/testing";
import type { Hotline } from "hotline";
import { rejection } from "./refusals.js";

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** What each Photos' save received: name, type, size, hash, and whether the temp file existed then. */
const received: { name: string; type: string; size: number; hash: string; path: string }[] = [];

class Photos extends Component<{ saved: number }> {
  static uploads = { photo: { accept: [".png", "image/jpeg"], maxFileSize: 200_000, maxEntries: 2, chunkSize: 8_000 } };
  mount() {
    this.state.saved = 0;
  }
  async onSave() {
    await this.consumeUploads("photo", async (file) => {
      const bytes = await readFile(file.path!);
      received.push({ name: file.name, type: file.type, size: file.size, hash: sha256(bytes), path: file.path! });
    });
    this.state.saved += 1;
  }
  onDrop(p: { ref: string }) {
    this.cancelUpload("photo", p.ref);
  }
  render() {
    const u = this.uploads.photo!;
    return html`<form hl-submit="save"><input type="file" hl-upload="photo" accept="${u.accept}" multiple>
      <ul>${u.entries.map((e) => html`<li class="entry" data-ref="${e.ref}">${e.name} <span class="pct">${e.progress}%</span>${e.done ? " done" : ""}${e.errors.map((m) => html` <em class="error">${m}</em>`)}</li>`)}</ul>
      ${u.errors.map((m) => html`<p class="upload-error">${m}</p>`)}
      <div>${u.entries.map((e) => html`<button type="button" class="drop" hl-click="drop" hl-value-ref="${e.ref}">drop ${e.name}</button>`)}</div>
      <b class="saved">${this.state.saved}</b><button>Save</button></form>`;
  }
}

/** One file at a time (a new one replaces it), and an external upload. */
class Single extends Component<{ keys: unknown[] }> {
  static uploads = {
    one: { maxEntries: 1 },
    doc: { external: (f: { name: string }) => ({ url: "https://storage.test/bucket", fields: { key: `docs/${f.name}` }, meta: { key: `docs/${f.name}` } }) },
  };
  mount() {
    this.state.keys = [];
  }
  async onSave() {
    this.state.keys = await this.consumeUploads("doc", (f) => f.meta);
  }
  render() {
    const row = (e: { name: string; progress: number; done: boolean; errors: string[] }) => html`<li>${e.name} ${e.progress}%${e.done ? " done" : ""}${e.errors.map((m) => html` (${m})`)}</li>`;
    return html`<form hl-submit="save"><ul class="one">${this.uploads.one!.entries.map(row)}</ul><ul class="doc">${this.uploads.doc!.entries.map(row)}</ul><button>Save</button></form>`;
  }
}

/** A page holding a Photos child: the upload is the child's. */
class Album extends Component<{}> {
  render() {
    return html`<section>${this.child("photos", {}, "kid")}</section>`;
  }
}

class Shared extends Component<{}> {
  static shared = true;
  static uploads = { photo: {} };
  render() {
    return html`<p>shared</p>`;
  }
}

/** Resolves once `pred` holds (a temp file's deletion runs after the render), or fails after `ms`. */
async function until(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !pred(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

const test = suite("testing: uploads");
let tempDir: string;
let app: Hotline;
let view: LiveView<{ saved: number }>;

/** The temp files of the app's uploads (inside its per-process directory under tempDir). */
const tempFiles = () => (existsSync(tempDir) ? readdirSync(tempDir).flatMap((d) => readdirSync(join(tempDir, d)).map((f) => join(tempDir, d, f))) : []);
const texts = (sel: string) => view.find(sel).map((e) => e.textContent!.trim());

test.before.each(async () => {
  tempDir = mkdtempSync(join(tmpdir(), "hotline-testing-uploads-"));
  // a progress throttle far longer than any test: the progress render must come from view.upload()
  app = createTestApp({ components: { photos: Photos, shared: Shared, single: Single, album: Album }, uploads: { tempDir, progressMs: 60_000 } });
  view = await live(Photos, { app });
  received.length = 0;
});
test.after.each(async () => {
  await view.close();
  await app.close();
  rmSync(tempDir, { recursive: true, force: true });
});

test("a file lands, a submit's consumeUploads gets its bytes intact, and its temp file goes", async () => {
  const bytes = randomBytes(50_000);
  const up = await view.upload("photo", [{ name: "cat.png", type: "image/png", content: bytes }]);
  assert.equal(up.entries.map((e) => [e.name, e.errors, e.sent]), [["cat.png", [], 50_000]]);
  assert.equal(texts(".entry"), ["cat.png 100% done"]);
  assert.is(tempFiles().length, 1, "the entry's temp file holds it");
  await view.form("form").submit();
  assert.is(received.length, 1);
  assert.equal({ ...received[0], path: undefined }, { name: "cat.png", type: "image/png", size: 50_000, hash: sha256(bytes), path: undefined });
  assert.is(received[0]!.path, join(tempDir, readdirSync(tempDir)[0]!, received[0]!.path.split("/").pop()!), "the temp file is under the app's tempDir");
  assert.not.ok(existsSync(received[0]!.path), "consumed: the temp file is deleted");
  assert.equal(tempFiles(), []);
  assert.equal(texts(".entry"), [], "the entry is gone from the render");
  assert.is(view.element(".saved").text(), "1");
  assert.equal(view.errors, []);
});

test("a string's content is its UTF-8 bytes; two files at once", async () => {
  await view.upload("photo", [{ name: "a.png", type: "image/png", content: "héllo" }, { name: "b.jpg", type: "image/jpeg", content: Buffer.alloc(3000, 7) }]);
  await view.form("form").submit();
  assert.equal(received.map((r) => [r.name, r.size, r.hash]), [["a.png", 6, sha256(Buffer.from("héllo"))], ["b.jpg", 3000, sha256(Buffer.alloc(3000, 7))]]);
});

test("a too-large file and a wrong type: their errors in the render, no byte sent, no temp file", async () => {
  const up = await view.upload("photo", [
    { name: "huge.png", type: "image/png", content: Buffer.alloc(300_000) },
    { name: "anim.gif", type: "image/gif", content: "GIF89a" },
  ]);
  assert.equal(up.entries.map((e) => e.sent), [0, 0]);
  assert.match(up.entries[0]!.errors[0]!, /too large: 300 kB \(at most 200 kB\)/);
  assert.match(up.entries[1]!.errors[0]!, /not an accepted file type/);
  const errs = texts(".entry .error");
  assert.is(errs.length, 2);
  assert.match(errs[0]!, /too large/);
  assert.match(errs[1]!, /not an accepted file type \(\.png, image\/jpeg\)/);
  assert.equal(tempFiles(), []);
  await view.form("form").submit();
  assert.equal(received, [], "refused entries are never consumed");
});

test("maxEntries: a file past it is not listed, and the upload's error says so", async () => {
  const up = await view.upload("photo", ["1", "2", "3"].map((n) => ({ name: `${n}.png`, type: "image/png", content: `file ${n}` })));
  assert.equal(up.entries.map((e) => [e.name, e.ref === undefined, e.errors]), [["1.png", false, []], ["2.png", false, []], ["3.png", true, ["too many files (at most 2)"]]]);
  assert.equal(texts(".upload-error"), ["too many files (at most 2)"]);
  assert.equal(texts(".entry"), ["1.png 100% done", "2.png 100% done"]);
  await view.form("form").submit();
  assert.equal(received.map((r) => r.name), ["1.png", "2.png"]);
});

test("progress: stopped at 50%, the render shows it; finish() completes it", async () => {
  const bytes = randomBytes(100_000);
  const up = await view.upload("photo", [{ name: "half.png", type: "image/png", content: bytes }], { progress: 50 });
  assert.is(up.entries[0]!.sent, 50_000);
  assert.equal(texts(".entry"), ["half.png 50%"], "the throttled progress render is in the view");
  assert.is(tempFiles().length, 1);
  await view.form("form").submit();
  assert.equal(received, [], "an entry still uploading is not consumed");
  await up.progress(75);
  assert.equal(texts(".entry"), ["half.png 75%"]);
  const back = await rejection(up.progress(60));
  assert.is(back.code, "testing");
  await up.finish();
  assert.equal(texts(".entry"), ["half.png 100% done"]);
  await view.form("form").submit();
  assert.is(received[0]!.hash, sha256(bytes));
  assert.equal(tempFiles(), []);
});

test("cancel: the entry leaves the render and its temp file goes; its later chunks are not sent", async () => {
  const up = await view.upload("photo", [{ name: "a.png", type: "image/png", content: randomBytes(40_000) }, { name: "b.png", type: "image/png", content: randomBytes(40_000) }], { progress: 25 });
  assert.is(tempFiles().length, 2);
  await up.cancel("a.png");
  assert.equal(texts(".entry"), ["b.png 25%"]);
  await until(() => tempFiles().length === 1, "the cancelled entry's temp file to go");
  await up.finish();
  assert.equal(up.entries.map((e) => [e.name, e.sent, e.cancelled]), [["a.png", 10_000, true], ["b.png", 40_000, false]]);
  await view.form("form").submit();
  assert.equal(received.map((r) => r.name), ["b.png"]);
  assert.is((await rejection(up.cancel("nope.png"))).code, "testing");
});

test("a cancel from the server (the component's cancelUpload) stops that file's chunks; the rest goes on", async () => {
  const up = await view.upload("photo", [{ name: "a.png", type: "image/png", content: randomBytes(40_000) }, { name: "b.png", type: "image/png", content: randomBytes(40_000) }], { progress: 25 });
  await view.element("button.drop", "drop a.png").click();
  assert.equal(texts(".entry"), ["b.png 25%"]);
  await up.finish();
  assert.equal(up.entries.map((e) => [e.name, e.sent, e.cancelled]), [["a.png", 10_000, true], ["b.png", 40_000, false]]);
  assert.equal(view.errors, [], "no chunk of the dropped entry reached the server");
  await until(() => tempFiles().length === 1, "the dropped entry's temp file to go");
  await view.form("form").submit();
  assert.equal(received.map((r) => r.name), ["b.png"]);
});

test("maxEntries 1: a newly picked file replaces the one uploading (the server cancels it)", async () => {
  const one = await live(Single, { app });
  try {
    const first = await one.upload("one", [{ name: "first.bin", content: randomBytes(20_000) }], { progress: 50 });
    assert.equal(one.find(".one li").map((e) => e.textContent), ["first.bin 50%"]);
    await one.upload("one", [{ name: "second.bin", content: "2" }]);
    assert.equal(one.find(".one li").map((e) => e.textContent), ["second.bin 100% done"]);
    await first.finish();
    assert.equal(first.entries.map((e) => [e.sent, e.cancelled]), [[10_000, true]]);
    assert.equal(one.errors, []);
  } finally {
    await one.close();
  }
});

test("an external upload: progress() and finish() report what the browser's transfer does; consumeUploads gets meta; fail()", async () => {
  const one = await live(Single, { app });
  try {
    const up = await one.upload("doc", [{ name: "a.pdf", content: "%PDF" }], { progress: 50 });
    assert.equal(up.entries.map((e) => [e.external, e.sent]), [[true, 0]]);
    assert.equal(tempFiles(), [], "no byte comes to the server");
    assert.equal(one.find(".doc li").map((e) => e.textContent), ["a.pdf 50%"]);
    await up.finish();
    assert.equal(one.find(".doc li").map((e) => e.textContent), ["a.pdf 100% done"]);
    await one.form("form").submit();
    assert.equal(one.state.keys, [{ key: "docs/a.pdf" }]);
    const bad = await one.upload("doc", [{ name: "b.pdf", content: "%PDF" }], { progress: 10 });
    await bad.fail();
    assert.equal(one.find(".doc li").map((e) => e.textContent), ["b.pdf 10% (the upload failed)"]);
  } finally {
    await one.close();
  }
});

test("a child component's upload: through the child's view, its render in the parent's HTML", async () => {
  const album = await live(Album, { app, id: "album" });
  try {
    const kid = album.child<{ saved: number }>("kid")!;
    const bytes = randomBytes(12_000);
    await kid.upload("photo", [{ name: "k.png", type: "image/png", content: bytes }], { progress: 50 });
    assert.equal(album.find(".entry").map((e) => e.textContent!.trim()), ["k.png 50%"]);
    await album.element("form button", "Save").click();
    assert.equal(received, [], "still uploading");
    await kid.upload("photo", [{ name: "k2.png", type: "image/png", content: "x" }]);
    await album.form("form").submit();
    assert.equal(received.map((r) => r.name), ["k2.png"]);
    assert.is(kid.state.saved, 2);
    assert.is(tempFiles().length, 1, "k.png's, half sent");
  } finally {
    await album.close();
  }
  assert.equal(tempFiles(), [], "the parent's close closes the child's uploads");
});

test("the view's close deletes the temp files of entries never consumed (as a closing connection)", async () => {
  await view.upload("photo", [{ name: "left.png", type: "image/png", content: randomBytes(20_000) }], { progress: 50 });
  assert.is(tempFiles().length, 1);
  await view.close();
  assert.equal(tempFiles(), []);
});

test("the app's upload limits hold: maxUploadBytes, maxEntriesPerConnection, the window", async () => {
  const small = createTestApp({ components: [Photos], uploads: { tempDir, maxUploadBytes: 30_000, maxEntriesPerConnection: 1, maxInFlightBytes: 16_000 } });
  const v = await live(Photos, { app: small });
  try {
    const up = await v.upload("photo", [{ name: "big.png", type: "image/png", content: Buffer.alloc(31_000) }]);
    assert.match(up.entries[0]!.errors[0]!, /too large in all \(at most 30000 bytes at once\)/);
    const bytes = randomBytes(20_000);
    const ok = await v.upload("photo", [{ name: "a.png", type: "image/png", content: bytes }, { name: "b.png", type: "image/png", content: "b" }]);
    assert.equal(ok.entries.map((e) => e.errors), [[], ["too many uploads at once; try again when some are done"]]);
    assert.equal(v.find(".entry").map((e) => e.textContent!.trim().replace(/\s+/g, " ")), ["a.png 100% done", "b.png 0% too many uploads at once; try again when some are done"]);
    await v.form("form").submit();
    assert.equal(received.map((r) => r.hash), [sha256(bytes)]);
  } finally {
    await v.close();
    await small.close();
  }
  // a window smaller than the upload's chunk size: the server answers chunks that fit in it
  // (a client waits for room for a whole chunk, so a larger one would never be sent)
  const stuck = createTestApp({ components: [Photos], uploads: { tempDir, maxInFlightBytes: 1000 } });
  const w = await live(Photos, { app: stuck });
  try {
    received.length = 0;
    const bytes = randomBytes(5000);
    await w.upload("photo", [{ name: "a.png", type: "image/png", content: bytes }]);
    await w.form("form").submit();
    assert.equal(received.map((r) => r.hash), [sha256(bytes)]);
  } finally {
    await w.close();
    await stuck.close();
  }
});

test("refusals of the whole upload reject with the server's code and are in view.errors", async () => {
  const e = await rejection(view.upload("nope", [{ name: "a.png", content: "x" }]));
  assert.is(e.code, "bad_message");
  assert.match(e.message, /no upload by that name/);
  assert.is(view.errors.at(-1)!.code, "bad_message");
  const shared = await live(Shared, { app });
  try {
    assert.is((await rejection(shared.upload("photo", [{ name: "a.png", content: "x" }]))).code, "bad_message");
  } finally {
    await shared.close();
  }
  assert.is((await rejection(view.upload("photo", []))).code, "testing");
  // a name the transport refuses (too long) never reaches the component
  assert.is((await rejection(view.upload("photo", [{ name: "x".repeat(300), content: "x" }]))).code, "bad_message");
  // a crumb that cannot be sent: 50% of a 1,000-byte file is 500 bytes, under the least chunk
  assert.is((await rejection(view.upload("photo", [{ name: "tiny.png", type: "image/png", content: Buffer.alloc(1000) }], { progress: 50 }))).code, "testing");
});

test.run();
