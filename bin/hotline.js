#!/usr/bin/env node
// Runs the compiled CLI when the project is built, else its TypeScript source through tsx.
import { existsSync } from "node:fs";

const built = new URL("../dist/bin/cli.js", import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL("./cli.ts", import.meta.url).href);
}
