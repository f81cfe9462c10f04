// The dev loop in Chromium: `hotline dev` runs a small app from a temp folder; editing its
// component's template restarts it, and the open page shows the new template with the state it
// had, without a reload (a window property and the navigation entry survive). A failing handler
// shows the dev overlay with its stack; an app asking for dev mode under NODE_ENV=production shows
// none and its page loads no overlay script.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import { createHotline, type Hotline } from "../../server/hotline.js";
import { connected, freePort, launch, ROOT, watchErrors } from "./support.js";

const COUNTER = `import { Component, html, register } from "hotline";

@register("counter")
export class Counter extends Component<{ count: number }> {
  mount() { this.state.count = 0; }
  onIncrement() { this.state.count += 1; }
  onBoom() { throw new Error("kaboom from the handler"); }
  render() {
    return html\`<div><p class="value">Count: \${this.state.count}</p>
      <button type="button" class="inc" hl-click="increment">+</button>
      <button type="button" class="boom" hl-click="boom">boom</button></div>\`;
  }
}
`;

const APP = `import { createServer } from "node:http";
import { createHotline } from "hotline";
import "./counter.js";

const hotline = createHotline();
const server = createServer(async (req, res) => {
  if (req.url === "/") {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(\`<!doctype html><html><body>\${await hotline.live("counter", {}, { id: "c" })}<script src="/hotline.js"></script></body></html>\`);
    return;
  }
  await hotline.handler(req, res);
});
hotline.attach(server);
hotline.installSignalHandlers();
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("app listening"));
`;

let browser: Browser;
const dirs: string[] = [];
const runners = new Set<ChildProcess>();

test.before(async () => {
  browser = await launch();
});

test.after(async () => {
  for (const r of runners) await stopRunner(r);
  await browser?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A temp copy of the small app, resolving "hotline" to this checkout. */
function appDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "hotline-dev-loop-"));
  dirs.push(dir);
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules", "hotline"), "dir");
  writeFileSync(join(dir, "counter.ts"), COUNTER);
  writeFileSync(join(dir, "app.ts"), APP);
  return dir;
}

interface Runner {
  child: ChildProcess;
  /** everything the runner and the app printed */
  output(): string;
  /** resolves when the output has matched `re` `times` times in all */
  printed(re: RegExp, times?: number): Promise<void>;
}

/** `hotline dev app.ts` in `dir`, on `port`. */
function runDev(dir: string, port: number, env: Record<string, string> = {}): Runner {
  const child = spawn(process.execPath, ["--conditions=hotline-source", join(ROOT, "bin/hotline.js"), "dev", "app.ts"], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), HOTLINE_SECRET: "dev-loop-test-secret-0123456789", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  runners.add(child);
  let out = "";
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d;
    for (const w of waiters) w();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  return {
    child,
    output: () => out,
    printed: (re, times = 1) =>
      new Promise((ok, no) => {
        const g = new RegExp(re.source, "g");
        const check = () => {
          if ((out.match(g) ?? []).length >= times) {
            waiters.delete(check);
            clearTimeout(t);
            ok();
          }
        };
        const t = setTimeout(() => {
          waiters.delete(check);
          no(new Error(`no ${re} (x${times}) in 30 s; output:\n${out}`));
        }, 30_000);
        waiters.add(check);
        check();
      }),
  };
}

async function stopRunner(child: ChildProcess): Promise<void> {
  runners.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(t);
}

async function open(port: number): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await page.goto(`http://127.0.0.1:${port}/`);
  await connected(page);
  return { page, errors };
}

