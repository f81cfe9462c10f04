// An app types its services by augmenting `HotlineServices` in module "hotline" (the main entry
// re-exports it from server/core/context.ts). Type-checks test/package/fixtures/augment.ts, against
// the source and, when built, against dist/*.d.ts as an app's compiler sees the package.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = fileURLToPath(new URL("../../", import.meta.url));
const tsc = (project: string) =>
  promisify(execFile)(process.execPath, ["node_modules/typescript/bin/tsc", "-p", project], { cwd: root })
    .then(() => "", (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ""}${e.stderr ?? ""}` || "tsc failed");

const s = suite("HotlineServices augmentation");
const built = existsSync(new URL("dist/server/index.d.ts", `file://${root}`));
if (!built) console.log("SKIP augmentation against dist/: not built (npm run build)");

s("declare module \"hotline\" { interface HotlineServices } types this.services (source)", async () => {
  assert.is(await tsc("test/package/fixtures/tsconfig.json"), "");
});

(built ? s : s.skip)("the same against the built package's declarations", async () => {
  assert.is(await tsc("test/package/fixtures/tsconfig.dist.json"), "");
});

s.run();
