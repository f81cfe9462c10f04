// The devtools inspector in Chromium across two real server processes that share one Redis
// pub/sub: the inspector opened on process 1 lists process 2's instances, shows the redacted state
// of one of them, and shows a click made on a page of process 2 as it happens.
import { spawn, type ChildProcess } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Browser, Page } from "playwright-core";
import { needRedis } from "../support/services.js";
import { dropKeys, runPrefix, SECRET } from "../cluster/support.js";
import { connected, launch, ROOT, watchErrors } from "./support.js";

const url = await needRedis();
const prefix = runPrefix("e2e-devtools");

interface App { child: ChildProcess; http: string; pid: number; output(): string }
const apps: App[] = [];
let browser: Browser;

function start(name: string): Promise<App> {
  const child = spawn(process.execPath, ["--conditions=hotline-source", "--import", "tsx", "test/devtools/server.ts"], {
    cwd: ROOT,
    env: { ...process.env, PORT: "0", REDIS_URL: url, HOTLINE_REDIS_PREFIX: prefix, HOTLINE_SECRET: SECRET },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill("SIGKILL"), reject(new Error(`${name} did not start in 20 s:\n${out}`))), 20_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = /devtools app on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const app = { child, http: m[1]!, pid: child.pid!, output: () => out };
      apps.push(app);
      resolve(app);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => (clearTimeout(timer), reject(new Error(`${name} exited (${code}) before listening:\n${out}`))));
  });
}

test.before(async () => {
  browser = await launch();
});

test.after(async () => {
  await browser?.close();
  for (const a of apps) a.child.kill("SIGKILL");
  await dropKeys(url, prefix);
});

test("the inspector on process 1 lists process 2's instances and shows its click as it happens", async () => {
  const [p1, p2] = await Promise.all([start("P1"), start("P2")]);
  const context = await browser.newContext();
  const app: Page = await context.newPage();
  const inspector: Page = await context.newPage();
  const errors = [app, inspector].map(watchErrors);
  try {
    await app.goto(`${p2!.http}/`);
    await connected(app);
    await inspector.goto(`${p1!.http}/hotline/devtools`);
    await connected(inspector);

    // both processes answer; process 2's clicker is listed with its pid
    await inspector.locator(`tr.hdt-process[data-pid="${p1!.pid}"]`).waitFor({ timeout: 10_000 });
    await inspector.locator(`tr.hdt-process[data-pid="${p2!.pid}"]`).waitFor({ timeout: 10_000 });
    const row = inspector.locator(`tr.hdt-instance[data-pid="${p2!.pid}"][data-component="clicker"]`);
    await row.waitFor({ timeout: 10_000 });
    assert.is(await inspector.locator(`tr.hdt-instance[data-pid="${p1!.pid}"][data-component="clicker"]`).count(), 0, "process 1 has no clicker");
    assert.match(await inspector.locator(`tr.hdt-topic[data-pid="${p2!.pid}"]`).innerText(), /clicks\s+\S+\s+1/);

    // its state, from process 2, redacted there
    await row.getByRole("button", { name: "state" }).click();
    await inspector.locator(".hdt-json", { hasText: '"count": 0' }).waitFor({ timeout: 10_000 });
    const json = await inspector.locator(".hdt-json").innerText();
    assert.match(json, /"password": "\[redacted\]"/);
    assert.not.match(json, /do-not-show/);

    // a click on process 2's page shows in process 1's inspector as it happens
    await app.getByRole("button", { name: "Click" }).click();
    await app.locator("output", { hasText: "1" }).waitFor({ timeout: 5000 });
    const event = inspector.locator('tr.hdt-entry[data-kind="event"][data-component="clicker"][data-name="click"]');
    await event.first().waitFor({ timeout: 10_000 });
    assert.match(await event.first().innerText(), new RegExp(`:${p2!.pid}\\b`), "the event is process 2's");
    assert.is(await event.first().locator("code").innerText(), await row.getAttribute("data-instance"), "the timeline names the instance as the list does");
    await inspector.locator('tr.hdt-entry[data-kind="render"][data-component="clicker"]').first().waitFor({ timeout: 10_000 });
    // and the selected state follows
    await inspector.locator(".hdt-json", { hasText: '"count": 1' }).waitFor({ timeout: 10_000 });

    assert.equal(errors.flat(), []);
  } catch (err) {
    console.error(`P1 output:\n${p1!.output()}\nP2 output:\n${p2!.output()}`);
    throw err;
  } finally {
    await context.close();
  }
});

test.run();
