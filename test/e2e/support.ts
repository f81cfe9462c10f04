// Helpers of the end-to-end suites: Chromium, free ports, the demo as a child process.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { randomBytes } from "node:crypto";
import type { Test } from "uvu";
import { chromium, type Browser, type Page } from "playwright-core";
import { startDemo, type DemoOptions, type RunningDemo } from "../../demo/main.js";
import { needChromium, CHROMIUM_ARGS } from "../support/services.js";

export const ROOT = new URL("../../", import.meta.url).pathname;

/** Launches headless Chromium (skips the suite when there is none). */
export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: needChromium(), args: CHROMIUM_ARGS });
}

/**
 * The demo server in this process (memory store and pub/sub unless `options` say otherwise) and a
 * Chromium, started before the suite's tests and closed after them.
 */
export function demoInChromium(test: Test, options: DemoOptions = {}): { readonly demo: RunningDemo; readonly browser: Browser } {
  let demo: RunningDemo | undefined;
  let browser: Browser | undefined;
  test.before(async () => {
    browser = await launch();
    demo = await startDemo({ port: 0, quiet: true, redisUrl: "", databaseUrl: "", secret: randomBytes(24).toString("hex"), ...options });
  });
  test.after(async () => {
    await browser?.close();
    await demo?.close();
  });
  return {
    get demo() { return demo!; },
    get browser() { return browser!; },
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

/** Starts demo/main.ts on `port` with `env` added; resolves once it listens. */
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
