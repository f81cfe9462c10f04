// The HTTP transport's edges under hostile clients, over real sockets (issue 17, item 5): the
// invalid-token limiter never refuses valid tokens, the same-origin default does not trust the
// Host header alone (DNS rebinding), an oversize body gets its 413 rather than a broken pipe,
// and a body that trickles in gets 408 instead of holding the request for minutes.
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createHotline, type HotlineOptions } from "../../../server/hotline.js";
import { testRegistry } from "../../support/http-components.js";

interface Running { port: number; base: string; stop(): Promise<void> }

async function start(options: HotlineOptions = {}): Promise<Running> {
  const hotline = createHotline({ registry: testRegistry(), secret: "edges-test-secret-0123456789", logger: { error() {} }, ...options });
  const server = http.createServer((req, res) => void hotline.handler(req, res));
  hotline.attach(server);
  server.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    async stop() {
      await hotline.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A request through node:http, which (unlike fetch) lets a test set Host. */
function request(port: number, path: string, headers: Record<string, string>, body = ""): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, method: "POST", headers: { "content-length": String(Buffer.byteLength(body)), ...headers } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode!, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const json = { "content-type": "application/json" };
const post = (s: Running, body: unknown, headers: Record<string, string> = {}) =>
  request(s.port, "/components/counter", { ...json, ...headers }, JSON.stringify(body));

// ---------------------------------------------------------------------------------------------
const limiter = suite("invalid-token limiter");

limiter("after 20 bad tokens from an address, its bad tokens get 429 and its valid ones still work", async () => {
  const s = await start();
  try {
    const first = await post(s, { params: { start: 1 } });
    assert.is(first.status, 200);
    const token = JSON.parse(first.text).state as string;
    const bad = token.slice(0, -4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await post(s, { state: bad, event: "increment" })).status);
    assert.equal(statuses.slice(0, 20), Array(20).fill(400));
    assert.equal(statuses.slice(20), Array(5).fill(429), "past the limit a bad token gets 429");
    const ok = await post(s, { state: token, event: "increment" });
    assert.is(ok.status, 200, "a valid token from the same address (a proxy's, a NAT's) is served");
    assert.match(JSON.parse(ok.text).html, /Count: 2/);
    const fresh = await post(s, { params: { start: 5 } });
    assert.is(fresh.status, 200, "and so is a request without a token");
  } finally {
    await s.stop();
  }
});

limiter("X-Forwarded-For keys the limiter only with trustProxy", async () => {
  const s = await start({ trustProxy: 1 });
  const plain = await start();
  try {
    const bad = "v1.not.a-token";
    for (let i = 0; i < 21; i++) await post(s, { state: bad }, { "x-forwarded-for": `198.51.100.${i}, 10.0.0.1` });
    assert.is((await post(s, { state: bad }, { "x-forwarded-for": "10.0.0.1" })).status, 429, "the last hop's address is the key");
    assert.is((await post(s, { state: bad }, { "x-forwarded-for": "10.0.0.2" })).status, 400, "another client behind the proxy is not limited");
    for (let i = 0; i < 20; i++) await post(plain, { state: bad }, { "x-forwarded-for": `10.1.0.${i}` });
    assert.is((await post(plain, { state: bad }, { "x-forwarded-for": "10.9.9.9" })).status, 429, "without trustProxy a written header changes nothing");
  } finally {
    await s.stop();
    await plain.stop();
  }
});
limiter.run();

// ---------------------------------------------------------------------------------------------
const rebinding = suite("DNS rebinding: Host and Origin both set to another name");

/** A WebSocket handshake with the given Host and Origin: the status the server answers. */
function upgrade(port: number, host: string, origin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: "127.0.0.1", port, path: "/live",
      headers: { host, origin, connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" },
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve(res.statusCode!);
    });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on("error", reject);
    req.end();
  });
}

rebinding("by default the POST endpoints and the WebSocket upgrade refuse a foreign name, and accept localhost names", async () => {
  const s = await start();
  try {
    const evil = `rebind.attacker.example:${s.port}`;
    const forged = await post(s, { params: {} }, { host: evil, origin: `http://${evil}` });
    assert.is(forged.status, 403);
    assert.is(JSON.parse(forged.text).error.code, "unauthorized");
    const form = await request(s.port, "/components/counter", { host: evil, origin: `http://${evil}`, "content-type": "application/x-www-form-urlencoded", "hx-request": "true" }, "event=increment");
    assert.is(form.status, 403);
    assert.is(await upgrade(s.port, evil, `http://${evil}`), 403);
    for (const host of [`localhost:${s.port}`, `127.0.0.1:${s.port}`, `app.localhost:${s.port}`]) {
      assert.is((await post(s, { params: {} }, { host, origin: `http://${host}` })).status, 200, host);
      assert.is(await upgrade(s.port, host, `http://${host}`), 101, host);
    }
    assert.is((await post(s, { params: {} })).status, 200, "a client without Origin (not a browser) as before");
  } finally {
    await s.stop();
  }
});

