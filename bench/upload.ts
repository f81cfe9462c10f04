// Upload throughput over the WebSocket (docs/uploads.md: announce, binary chunks within the
// server's window, acks, written to a temp file) against a plain HTTP POST of the same file to the
// same server, streamed to a temp file: the floor, measured in the same run, taking turns. Then
// the event round trip on a connection while that connection uploads, against the same
// connection calm. The client runs in a child process (a browser's part); the server here.
// Without ws's optional native addon bufferutil the server unmasks every byte in JavaScript, which
// bounds the upload; the figures say which (NODE_PATH=<dir with bufferutil> tries it without
// installing it in the project).
// Run: node --conditions=hotline-source --import tsx bench/upload.ts
//   SIZE=50000000 (bytes per upload)  ROUNDS=5  EVENTS=200 (round trips per phase)
//   WINDOW (uploads.maxInFlightBytes, default 4 MiB)  MAX_PAYLOAD (the frame limit, default 64 KiB)
import { fork, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { createWriteStream, mkdtempSync, rmSync, unlinkSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { WebSocket } from "ws";
import { Component } from "../server/core/component.js";
import { Registry } from "../server/core/registry.js";
import { html } from "../server/core/template/template.js";
import { createHotline } from "../server/hotline.js";
import { chunkFrame } from "../server/live/uploads/messages.js";
import { UPLOAD_CHUNK, UPLOAD_HEADER_BYTES as HEADER } from "../protocol/wire.js";
import { fmt, median } from "./measure.js";
import { round, summary } from "./summary.js";

const SIZE = Number(process.env.SIZE ?? (process.env.BENCH_QUICK ? 10_000_000 : 50_000_000));
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const EVENTS = Number(process.env.EVENTS ?? (process.env.BENCH_QUICK ? 50 : 200));

/** How the client masks its frames: as a browser (a fast mask of its own), with ws's JavaScript, or with a zero key (no cost on either end). */
type Mask = "browser" | "ws" | "zero";
type Job = { t: "ws" | "http" | "rtt"; ws: string; http: string; mask?: Mask };
type Out = { ms: number } | { calm: number[]; during: number[]; uploadMs: number };


// ---------- the client (child process) ----------

function httpUpload(url: string, file: Buffer): Promise<number> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "Content-Type": "application/octet-stream", "Content-Length": file.length } }, (res) => {
      res.resume();
      res.on("end", () => resolve(performance.now() - t));
    });
    req.on("error", reject);
    req.end(file);
  });
}

/** A raw protocol connection: requests by ref, a handler for the rest. */
let mask: Mask = "browser";

async function connect(url: string): Promise<{ ws: WebSocket; ask(m: Record<string, unknown>): Promise<any>; on(fn: (m: any) => void): void }> {
  // zero: frames masked with a zero key, which ws skips on both ends: masking at no cost, as with
  // native code on both sides (a browser masks natively; the server with ws's optional bufferutil).
  const ws = new WebSocket(url, mask === "zero" ? { generateMask: (m: Buffer) => void m.fill(0) } : {});
  await new Promise((r, j) => (ws.once("open", r), ws.once("error", j)));
  let ref = 0;
  const waits = new Map<number, (m: any) => void>();
  let other: (m: any) => void = () => {};
  ws.on("message", (d) => {
    const m = JSON.parse(String(d));
    const w = m.ref && waits.get(m.ref);
    if (w) waits.delete(m.ref), w(m);
    else other(m);
  });
  return {
    ws,
    ask: (m) => new Promise((r) => (waits.set(++ref, r), ws.send(JSON.stringify({ ...m, ref })))),
    on: (fn) => void (other = fn),
  };
}

/** Announces and sends `file` within the window; resolves on its last ack. */
async function sendFile(c: Awaited<ReturnType<typeof connect>>, id: string, file: Buffer): Promise<number> {
  const t = performance.now();
  const a = await c.ask({ t: "upload", id, name: "file", entries: [{ name: "f.bin", size: file.length, type: "" }] });
  const entry: number = a.entries[0].entry;
  const chunk: number = a.chunk;
  const window: number = a.window;
  let sent = 0;
  let acked = 0;
  await new Promise<void>((done) => {
    const pump = () => {
      while (sent < file.length && sent - acked + Math.min(chunk, file.length - sent) <= window) {
        const n = Math.min(chunk, file.length - sent);
        if (mask === "browser") browserFrame(c.ws, entry, sent, file, n);
        else c.ws.send(chunkFrame(entry, sent, file.subarray(sent, sent + n)));
        sent += n;
      }
    };
    c.on((m) => {
      if (m.t !== "upload_ack" || m.entry !== entry) return;
      acked = m.at;
      if (acked === file.length) done();
      else pump();
    });
    pump();
  });
  return performance.now() - t;
}

