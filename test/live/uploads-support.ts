// What the upload tests share: a component that takes uploads, a raw client that speaks the
// upload frames (docs/uploads.md), and a look at the temp directory.
import { createHash } from "node:crypto";
import { z } from "zod";
import { mkdtempSync, readdirSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import type { ConsumedUpload } from "../../server/core/uploads.js";
import { startServer, TestClient, type Msg } from "../support/ws-client.js";

export const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Every Avatar instance, newest last, and what its saves received. */
export const made: Avatar[] = [];

export class Avatar extends Component<{ saved: number }> {
  static clientParams = z.object({ max: z.number().optional() });
  received: { file: ConsumedUpload; hash: string; existed: boolean }[] = [];
  mount() {
    this.state.saved = 0;
    made.push(this);
    this.allowUpload("avatar", { accept: [".png", "image/jpeg"], maxFileSize: 2_000_000, maxEntries: Number(this.params.max ?? 1), chunkSize: 16_000 });
    this.allowUpload("doc", { external: (f) => ({ url: "http://s3.test/bucket", fields: { key: `up/${f.name}` }, meta: { key: `up/${f.name}` } }) });
  }
  async onSave() {
    const { readFile } = await import("node:fs/promises");
    await this.consumeUploads("avatar", async (file) => {
      const bytes = await readFile(file.path!);
      this.received.push({ file, hash: sha256(bytes), existed: true });
    });
    await this.consumeUploads("doc", (file) => void this.received.push({ file, hash: "", existed: false }));
    this.state.saved += 1;
  }
  onDrop(p: { ref: string }) {
    this.cancelUpload("avatar", p.ref);
  }
  render() {
    const u = this.uploads.avatar!;
    return html`<form>${u.entries.map((e) => html`<p>${e.name} ${e.progress}% ${e.done ? "done" : ""} ${e.errors.join("; ")}</p>`)}<em>${u.errors.join("; ")}</em><b>${this.state.saved}</b></form>`;
  }
}

export const registry = new Registry();
registry.register("avatar", Avatar);

/** A server with its own temp directory. */
export async function serve(options: Parameters<typeof startServer>[0] = {}) {
  const tempDir = mkdtempSync(join(tmpdir(), "hotline-upload-test-"));
  const s = await startServer({ registry, ...options, uploads: { tempDir, progressMs: 20, ...options.uploads } });
  return {
    ...s, tempDir,
    async stop() {
      await s.stop();
      rmSync(tempDir, { recursive: true, force: true });
    },
  };
}

/** The temp files the server holds under `tempDir` (inside its per-process directory). */
export function tempFiles(tempDir: string): string[] {
  if (!existsSync(tempDir)) return [];
  return readdirSync(tempDir).flatMap((d) => readdirSync(join(tempDir, d)).map((f) => join(tempDir, d, f)));
}

/** A chunk frame: `[1, entry u32, offset u64, bytes]`. */
export function chunkFrame(entry: number, offset: number, bytes: Uint8Array): Buffer {
  const b = Buffer.alloc(13 + bytes.length);
  b[0] = 1;
  b.writeUInt32BE(entry, 1);
  b.writeUInt32BE(Math.floor(offset / 2 ** 32), 5);
  b.writeUInt32BE(offset >>> 0, 9);
  b.set(bytes, 13);
  return b;
}

/** Announces `files` for upload `name` of instance `id`; resolves with the answer. */
export function announce(c: TestClient, id: string, name: string, files: { name: string; size: number; type?: string }[]): Promise<Msg> {
  return c.request({ t: "upload", id, name, entries: files.map((f) => ({ name: f.name, size: f.size, type: f.type ?? "" })) });
}

/** Sends `bytes` as entry `entry`'s chunks, keeping at most `window` bytes unacknowledged; resolves on the last ack. */
export async function sendFile(c: TestClient, entry: number, bytes: Uint8Array, chunk: number, window: number): Promise<void> {
  let sent = 0;
  let acked = 0;
  while (acked < bytes.length) {
    while (sent < bytes.length && sent - acked + Math.min(chunk, bytes.length - sent) <= window) {
      const n = Math.min(chunk, bytes.length - sent);
      c.send(chunkFrame(entry, sent, bytes.subarray(sent, sent + n)), true);
      sent += n;
    }
    const ack = await c.next((m) => m.t === "upload_ack" && m.entry === entry && m.at > acked, 10_000);
    acked = ack.at;
  }
}

/** Resolves once `pred` holds (polling), or fails after `ms`. */
export async function until(pred: () => boolean, ms = 5000, what = "a condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
