/**
 * The upload messages of the WebSocket protocol (docs/uploads.md): the client's `upload`,
 * `upload_cancel` and `upload_progress`, checked; the server's answers, acks and cancels; the
 * binary chunk frame's header.
 */
import { M, T, UPLOAD_CHUNK, UPLOAD_HEADER_BYTES } from "../../../protocol/wire.js";
import type { UploadFileInfo } from "../../core/uploads.js";

/** `upload`: files announced for the upload `name` of the instance `id`. */
export interface UploadMessage { [M.type]: `${T.upload}`; [M.ref]?: number; [M.id]: string; [M.name]: string; [M.entries]: UploadFileInfo[] }
/** `upload_cancel`: the client drops an entry. */
export interface UploadCancelMessage { [M.type]: `${T.uploadCancel}`; [M.ref]?: number; [M.id]: string; [M.entry]: number }
/** `upload_progress`: an external upload's progress, 0–100, or -1 when it failed. */
export interface UploadProgressMessage { [M.type]: `${T.uploadProgress}`; [M.ref]?: number; [M.id]: string; [M.entry]: number; [M.progress]: number }
export type UploadClientMessage = UploadMessage | UploadCancelMessage | UploadProgressMessage;

/** Files one `upload` message may announce, whatever the component allows. */
export const MAX_ANNOUNCED = 100;
const MAX_TEXT = 255;

/**
 * Checks the fields of an upload message (`o`, already known to be an object with type `t`, a
 * valid `id` and `ref`); `bad` throws the protocol's `bad_message` with the message's ref and id.
 */
export function parseUploadMessage(o: Record<string, unknown>, t: string, id: string, ref: number | undefined, bad: (message: string) => never): UploadClientMessage {
  const base = ref === undefined ? { [M.id]: id } : { [M.id]: id, [M.ref]: ref };
  if (t === T.upload) {
    const name = o[M.name];
    if (typeof name !== "string" || !name || name.length > MAX_TEXT) bad(`${M.name} must name the upload (a non-empty string)`);
    const list = o[M.entries];
    if (!Array.isArray(list) || !list.length || list.length > MAX_ANNOUNCED) bad(`${M.entries} must be a list of 1 to ${MAX_ANNOUNCED} files`);
    const entries = (list as unknown[]).map((f) => {
      const e = (f ?? {}) as Record<string, unknown>;
      const n = e[M.name], size = e[M.size], type = e[M.mime] ?? "";
      if (typeof n !== "string" || n.length > MAX_TEXT) bad(`each file's ${M.name} must be a string of at most ${MAX_TEXT} characters`);
      if (!Number.isSafeInteger(size) || (size as number) < 0) bad(`each file's ${M.size} must be a non-negative integer`);
      if (typeof type !== "string" || type.length > MAX_TEXT) bad(`each file's ${M.mime} must be a string of at most ${MAX_TEXT} characters`);
      return { name: n as string, size: size as number, type: type as string };
    });
    return { [M.type]: T.upload, ...base, [M.name]: name as string, [M.entries]: entries };
  }
  const entry = o[M.entry];
  if (!Number.isSafeInteger(entry) || (entry as number) < 1 || (entry as number) > 0xffffffff) bad(`${M.entry} must be an upload entry's ref`);
  if (t === T.uploadCancel) return { [M.type]: T.uploadCancel, ...base, [M.entry]: entry as number };
  const progress = o[M.progress];
  if (!Number.isInteger(progress) || (progress as number) < -1 || (progress as number) > 100) bad(`${M.progress} must be an integer from -1 to 100`);
  return { [M.type]: T.uploadProgress, ...base, [M.entry]: entry as number, [M.progress]: progress as number };
}

/** A chunk frame's header, or a reason to refuse it. */
export function readChunk(data: Buffer): { ref: number; offset: number; bytes: Buffer } | string {
  if (data.length < UPLOAD_HEADER_BYTES || data[0] !== UPLOAD_CHUNK) return "binary frames carry upload chunks only";
  const hi = data.readUInt32BE(5);
  if (hi > 0x1fffff) return "a chunk's offset is out of range";
  return { ref: data.readUInt32BE(1), offset: hi * 2 ** 32 + data.readUInt32BE(9), bytes: data.subarray(UPLOAD_HEADER_BYTES) };
}

/** A chunk frame, as `readChunk` reads it (clients in Node: hotline/testing, the tests, the bench). */
export function chunkFrame(ref: number, offset: number, bytes: Uint8Array): Buffer {
  const b = Buffer.allocUnsafe(UPLOAD_HEADER_BYTES + bytes.length);
  b[0] = UPLOAD_CHUNK;
  b.writeUInt32BE(ref, 1);
  b.writeUInt32BE(Math.floor(offset / 2 ** 32), 5);
  b.writeUInt32BE(offset >>> 0, 9);
  b.set(bytes, UPLOAD_HEADER_BYTES);
  return b;
}

/** `{t:"upload_ack", entry, at}`. */
export function ackFrame(entry: number, at: number): string {
  return `{"${M.type}":"${T.uploadAck}","${M.entry}":${entry},"${M.at}":${at}}`;
}

/** `{t:"upload_cancel", id, entry}`: stop sending this entry. */
export function cancelFrame(id: string, entry: number): string {
  return JSON.stringify({ [M.type]: T.uploadCancel, [M.id]: id, [M.entry]: entry });
}

/** The answer to an `upload`. */
export function answerFrame(ref: number | undefined, id: string, entries: Record<string, unknown>[], chunk: number, window: number): string {
  return JSON.stringify({ [M.type]: T.upload, [M.ref]: ref, [M.id]: id, [M.entries]: entries, [M.chunk]: chunk, [M.window]: window });
}
