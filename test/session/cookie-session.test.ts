// hotline/session over a real node:http server: what a browser sends and what it gets back.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sign } from "cookie-signature";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { HotlineError } from "../../server/core/errors.js";
import { createCookieSession, type CookieSession } from "../../server/session.js";

process.env.NODE_ENV = "test"; // `secure: "auto"` reads it at creation

const SECRET = "a-session-secret-of-32-characters-or-more";
const NEW_SECRET = "the-rotated-in-secret-0123456789abcdef";
type User = { id: string; name: string };
const ada: User = { id: "u1", name: "Ada" };

let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
const server = createServer((req, res) => {
  try {
    handle(req, res);
    if (!res.writableEnded) res.end();
  } catch (err) {
    res.statusCode = 500;
    res.end(String(err));
  }
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** Writes `data` with `session` on the server; returns every Set-Cookie line. */
async function written(session: CookieSession<unknown>, data: unknown, headers: Record<string, string> = {}): Promise<string[]> {
  handle = (_req, res) => session.write(res, data);
  const r = await fetch(base, { headers });
  assert.is(r.status, 200, await r.text());
  return r.headers.getSetCookie();
}

/** The `name=value` a browser would send back from one Set-Cookie line. */
const pair = (setCookie: string) => setCookie.split(";")[0]!;
const valueOf = (setCookie: string) => decodeURIComponent(pair(setCookie).slice(pair(setCookie).indexOf("=") + 1));

/** What the server's `session.readSession` (and `read`, and the detached `authenticate`) see for a Cookie header. */
async function seen(session: CookieSession<unknown>, cookie: string | undefined) {
  handle = (req, res) => {
    const { authenticate } = session; // detached, as createHotline receives it
    res.end(JSON.stringify({ record: session.readSession(req), data: session.read(req), auth: authenticate(req) }));
  };
  const r = await fetch(base, { headers: cookie === undefined ? {} : { cookie } });
  assert.is(r.status, 200);
  const body = (await r.json()) as { record: { data: unknown; sid: string; expires: string } | null; data: unknown; auth: unknown };
  assert.equal(body.auth, body.data, "authenticate is read");
  assert.equal(body.data, body.record?.data ?? null, "read is readSession's data");
  return body.record;
}

const errorOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a throw");
};

// ── reading back what was written ────────────────────────────────────────────────────────────────
const rt = suite("write then read");
const session = createCookieSession<User>({ secret: SECRET });

rt("the cookie a write sets reads back as the same data, with a session id and the expiry", async () => {
  const before = Date.now();
  const [line] = await written(session, ada);
  assert.ok(line!.startsWith("hotline_session="));
  const record = await seen(session, pair(line!));
  assert.equal(record!.data, ada);
  assert.match(record!.sid, /^[A-Za-z0-9_-]{22}$/);
  const expires = Date.parse(record!.expires);
  assert.ok(expires >= before + 7 * 86400_000 && expires <= Date.now() + 7 * 86400_000, "7 days by default");
});

rt("each write is a new session: same data, another sid and another cookie", async () => {
  const [a] = await written(session, ada);
  const [b] = await written(session, ada);
  assert.is.not(valueOf(a!), valueOf(b!));
  assert.is.not((await seen(session, pair(a!)))!.sid, (await seen(session, pair(b!)))!.sid);
});

rt("no cookie, or only other cookies, is null", async () => {
  assert.is(await seen(session, undefined), null);
  assert.is(await seen(session, "theme=dark; lang=en"), null);
});

rt("the session cookie among others in one Cookie header is found", async () => {
  const [line] = await written(session, ada);
  assert.equal((await seen(session, `theme=dark; ${pair(line!)}; lang=en`))!.data, ada);
});

rt("several Cookie header lines are read together", async () => {
  const [line] = await written(session, ada);
  handle = (req, res) => res.end(JSON.stringify(session.read(req)));
  const body = await new Promise<string>((resolve, reject) => {
    const req = httpRequest(base, { headers: { cookie: ["theme=dark", pair(line!), "lang=en"] } }, (res) => {
      let out = "";
      res.on("data", (d) => (out += d)).on("end", () => resolve(out));
    });
    req.on("error", reject).end();
  });
  assert.equal(JSON.parse(body), ada);
});

rt("a session with another name is not this one", async () => {
  const other = createCookieSession<User>({ secret: SECRET, name: "admin_session" });
  const [line] = await written(other, ada);
  assert.ok(line!.startsWith("admin_session="));
  assert.is(await seen(session, pair(line!)), null);
  assert.equal((await seen(other, pair(line!)))!.data, ada);
});
rt.run();

// ── what is refused ─────────────────────────────────────────────────────────────────────────────
const bad = suite("refused cookies");

bad("a changed payload or signature is refused", async () => {
  const [line] = await written(session, ada);
  const value = valueOf(line!);
  const dot = value.lastIndexOf(".");
  const [payload, sig] = [value.slice(0, dot), value.slice(dot + 1)];
  const body = JSON.parse(Buffer.from(payload, "base64url").toString());
  const forged = Buffer.from(JSON.stringify({ ...body, d: { id: "admin", name: "Ada" } })).toString("base64url");
  assert.equal((await seen(session, `hotline_session=${encodeURIComponent(value)}`))!.data, ada, "the untouched value reads");
  assert.is(await seen(session, `hotline_session=${encodeURIComponent(`${forged}.${sig}`)}`), null);
  const flipped = sig.slice(0, -2) + (sig.endsWith("AA") ? "BB" : "AA");
  assert.is(await seen(session, `hotline_session=${encodeURIComponent(`${payload}.${flipped}`)}`), null);
  assert.is(await seen(session, `hotline_session=${encodeURIComponent(payload)}`), null, "no signature");
});

bad("a cookie signed with another secret is refused", async () => {
  const other = createCookieSession<User>({ secret: "someone-elses-secret-0123456789abcdef" });
  const [line] = await written(other, ada);
  assert.is(await seen(session, pair(line!)), null);
});

bad("rotation: old cookies still read, new writes use the new secret", async () => {
  const [old] = await written(session, ada);
  const rotated = createCookieSession<User>({ secret: [NEW_SECRET, SECRET] });
  assert.equal((await seen(rotated, pair(old!)))!.data, ada, "signed with the old secret");
  const [fresh] = await written(rotated, ada);
  assert.equal((await seen(createCookieSession({ secret: NEW_SECRET }), pair(fresh!)))!.data, ada, "signed with the first secret");
  assert.is(await seen(session, pair(fresh!)), null, "not with the old one");
  const retired = createCookieSession<User>({ secret: NEW_SECRET });
  assert.is(await seen(retired, pair(old!)), null, "once the old secret is dropped, its cookies are refused");
});

bad("an expired session is refused even if the browser sends it", async () => {
  const short = createCookieSession<User>({ secret: SECRET, maxAgeSeconds: 1 });
  const [line] = await written(short, ada);
  assert.match(line!, /Max-Age=1;/);
  assert.equal((await seen(short, pair(line!)))!.data, ada);
  await new Promise((r) => setTimeout(r, 1100));
  assert.is(await seen(short, pair(line!)), null);
});

bad("garbage never throws and reads as null", async () => {
  const signed = (text: string) => encodeURIComponent(sign(Buffer.from(text).toString("base64url"), SECRET));
  const cases = [
    "", "hotline_session", "hotline_session=", "hotline_session=abc", "hotline_session=a.b.c", "hotline_session=%E0%A4%A",
    "=;;=;hotline_session", "hotline_session=" + "x".repeat(10_000), "hotline_session=\"quoted.value\"",
    `hotline_session=${signed("not json")}`, `hotline_session=${signed("null")}`, `hotline_session=${signed("[1,2]")}`,
    `hotline_session=${signed('{"d":{"id":"u1"}}')}`, `hotline_session=${signed('{"d":{"id":"u1"},"sid":"s","x":"soon"}')}`,
    `hotline_session=${signed('{"d":null,"sid":"s","x":99999999999999}')}`,
  ];
  for (const cookie of cases) assert.is(await seen(session, cookie), null, cookie.slice(0, 60));
  // the same shape with a valid field set reads: the cases above fail for the reason they name
  assert.equal((await seen(session, `hotline_session=${signed('{"d":{"id":"u1"},"sid":"s","x":99999999999999}')}`))!.data, { id: "u1" });
  assert.is(session.read(null as never), null);
  assert.is(session.read({ headers: {} }), null);
});
bad.run();

// ── the Set-Cookie header ───────────────────────────────────────────────────────────────────────
const attrs = suite("Set-Cookie attributes");
const attrsOf = (line: string) => line.split(";").slice(1).map((s) => s.trim());

attrs("defaults: HttpOnly, SameSite=Lax, Path=/, Max-Age and Expires 7 days out, not Secure on plain HTTP in development", async () => {
  const [line] = await written(session, ada);
  const a = attrsOf(line!);
  for (const want of ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=604800"]) assert.ok(a.includes(want), `${want} in ${line}`);
  const expires = Date.parse(a.find((x) => x.startsWith("Expires="))!.slice(8));
  assert.ok(Math.abs(expires - (Date.now() + 604800_000)) < 5000, "Expires matches Max-Age");
  assert.not.ok(a.includes("Secure"));
  assert.not.ok(a.some((x) => x.startsWith("Domain=")));
});

attrs("options: name, path, domain, sameSite, maxAgeSeconds", async () => {
  const custom = createCookieSession<User>({ secret: SECRET, name: "sid", path: "/app", domain: "example.com", sameSite: "strict", maxAgeSeconds: 60 });
  const [line] = await written(custom, ada);
  assert.ok(line!.startsWith("sid="));
  const a = attrsOf(line!);
  for (const want of ["HttpOnly", "SameSite=Strict", "Path=/app", "Domain=example.com", "Max-Age=60"]) assert.ok(a.includes(want), `${want} in ${line}`);
});

attrs("Secure: true always, false never, auto over HTTPS (X-Forwarded-Proto), in production, or with SameSite=None", async () => {
  const has = (line: string | undefined) => attrsOf(line!).includes("Secure");
  assert.ok(has((await written(createCookieSession({ secret: SECRET, secure: true }), ada))[0]));
  assert.not.ok(has((await written(createCookieSession({ secret: SECRET, secure: false }), ada, { "x-forwarded-proto": "https" }))[0]));
  assert.not.ok(has((await written(session, ada))[0]), "auto, plain HTTP");
  assert.ok(has((await written(session, ada, { "x-forwarded-proto": "https" }))[0]), "auto, behind a TLS proxy");
  assert.ok(has((await written(session, ada, { "x-forwarded-proto": "HTTPS, http" }))[0]), "the first proxy's value counts");
  assert.not.ok(has((await written(session, ada, { "x-forwarded-proto": "http" }))[0]));
  const none = createCookieSession({ secret: SECRET, sameSite: "none" });
  const [line] = await written(none, ada);
  assert.ok(has(line) && attrsOf(line!).includes("SameSite=None"));
  process.env.NODE_ENV = "production";
  try {
    assert.ok(has((await written(createCookieSession({ secret: SECRET }), ada))[0]), "auto, production");
  } finally {
    process.env.NODE_ENV = "test";
  }
  assert.ok(has((await written(createCookieSession({ secret: SECRET, secure: true }), ada))[0]));
});

attrs("write appends to Set-Cookie headers already set, and later ones append after it", async () => {
  handle = (_req, res) => {
    res.setHeader("Set-Cookie", ["theme=dark", "lang=en"]);
    session.write(res, ada);
    res.appendHeader("Set-Cookie", "after=1");
  };
  const lines = (await fetch(base)).headers.getSetCookie();
  assert.equal(lines.map((l) => l.split("=")[0]), ["theme", "lang", "hotline_session", "after"]);
  handle = (_req, res) => {
    res.setHeader("Set-Cookie", "single=1");
    session.write(res, ada);
  };
  assert.equal((await fetch(base)).headers.getSetCookie().map((l) => l.split("=")[0]), ["single", "hotline_session"]);
});

attrs("clear() expires the cookie with the same name, path and flags, and appends too", async () => {
  handle = (_req, res) => {
    res.setHeader("Set-Cookie", "theme=dark");
    session.clear(res);
  };
  const lines = (await fetch(base, { headers: { "x-forwarded-proto": "https" } })).headers.getSetCookie();
  assert.is(lines.length, 2);
  assert.is(lines[0], "theme=dark");
  assert.is(pair(lines[1]!), "hotline_session=");
  const a = attrsOf(lines[1]!);
  for (const want of ["Max-Age=0", "Path=/", "HttpOnly", "SameSite=Lax", "Secure"]) assert.ok(a.includes(want), `${want} in ${lines[1]}`);
  assert.ok(Date.parse(a.find((x) => x.startsWith("Expires="))!.slice(8)) <= 0, "Expires in 1970");
  assert.is(await seen(session, pair(lines[1]!)), null, "what the browser may still send after it is not a session");
});
attrs.run();

// ── what the app gets wrong ─────────────────────────────────────────────────────────────────────
const errs = suite("errors");

errs("a session too large for a cookie is too_large (the app's fault) and sets nothing", async () => {
  const fits = await written(session, { id: "u1", name: "x".repeat(2000) });
  assert.equal((await seen(session, pair(fits[0]!)))!.data, { id: "u1", name: "x".repeat(2000) });
  let thrown: unknown;
  handle = (_req, res) => {
    res.setHeader("Set-Cookie", "theme=dark");
    try {
      session.write(res, { id: "u1", name: "x".repeat(3000) });
    } catch (err) {
      thrown = err;
    }
  };
  const lines = (await fetch(base)).headers.getSetCookie();
  assert.instance(thrown, HotlineError);
  assert.is((thrown as HotlineError).code, "too_large");
  assert.is((thrown as HotlineError).fault, "app");
  assert.equal(lines, ["theme=dark"]);
});

errs("data that is not JSON, or null, is refused at write", async () => {
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  for (const data of [10n, cycle, null, undefined]) {
    let thrown: unknown;
    handle = (_req, res) => {
      try {
        session.write(res, data as never);
      } catch (err) {
        thrown = err;
      }
    };
    const lines = (await fetch(base)).headers.getSetCookie();
    assert.instance(thrown, HotlineError, String(data));
    assert.is((thrown as HotlineError).fault, "app");
    assert.equal(lines, []);
  }
});

errs("bad options are refused at creation with a message naming the option", () => {
  const cases: [object, RegExp][] = [
    [{ secret: "short" }, /at least 32 characters/],
    [{ secret: [] }, /non-empty array/],
    [{ secret: [SECRET, "short"] }, /at least 32 characters/],
    [{}, /secret/],
    [{ secret: SECRET, maxAgeSeconds: 0 }, /maxAgeSeconds/],
    [{ secret: SECRET, maxAgeSeconds: 1.5 }, /maxAgeSeconds/],
    [{ secret: SECRET, name: "bad name;" }, /cookie name/],
    [{ secret: SECRET, sameSite: "none", secure: false }, /secure/],
    [{ secret: SECRET, sameSite: "sometimes" }, /sameSite/],
    [{ secret: SECRET, path: "/a;b" }, /path/i],
  ];
  for (const [options, message] of cases) {
    const err = errorOf(() => createCookieSession(options as never));
    assert.instance(err, TypeError, JSON.stringify(options));
    assert.match(err.message, message);
  }
  assert.ok(createCookieSession({ secret: "x".repeat(32) }), "exactly 32 characters is enough");
});
errs.run();

// uvu runs suites one after another; close once the last has run.
const close = suite("close");
close("server closes", async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
close.run();
