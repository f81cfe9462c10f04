#!/usr/bin/env node
// Runs the compiled CLI (dist/bin/cli.js): what an installed package always has. In this
// repository, under the `hotline-source` export condition (the tests), or before a build, it runs
// the TypeScript source through tsx instead, with `hotline` resolved to the source too, so that the
// CLI and the components it loads share one copy of each module.
import { existsSync } from "node:fs";
import { register } from "node:module";

const built = new URL("../dist/bin/cli.js", import.meta.url);
const source = new URL("./cli.ts", import.meta.url);
const underSourceCondition = (() => {
  try {
    return import.meta.resolve("hotline").endsWith(".ts");
  } catch {
    return false; // not built: dist/server/index.js is missing
  }
})();

if (existsSync(source) && (underSourceCondition || !existsSync(built))) {
  if (!underSourceCondition) {
    // Adds the condition for the modules loaded from here on (the components import "hotline").
    register(`data:text/javascript,${encodeURIComponent(
      'export function resolve(s, c, next) { return next(s, { ...c, conditions: [...c.conditions, "hotline-source"] }); }',
    )}`);
  }
  (await import("tsx/esm/api")).register();
  await import(source.href);
} else {
  await import(built.href);
}