rebinding("allowedHosts names the production hosts (and .domain its subdomains)", async () => {
  const s = await start({ allowedHosts: ["app.example.com", ".example.net"] });
  try {
    for (const host of ["app.example.com", `app.example.com:${s.port}`, "eu.example.net"]) {
      assert.is((await post(s, { params: {} }, { host, origin: `https://${host}` })).status, 200, host);
      assert.is(await upgrade(s.port, host, `https://${host}`), 101, host);
    }
    for (const host of ["example.com.attacker.example", "attacker.example"]) {
      assert.is((await post(s, { params: {} }, { host, origin: `https://${host}` })).status, 403, host);
      assert.is(await upgrade(s.port, host, `https://${host}`), 403, host);
    }
    assert.is((await post(s, { params: {} }, { host: "app.example.com", origin: "https://attacker.example" })).status, 403, "a foreign Origin still");
  } finally {
    await s.stop();
  }
});
rebinding.run();

// ---------------------------------------------------------------------------------------------
const bodies = suite("oversize and slow bodies");

/**
 * Sends `head` and the first chunk of `body` over a raw socket, waits for the server's first
 * bytes (as a slow uplink would still be sending when the answer comes), then the rest; resolves
 * with what the server answered and any socket error.
 */
function raw(port: number, head: string, body: Buffer, first: number, chunk = 16 * 1024): Promise<{ answer: string; error?: string }> {
  return new Promise((resolve) => {
    const sock = net.connect(port, "127.0.0.1");
    let answer = "";
    let error: string | undefined;
    let answered: () => void;
    const firstBytes = new Promise<void>((r) => (answered = r));
    sock.setEncoding("latin1");
    sock.on("data", (d) => ((answer += d), answered()));
    sock.on("error", (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
    sock.on("close", () => (answered(), resolve(error ? { answer, error } : { answer })));
    sock.on("connect", async () => {
      sock.write(head);
      sock.write(body.subarray(0, first));
      await firstBytes;
      for (let i = first; i < body.length && !sock.destroyed; i += chunk) {
        if (!sock.write(body.subarray(i, i + chunk))) await new Promise((r) => sock.once("drain", r).once("close", r));
      }
      if (!sock.destroyed) sock.end();
    });
  });
}

bodies("a body over the limit gets its 413, with no broken pipe, with and without Content-Length", async () => {
  const s = await start({ maxPayload: 64 * 1024 });
  try {
    const body = Buffer.alloc(768 * 1024, "a");
    for (const framing of ["length", "chunked"] as const) {
      for (let run = 0; run < 3; run++) {
        const payload = framing === "length" ? body : Buffer.concat([Buffer.from(body.length.toString(16) + "\r\n"), body, Buffer.from("\r\n0\r\n\r\n")]);
        const head = `POST /components/counter HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nContent-Type: application/json\r\n` +
          (framing === "length" ? `Content-Length: ${body.length}\r\n` : "Transfer-Encoding: chunked\r\n") + "\r\n";
        // the first 128 KiB are over the limit whatever the framing: the 413 comes while the rest waits
        const { answer, error } = await raw(s.port, head, payload, 128 * 1024);
        assert.is(error, undefined, `${framing} #${run}: the client's writes all went through`);
        assert.match(answer, /^HTTP\/1\.1 413 /, `${framing} #${run}`);
        assert.match(answer, /"code":"too_large"/);
      }
    }
    assert.is((await post(s, { params: {} })).status, 200, "the server serves on");
  } finally {
    await s.stop();
  }
});

bodies("a body that trickles in gets 408 after bodyTimeoutMs (default 10 s), not Node's 300 s", async () => {
  const s = await start({ bodyTimeoutMs: 500 });
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(s.port, "127.0.0.1");
      let text = "";
      sock.setEncoding("latin1");
      sock.on("data", (d) => (text += d));
      sock.on("error", () => {});
      sock.on("close", () => resolve(text));
      sock.on("connect", () => {
        sock.write(`POST /components/counter HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"par`);
      });
      // far longer than the limit: only a server that never answers trips it
      setTimeout(() => { sock.destroy(); reject(new Error("no answer within 20 s")); }, 20_000).unref();
    });
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.match(answer, /took too long/);
    assert.match(answer, /[Cc]onnection: close/);
  } finally {
    await s.stop();
  }
});
bodies.run();
