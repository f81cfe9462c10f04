// FileStore (hotline dev's store, and the demo's without Redis): states outlive the process through
// a file. "change" mode writes soon after each change and keeps the file across starts (a killed
// process comes back with them); "close" mode writes on close() and is read back once. Expired
// entries and damaged files are dropped.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileStore } from "hotline";

const file = join(tmpdir(), `hotline-file-store-test-${process.pid}.json`);
test.after.each(() => rmSync(file, { force: true }));

/** Resolves once the file holds `key` (the write-behind is a few ms). */
async function written(key: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((JSON.parse(readFileSync(file, "utf8")) as [string][]).some(([k]) => k === key)) return;
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${key} never reached ${file}`);
}

test("save, load, delete, and a TTL", async () => {
  const s = new FileStore(file);
  await s.save("a", { n: 1 });
  await s.save("b", { n: 2 }, 1);
  assert.equal(await s.load("a"), { n: 1 });
  await new Promise((r) => setTimeout(r, 5));
  assert.is(await s.load("b"), null);
  await s.delete("a");
  assert.is(await s.load("a"), null);
  await s.close();
});

test("change mode: written soon after a change without close(), kept across starts", async () => {
  const one = new FileStore(file);
  await one.save("k", { count: 2 });
  await written("k");
  assert.is(statSync(file).mode & 0o777, 0o600);
  const two = new FileStore(file);
  assert.equal(await two.load("k"), { count: 2 });
  assert.ok(existsSync(file), "kept: the next start reads it too");
  await two.delete("k");
  await two.close();
  assert.is(new FileStore(file).size, 0);
});

test("change mode: a process killed without a graceful stop still leaves its states", async () => {
  // the child saves, waits for its write, then is killed: nothing of it runs close()
  const child = spawn(process.execPath, ["--conditions=hotline-source", "--import", "tsx", "--input-type=module", "-e", `
      const { FileStore } = await import(${JSON.stringify(import.meta.resolve("hotline"))});
      const s = new FileStore(${JSON.stringify(file)});
      await s.save("session:c1", { count: 7 });
      process.send("saved");
      setInterval(() => {}, 1000);
    `], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exited = new Promise((r) => child.once("exit", r));
  await Promise.race([new Promise((r) => child.once("message", r)), exited.then(() => assert.unreachable("the child died first"))]);
  await written("session:c1");
  child.kill("SIGKILL");
  await exited;
  assert.equal(await new FileStore(file).load("session:c1"), { count: 7 });
});

test("close mode: a graceful close writes the live entries; the next start reads them back once", async () => {
  const one = new FileStore(file, { writeOn: "close" });
  await one.save("k", { count: 2 });
  await one.save("gone", { x: 1 }, 1);
  await new Promise((r) => setTimeout(r, 20));
  assert.not.ok(existsSync(file), "nothing written before close()");
  await one.close();
  assert.is(statSync(file).mode & 0o777, 0o600);
  const two = new FileStore(file, { writeOn: "close" });
  assert.equal(await two.load("k"), { count: 2 });
  assert.is(await two.load("gone"), null);
  assert.is(existsSync(file), false, "read once");
  assert.is(new FileStore(file, { writeOn: "close" }).size, 0);
});

test("a damaged file is ignored", () => {
  writeFileSync(file, "{not json");
  assert.is(new FileStore(file).size, 0);
  writeFileSync(file, JSON.stringify([["k", { json: 1, expires: "x" }], "junk"]));
  assert.is(new FileStore(file).size, 0);
});

test("bounded: the least recently used goes first", async () => {
  const s = new FileStore(file, { maxEntries: 2 });
  await s.save("a", {});
  await s.save("b", {});
  await s.load("a");
  await s.save("c", {});
  assert.equal(await s.load("b"), null);
  assert.ok(await s.load("a"));
  await s.close();
});

test.run();
