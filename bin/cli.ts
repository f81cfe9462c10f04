// `npx hotline …`: the CLI transport over the app's components, named by HOTLINE_COMPONENTS
// (comma-separated module paths, relative to the working directory; `.ts` files through tsx).
// It loads nothing else: Hotline's own examples are not part of the package.
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { registry } from "../server/core/registry.js";
import { Tokens } from "../server/core/tokens.js";
import { runCli } from "../server/transports/cli.js";

const VARIABLE = "HOTLINE_COMPONENTS";

/** Registers tsx's ESM loader (from this package, else from the app's own node_modules). */
async function registerTsx(file: string): Promise<void> {
  let api: { register(): unknown };
  try {
    api = await import("tsx/esm/api");
  } catch {
    try {
      const path = createRequire(pathToFileURL(resolve("package.json"))).resolve("tsx/esm/api");
      api = await import(pathToFileURL(path).href);
    } catch {
      throw new Error(`${VARIABLE} names a TypeScript file (${file}), which needs tsx: npm install --save-dev tsx, or name the compiled .js file`);
    }
  }
  api.register();
}

async function loadComponents(list: string | undefined): Promise<void> {
  const files = (list ?? "").split(",").map((f) => f.trim()).filter(Boolean);
  const ts = files.find((f) => /\.[cm]?tsx?$/.test(f));
  if (ts) {
    try {
      await registerTsx(ts);
    } catch (e) {
      process.stderr.write(`hotline: ${(e as Error).message}\n`);
      process.exit(2);
    }
  }
  for (const file of files) {
    try {
      await import(pathToFileURL(resolve(file)).href);
    } catch (e) {
      process.stderr.write(`hotline: cannot load ${file} (named by ${VARIABLE})\n`);
      throw e;
    }
  }
}

await loadComponents(process.env[VARIABLE]);

const code = await runCli(process.argv.slice(2), {
  registry,
  // made when a command needs a secret (dispatch), so `list` and `help` never warn about it
  tokens: () => new Tokens(),
  loadHint: `set ${VARIABLE} to its module (comma-separated paths, relative to the working directory), e.g. ${VARIABLE}=src/components/counter.ts npx hotline dispatch counter`,
  component: {},
  out: (t) => process.stdout.write(t + "\n"),
  err: (t) => process.stderr.write(t + "\n"),
});
process.exitCode = code;
