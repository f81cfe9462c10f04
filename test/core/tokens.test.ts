import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Tokens, HotlineError } from "../../server/core/index.js";

const SECRET = "a-test-secret-that-is-long-enough";
const tokens = new Tokens({ secret: SECRET });
const code = (f: () => unknown) => { try { f(); return "none"; } catch (e) { return (e as HotlineError).code; } };

const t = suite("signed state tokens");

t("a token round-trips state and topics, bound to its component", () => {
  const tok = tokens.sign("counter", { state: { count: 3, nested: { a: [1] } }, topics: ["board"] });
  assert.equal(tokens.verify("counter", tok), { state: { count: 3, nested: { a: [1] } }, topics: ["board"] });
  assert.is(code(() => tokens.verify("board", tok)), "bad_state");
});

t("tampering with the payload or the signature is caught", () => {
  const tok = tokens.sign("counter", { state: { count: 1 } });
  const [v, payload, sig] = tok.split(".");
  const forged = Buffer.from(JSON.stringify({ c: "counter", s: { count: 999 }, x: 9999999999 })).toString("base64url");
  assert.is(code(() => tokens.verify("counter", `${v}.${forged}.${sig}`)), "bad_state");
  const flipped = sig!.slice(0, -2) + (sig!.endsWith("AA") ? "BB" : "AA");
  assert.is(code(() => tokens.verify("counter", `${v}.${payload}.${flipped}`)), "bad_state");
  assert.is(code(() => tokens.verify("counter", `${v}.${payload}.`)), "bad_state");
});

t("a token signed with another key is refused; rotation verifies old keys", () => {
  const other = new Tokens({ secret: "another-secret-entirely-0123456" });
  const tok = other.sign("counter", { state: { count: 1 } });
  assert.is(code(() => tokens.verify("counter", tok)), "bad_state");
  const rotated = new Tokens({ secret: ["the-new-secret-0123456789", SECRET] });
  assert.equal(rotated.verify("counter", tokens.sign("counter", { state: { n: 1 } })).state, { n: 1 });
  assert.is(code(() => tokens.verify("counter", rotated.sign("counter", { state: { n: 1 } }))), "bad_state");
});

t("an expired token is refused", () => {
  const short = new Tokens({ secret: SECRET, ttlSeconds: -1 });
  assert.is(code(() => tokens.verify("counter", short.sign("counter", { state: {} }))), "bad_state");
});

t("malformed input is bad_state, an oversize token too_large, never a crash", () => {
  for (const bad of [undefined, null, 42, {}, "", "v1.", "v1..", "v2.abc.def", "v1.!!!.???", "x".repeat(100)]) {
    assert.is(code(() => tokens.verify("counter", bad)), "bad_state", String(bad));
  }
  assert.is(code(() => tokens.verify("counter", "v1." + "A".repeat(200_000))), "too_large");
});

t("a secret shorter than 16 characters is refused", () => {
  assert.throws(() => new Tokens({ secret: "short" }));
});

t.run();