test("dev: editing the component's template updates the open page, state kept, without a reload; a failing handler shows the overlay", async () => {
  const dir = appDir();
  const port = await freePort();
  const dev = runDev(dir, port);
  try {
    await dev.printed(/app listening/);
    const { page } = await open(port);
    await page.evaluate(() => ((window as unknown as { kept: string }).kept = "same document"));
    await page.click(".inc");
    await page.click(".inc");
    await page.waitForFunction(() => document.querySelector(".value")?.textContent === "Count: 2");

    writeFileSync(join(dir, "counter.ts"), readFileSync(join(dir, "counter.ts"), "utf8").replace("Count: ", "Clicks so far: "));
    await dev.printed(/counter\.ts changed: restarting/);
    await dev.printed(/app listening/, 2);
    await page.waitForFunction(() => document.querySelector(".value")?.textContent === "Clicks so far: 2", undefined, { timeout: 30_000 });

    assert.is(await page.evaluate(() => (window as unknown as { kept?: string }).kept), "same document", "the page was not reloaded");
    assert.is(await page.evaluate(() => performance.getEntriesByType("navigation").length), 1);
    // the resumed instance runs the new code's handlers
    await page.click(".inc");
    await page.waitForFunction(() => document.querySelector(".value")?.textContent === "Clicks so far: 3");

    // a failing handler: the overlay, with the handler's stack
    assert.is(await page.locator('script[src="/hotline.js?dev"]').count(), 1);
    await page.click(".boom");
    const overlay = page.locator("#hotline-dev-overlay");
    await overlay.waitFor({ state: "visible", timeout: 10_000 });
    const text = await overlay.innerText();
    assert.match(text, /handler_error in counter/);
    assert.match(text, /kaboom from the handler/);
    assert.match(text, /counter\.ts:\d+/, "the stack points into the component's file");
    await page.keyboard.press("Escape");
    await overlay.waitFor({ state: "detached" });
    await page.close();
  } finally {
    await stopRunner(dev.child);
  }
});

test("production: dev asked for under NODE_ENV=production is refused; a failing handler shows no overlay, its error has no stack", async () => {
  // In this process (a third app start would only cost time): the same component, an app that asks
  // for dev mode, NODE_ENV=production while it is created.
  const registry = new Registry();
  registry.register("counter", class extends Component<{ count: number }> {
    mount() { this.state.count = 0; }
    onBoom() { throw new Error("kaboom from the handler"); }
    render() { return html`<div><p class="value">Count: ${this.state.count}</p><button type="button" class="boom" hl-click="boom">boom</button></div>`; }
  });
  const warnings: string[] = [];
  const was = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  let hotline: Hotline;
  try {
    hotline = createHotline({ registry, dev: true, secret: "dev-loop-test-secret-0123456789", logger: { error: (m: unknown) => warnings.push(String(m)) } });
  } finally {
    if (was === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = was;
  }
  assert.ok(warnings.some((w) => /development mode is refused under NODE_ENV=production/.test(w)));
  const server = createServer(async (req, res) => {
    if (req.url === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><html><body>${await hotline.live("counter", {}, { id: "c" })}<script src="/hotline.js"></script></body></html>`);
      return;
    }
    await hotline.handler(req, res);
  });
  hotline.attach(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const { page } = await open((server.address() as AddressInfo).port);
    assert.is(await page.locator("script[src*='?dev']").count(), 0);
    await page.evaluate(() => {
      (window as unknown as { failed: unknown[] }).failed = [];
      document.addEventListener("hotline:error", (e) => (window as unknown as { failed: unknown[] }).failed.push((e as CustomEvent).detail));
    });
    await page.click(".boom");
    await page.waitForFunction(() => (window as unknown as { failed: unknown[] }).failed.length === 1);
    const failed = await page.evaluate(() => (window as unknown as { failed: Record<string, unknown>[] }).failed[0]!);
    assert.is(failed.code, "handler_error");
    assert.is(failed.stack, undefined);
    assert.is(await page.locator("#hotline-dev-overlay").count(), 0);
    assert.is(await page.evaluate(() => "__hotlineDevOverlay" in window), false, "the overlay script never ran");
    await page.close();
  } finally {
    await hotline.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test.run();
