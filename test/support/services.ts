// Finds the services that some suites need. When one is missing, the suite says so in one loud line
// (starting with SKIP, which the runner counts) and exits; under CI=true a missing service fails.
import { existsSync } from "node:fs";
import { createConnection } from "node:net";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

function reachable(url: string, defaultPort: number): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = createConnection({ host: u.hostname, port: Number(u.port || defaultPort) });
    const done = (ok: boolean) => { sock.destroy(); resolve(ok); };
    sock.setTimeout(1500, () => done(false));
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
  });
}

function missing(what: string, how: string): never {
  const line = `SKIP ${process.argv[1]?.split("/test/").pop()}: ${what} is not available (${how})`;
  if (process.env.CI === "true") {
    console.error(`FAIL ${line.slice(5)}; under CI=true a missing service fails the run`);
    process.exit(1);
  }
  console.log(`\n${"!".repeat(8)} ${line} ${"!".repeat(8)}\n`);
  process.exit(0);
}

/** Exits the suite (skip, or fail under CI) unless Redis answers at REDIS_URL. */
export async function needRedis(): Promise<string> {
  if (!(await reachable(REDIS_URL, 6379))) missing("Redis", `REDIS_URL=${REDIS_URL}`);
  return REDIS_URL;
}

/** Exits the suite (skip, or fail under CI) unless PostgreSQL answers at DATABASE_URL. */
export async function needPostgres(): Promise<string> {
  if (!(await reachable(DATABASE_URL, 5432))) missing("PostgreSQL", `DATABASE_URL=${DATABASE_URL}`);
  return DATABASE_URL;
}

/** Exits the suite (skip, or fail under CI) unless a Chromium binary is found. */
export function needChromium(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
  const found = candidates.find((p): p is string => !!p && existsSync(p));
  if (!found) missing("Chromium", `CHROMIUM_PATH=${process.env.CHROMIUM_PATH ?? "(unset)"}; apt-get install -y chromium`);
  return found;
}

/** The flags Chromium needs on this kind of machine (no sandbox as root, no network calls home). */
export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
];
