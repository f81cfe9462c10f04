// `npx hotline …`: the CLI transport over the demo's components (and any module named by HOTLINE_COMPONENTS).
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { registry } from "../server/core/registry.js";
import { Tokens } from "../server/core/tokens.js";
import { runCli } from "../server/transports/cli.js";

const extra = process.env.HOTLINE_COMPONENTS;
if (extra) {
  for (const file of extra.split(",")) await import(pathToFileURL(resolve(file)).href);
} else {
  const here = new URL(".", import.meta.url);
  const demo = ["../components/index.js", "../components/index.ts"].map((p) => new URL(p, here)).find((u) => existsSync(u));
  if (demo) await import(demo.href);
}

const code = await runCli(process.argv.slice(2), {
  registry,
  tokens: new Tokens(),
  out: (t) => process.stdout.write(t + "\n"),
  err: (t) => process.stderr.write(t + "\n"),
});
process.exitCode = code;
