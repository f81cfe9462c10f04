// Helpers of the end-to-end suites: Chromium, free ports, the demo as a child process.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { randomBytes } from "node:crypto";
import type { Test } from "uvu";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { startDemo, type DemoOptions, type RunningDemo } from "../../demo/main.js";
import { needChromium, CHROMIUM_ARGS } from "../support/services.js";

export const ROOT = new URL("../../", import.meta.url).pathname;

/** Launches headless Chromium (skips the suite when there is none). */
export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: needChromium(), args: CHROMIUM_ARGS });
}

/**
 * Signs the pages of `context` in as `name`, the way a person does: the demo's sign-in form at
 * `base`, which sets the signed session cookie for the whole context (every tab).
 */
export async function signIn(context: BrowserContext, base: string, name: string): Promise<void> {
  const page = await context.newPage();
  try {
    await page.goto(`${base}/signin`);
    await page.getByLabel("Your name").fill(name);
    await Promise.all([
      page.waitForURL((url) => url.pathname !== "/signin", { timeout: 10_000 }),
      page.getByRole("button", { name: "Sign in" }).click(),
    ]);
  } finally {
    await page.close();
  }
}

/** A new browser context (its own cookies: one person) signed in as `name` on the demo at `base`. */
export async function signedInContext(browser: Browser, base: string, name = "Tester"): Promise<BrowserContext> {
  const context = await browser.newContext();
  await signIn(context, base, name);
  return context;
}

/**
 * The demo server in this process (memory store and pub/sub unless `options` say otherwise) and a
 * Chromium, started before the suite's tests and closed after them. `signedIn` is a browser
 * context signed in as "Tester": open the suite's pages in it (anonymous pages only show the
 * sign-in form).
 */
export function demoInChromium(test: Test, options: DemoOptions = {}): { readonly demo: RunningDemo; readonly browser: Browser; readonly signedIn: BrowserContext } {
  let demo: RunningDemo | undefined;
  let browser: Browser | undefined;
  let signedIn: BrowserContext | undefined;
  test.before(async () => {
    browser = await launch();
    demo = await startDemo({
      port: 0, quiet: true, redisUrl: "", databaseUrl: "",
      secret: randomBytes(24).toString("hex"), sessionSecret: randomBytes(24).toString("hex"), ...options,
    });
    signedIn = await signedInContext(browser, demo.url);
  });
  test.after(async () => {
    await browser?.close();
    await demo?.close();
  });
  return {
    get demo() { return demo!; },
    get browser() { return browser!; },
    get signedIn() { return signedIn!; },
  };
}

/** Resolves once every component root of the page has joined (carries `hl-connected`). */
export async function connected(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const roots = [...document.querySelectorAll("[hl-component]")];
    return roots.length > 0 && roots.every((r) => r.classList.contains("hl-connected"));
  }, undefined, { timeout: 10_000 });
}

/** Collects the page's console errors and uncaught exceptions, to show when a test fails. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}

/** A port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The demo server as a child process (`node --import tsx demo/main.ts`). */
export interface DemoProcess {
  child: ChildProcess;
  url: string;
  /** Everything it printed. */
  output(): string;
  /** Sends `signal` and resolves with the exit code (or signal name) once it has exited. */
  stop(signal: NodeJS.Signals): Promise<number | string>;
}

/**
 * Starts demo/main.ts on `port` with `env` added; resolves once it listens. Give processes that
 * must accept one another's sign-in cookie the same `HOTLINE_SESSION_SECRET`.
 */
export function startDemoProcess(port: number, env: Record<string, string>): Promise<DemoProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "demo/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, HOST: "127.0.0.1", PORT: String(port), DATABASE_URL: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, sig) => resolve(code ?? sig ?? "?")));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error(`the demo did not start in 20 s:\n${out}`)); }, 20_000);
    const onData = (d: Buffer) => {
      out += d;
      if (/Hotline demo on http/.test(out)) {
        clearTimeout(timer);
        resolve({
          child,
          url: `http://127.0.0.1:${port}`,
          output: () => out,
          stop: async (signal) => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`the demo exited (${code}) before listening:\n${out}`)); });
  });
}
