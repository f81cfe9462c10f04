// The names every entry point exports, written out: a change to the public API is a change to
// this file. Entries are imported by package name, as an app imports them (under the test
// runner's `hotline-source` condition they resolve to the TypeScript source).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { Component as ComponentFromSource } from "../../server/core/component.js";

const EXPORTS: Record<string, string[]> = {
  hotline: [
    "Component", "DEFAULT_MAX_STATE_BYTES", "ErrorCodes", "FileStore", "HotlineError", "HttpStatus", "JS", "MemoryModelAdapter", "MemoryPresence",
    "MemoryPubSub", "MemoryStore", "ModelComponent", "Raw", "Registry", "Repeat", "StreamPart", "TemplateResult",
    "Tokens", "createHotline", "dispatchSteps", "domId", "escapeHtml", "eventSteps", "fieldLabel", "html",
    "loadModelMeta", "modelForm", "modelResyncTopic", "modelTopic", "raw", "register", "registry",
    "renderToString", "repeat", "startModelFeed", "stream", "streamDelete", "streamInsert", "streamReset",
    "toHTML", "toHotlineError",
  ],
  "hotline/redis": ["RedisPresence", "RedisPubSub", "RedisStore", "watchConnection"],
  "hotline/postgres": ["PostgresModelAdapter"],
  "hotline/express": ["hotlineExpress"],
  "hotline/fastify": ["fastifyHotline"],
  "hotline/nunjucks": ["NunjucksRenderer", "addLiveComponent", "liveEmbed"],
  "hotline/session": ["createCookieSession"],
  "hotline/testing": ["LiveTestError", "LiveView", "ViewUpload", "createTestApp", "live", "settle"],
  "hotline/client": ["ClientError", "HotlineClient", "connect"],
  "hotline/client/sdui-cache": ["SduiCache", "SduiError"],
};

const s = suite("package exports");

for (const [entry, names] of Object.entries(EXPORTS)) {
  s(`${entry} exports exactly its public names`, async () => {
    const module = await import(entry);
    assert.equal(Object.keys(module).sort(), [...names].sort());
  });
}

s("every module entry in package.json exports is pinned here", () => {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { exports: Record<string, unknown> };
  const modules = Object.entries(pkg.exports).filter(([, target]) => typeof target === "object").map(([key]) => key.replace(/^\./, "hotline"));
  assert.equal(modules.sort(), Object.keys(EXPORTS).sort());
});

s("`hotline` and the source the tests import are one copy of each module", async () => {
  const { Component } = await import("hotline");
  assert.is(Component, ComponentFromSource);
});

s.run();
