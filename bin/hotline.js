#!/usr/bin/env node
// Runs the compiled CLI (dist/bin/cli.js), or for `hotline dev` the dev runner
// (dist/server/dev/runner.js): what an installed package always has. In this repository, under the
// `hotline-source` export condition (the tests), or before a build, it runs the TypeScript source
// through tsx instead, with `hotline` resolved to the source too, so that the CLI and the
// components it loads share one copy of each module.
import { existsSync } from "node:fs";
import { register } from "node:module";

const dev = process.argv[2] === "dev";
const target = dev ? "server/dev/runner" : "bin/cli";
const built = new URL(`../dist/${target}.js`, import.meta.url);
const source = new URL(`../${target}.ts`, import.meta.url);
const underSourceCondition = (() => {
  try {
    return import.meta.resolve("hotline").endsWith(".ts");
  } catch {
    return false; // not built: dist/server/index.js is missing
  }
})();

let module;
if (existsSync(source) && (underSourceCondition || !existsSync(built))) {
  if (!underSourceCondition) {
    // Adds the condition for the modules loaded from here on (the components import "hotline").
    register(`data:text/javascript,${encodeURIComponent(
      'export function resolve(s, c, next) { return next(s, { ...c, conditions: [...c.conditions, "hotline-source"] }); }',
    )}`);
  }
  (await import("tsx/esm/api")).register();
  module = await import(source.href);
} else {
  module = await import(built.href);
}
// `hotline dev [entry] …`: the runner restarts the app on changes until SIGINT/SIGTERM.
if (dev) process.exitCode = await module.runDev(process.argv.slice(3));