/**
 * A chunk frame as a browser sends it: a random mask key, the payload masked a word at a time
 * (a browser does it natively; ws's JavaScript goes a byte at a time), written to the socket
 * beside ws's own frames (the same socket, in order).
 */
function browserFrame(ws: WebSocket, entry: number, offset: number, file: Buffer, n: number): void {
  const len = HEADER + n;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const pad = (4 - ((head + 4) % 4)) % 4; // the payload starts on a 4-byte boundary
  const buf = Buffer.allocUnsafe(pad + head + 4 + len);
  let o = pad;
  buf[o++] = 0x82;
  if (head === 2) buf[o++] = 0x80 | len;
  else if (head === 4) (buf[o++] = 0x80 | 126), buf.writeUInt16BE(len, o), (o += 2);
  else (buf[o++] = 0x80 | 127), buf.writeUInt32BE(0, o), buf.writeUInt32BE(len, o + 4), (o += 8);
  const key = randomBytes(4);
  key.copy(buf, o);
  o += 4;
  buf[o] = UPLOAD_CHUNK;
  buf.writeUInt32BE(entry, o + 1);
  buf.writeUInt32BE(Math.floor(offset / 2 ** 32), o + 5);
  buf.writeUInt32BE(offset >>> 0, o + 9);
  file.copy(buf, o + HEADER, offset, offset + n);
  const words = new Uint32Array(buf.buffer, buf.byteOffset + o, len >> 2);
  const k = key.readUInt32LE(0);
  for (let i = 0; i < words.length; i++) words[i]! ^= k;
  for (let i = len & ~3; i < len; i++) buf[o + i]! ^= key[i & 3]!;
  (ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(buf.subarray(pad));
}

async function wsUpload(url: string, file: Buffer): Promise<{ ms: number }> {
  const c = await connect(url);
  await c.ask({ t: "join", id: "u", name: "sink" });
  const ms = await sendFile(c, "u", file);
  await c.ask({ t: "event", id: "u", event: "save" });
  c.ws.close();
  return { ms };
}

/** Event round trips on one connection: calm, then while it uploads. */
async function rtt(url: string, file: Buffer): Promise<Out> {
  const c = await connect(url);
  await c.ask({ t: "join", id: "u", name: "sink" });
  await c.ask({ t: "join", id: "v", name: "sink" });
  const trips = async (n: number, going?: () => boolean) => {
    const out: number[] = [];
    for (let i = 0; i < n && (!going || going()); i++) {
      const t = performance.now();
      await c.ask({ t: "event", id: "v", event: "tick" });
      out.push(performance.now() - t);
    }
    return out;
  };
  const calm = await trips(EVENTS);
  let uploading = true;
  const up = sendFile(c, "u", file).then((ms) => ((uploading = false), ms));
  const during = await trips(EVENTS, () => uploading);
  const uploadMs = await up;
  await c.ask({ t: "event", id: "u", event: "save" });
  c.ws.close();
  return { calm, during, uploadMs };
}

// ---------- the server (this process) ----------

class Sink extends Component<{ n: number }> {
  static uploads = { file: { maxFileSize: 2_000_000_000, chunkSize: 1 << 20 } };
  mount() {
    this.state.n = 0;
  }
  onTick() {
    this.state.n += 1;
  }
  async onSave() {
    await this.consumeUploads("file", () => undefined);
  }
  render() {
    const e = this.uploads.file!.entries[0];
    return html`<p>${this.state.n} ${e ? e.progress : ""}</p>`;
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "hotline-bench-upload-"));
  const registry = new Registry();
  registry.register("sink", Sink);
  const hotline = createHotline({
    registry, secret: "bench-upload-secret-0123456789", logger: { error() {} },
    uploads: { tempDir: dir, ...(process.env.WINDOW && { maxInFlightBytes: Number(process.env.WINDOW) }) },
    ...(process.env.MAX_PAYLOAD && { maxPayload: Number(process.env.MAX_PAYLOAD) }),
    // Round trips back to back go past the default 50 messages/s (then 1008): the bench is not abuse.
    maxConnectionsPerAddress: 0, connectRate: { perSecond: 0 }, rateLimit: { perSecond: 1e6, burst: 1e6 },
  });
  let plain = 0;
  const server = createServer((req, res) => {
    if (req.url !== "/plain") return void hotline.handler(req, res);
    // The floor: the body streamed to a temp file, as an upload endpoint without Hotline would.
    const path = join(dir, `plain-${++plain}`);
    const out = createWriteStream(path, { mode: 0o600 });
    req.pipe(out);
    out.on("finish", () => {
      unlinkSync(path);
      res.writeHead(204).end();
    });
  });
  hotline.attach(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const job = { ws: `ws://127.0.0.1:${port}/live`, http: `http://127.0.0.1:${port}/plain` };
  const child: ChildProcess = fork(new URL(import.meta.url).pathname, ["client"], { execArgv: process.execArgv });
  const run = (t: Job["t"], m: Mask = "browser") => new Promise<Out>((r) => (child.once("message", (x) => r(x as Out)), child.send({ ...job, t, mask: m })));

  console.log(`upload of ${fmt(SIZE / 1e6, 1)} MB, ${ROUNDS} rounds (the WebSocket and plain HTTP take turns); frame limit ${hotline.context.options.maxPayload} bytes`);
  const mbs = (ms: number) => SIZE / 1e6 / (ms / 1000);
  const http: number[] = [];
  const by: Record<Mask, number[]> = { browser: [], ws: [], zero: [] };
  await run("http"); // warm-up: both paths, the disk cache
  await run("ws");
  for (let i = 0; i < ROUNDS; i++) {
    http.push(mbs(((await run("http")) as { ms: number }).ms));
    for (const m of ["browser", "ws", "zero"] as const) by[m].push(mbs(((await run("ws", m)) as { ms: number }).ms));
    console.log(`  round ${i + 1}: plain HTTP ${fmt(http.at(-1)!, 1)} MB/s; WebSocket ${fmt(by.browser.at(-1)!, 1)} MB/s (ws's JS masking ${fmt(by.ws.at(-1)!, 1)}, masking free ${fmt(by.zero.at(-1)!, 1)})`);
  }
  const ratio = (m: Mask) => median(by[m]) / median(http);
  const met = (x: number) => `${x.toFixed(2)}x (goal >= 0.8x): ${x >= 0.8 ? "met" : "NOT met"}`;
  // ws unmasks (and masks) natively when its optional addon bufferutil is installed, else a byte at a time in JavaScript.
  let native = false;
  try {
    createRequire(createRequire(import.meta.url).resolve("ws"))("bufferutil");
    native = true;
  } catch {
    // not installed
  }
  console.log(`plain HTTP POST: ${fmt(median(http), 1)} MB/s median; the server unmasks ${native ? "natively (bufferutil)" : "in JavaScript (no bufferutil installed)"}`);
  console.log(`WebSocket, a browser-like client (masks a word at a time): ${fmt(median(by.browser), 1)} MB/s, ratio ${met(ratio("browser"))}`);
  console.log(`  a Node client (ws's own masking${native ? ", native" : ", JavaScript"}): ${fmt(median(by.ws), 1)} MB/s, ratio ${ratio("ws").toFixed(2)}x`);
  console.log(`  masking free on both ends (a zero key, which ws skips): ${fmt(median(by.zero), 1)} MB/s, ratio ${met(ratio("zero"))}`);

  const r = (await run("rtt")) as { calm: number[]; during: number[]; uploadMs: number };
  const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
  console.log(
    `event round trip on the uploading connection: calm median ${r.calm.length ? median(r.calm).toFixed(2) : "-"} ms (p99 ${p(r.calm, 0.99).toFixed(2)}), ` +
      `during the upload median ${r.during.length ? median(r.during).toFixed(2) : "-"} ms (p99 ${r.during.length ? p(r.during, 0.99).toFixed(2) : "-"}, ${r.during.length} events in ${r.uploadMs.toFixed(0)} ms of upload)`,
  );
  summary("upload", {
    native_unmask: native, http_mb_s: round(median(http), 1), ws_mb_s: round(median(by.browser), 1), ratio: round(ratio("browser"), 2),
    ws_js_mask_mb_s: round(median(by.ws), 1), ws_free_mask_mb_s: round(median(by.zero), 1), ratio_free_mask: round(ratio("zero"), 2),
    rtt_calm_ms: round(median(r.calm), 2), rtt_during_ms: r.during.length ? round(median(r.during), 2) : -1,
  });
  child.kill();
  await hotline.close();
  server.closeAllConnections();
  await new Promise((res) => server.close(res));
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv[2] === "client") {
  const file = randomBytes(SIZE);
  process.on("message", async (job: Job) => {
    mask = job.mask ?? "browser";
    if (job.t === "http") process.send!({ ms: await httpUpload(job.http, file) });
    else if (job.t === "ws") process.send!({ ms: (await wsUpload(job.ws, file)).ms });
    else process.send!(await rtt(job.ws, file));
  });
} else {
  await main();
}
