// The demo's file-backed memory store: states survive a close() and a new store on the same file,
// once; expired entries and damaged files are dropped.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileBackedStore } from "../../demo/state-file.js";

const file = join(tmpdir(), `hotline-state-file-test-${process.pid}.json`);
test.after.each(() => rmSync(file, { force: true }));

test("save, load, delete, and a TTL", async () => {
  const s = new FileBackedStore(file);
  await s.save("a", { n: 1 });
  await s.save("b", { n: 2 }, 1);
  assert.equal(await s.load("a"), { n: 1 });
  await new Promise((r) => setTimeout(r, 5));
  assert.is(await s.load("b"), null);
  await s.delete("a");
  assert.is(await s.load("a"), null);
});

test("a graceful close writes the live entries; the next start reads them back once", async () => {
  const one = new FileBackedStore(file);
  await one.save("k", { count: 2 });
  await one.save("gone", { x: 1 }, 1);
  await new Promise((r) => setTimeout(r, 5));
  await one.close();
  assert.is(statSync(file).mode & 0o777, 0o600);
  const two = new FileBackedStore(file);
  assert.equal(await two.load("k"), { count: 2 });
  assert.is(await two.load("gone"), null);
  assert.is(existsSync(file), false, "read once");
  assert.is(new FileBackedStore(file).size, 0);
});

test("a damaged file is ignored", () => {
  writeFileSync(file, "{not json");
  assert.is(new FileBackedStore(file).size, 0);
});

test("bounded: the least recently used goes first", async () => {
  const s = new FileBackedStore(file, { maxEntries: 2 });
  await s.save("a", {});
  await s.save("b", {});
  await s.load("a");
  await s.save("c", {});
  assert.equal(await s.load("b"), null);
  assert.ok(await s.load("a"));
});

test.run();
