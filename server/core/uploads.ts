/**
 * The component's side of file uploads (docs/uploads.md): what `allowUpload()` declares, the
 * entries a render reads (`this.uploads.avatar.entries`), the checks every announced file passes
 * (type, size, count) and what `consumeUploads()` hands the app. The bytes themselves (temp files,
 * the WebSocket's chunks) are the live runtime's: server/live/uploads/.
 */
import { HotlineError } from "./errors.js";

/** What the app gives an external upload's entry: where the browser sends the file itself. */
export interface ExternalUpload {
  /** Where the browser sends the file (a presigned URL). */
  url: string;
  /** `POST` (default: a multipart form of `fields`, then the file as `file`) or `PUT` (the file as the body). */
  method?: "POST" | "PUT";
  /** Form fields sent before the file (a presigned POST's policy, key, signature). */
  fields?: Record<string, string>;
  /** Kept on the server (never sent): `consumeUploads` hands it back (the object's key, say). */
  meta?: unknown;
}

/** What an announced file says of itself (untrusted: the browser's word). */
export interface UploadFileInfo {
  name: string;
  size: number;
  type: string;
}

/** Options of {@link Component.allowUpload}. */
export interface UploadOptions {
  /**
   * Accepted files: extensions (`".png"`), MIME types (`"image/png"`) or families (`"image/*"`),
   * as a list or a comma-separated string. Default: any file. The browser's word: check the
   * content too when it matters.
   */
  accept?: string | readonly string[];
  /** Largest file, in bytes. Default 8,000,000. */
  maxFileSize?: number;
  /** Files held at once (uploading or done, not consumed yet). Default 1: a new file replaces the old. */
  maxEntries?: number;
  /** Bytes of file per WebSocket frame; at most the frame limit minus the chunk header. Default 64,000. */
  chunkSize?: number;
  /** Uploads straight to storage: the URL (and fields) the browser sends each accepted file to. */
  external?: (entry: UploadFileInfo, component: unknown) => ExternalUpload | Promise<ExternalUpload>;
}

/** One file of an upload, as a render sees it. */
export interface UploadEntry {
  /** Its reference (`hl-upload-cancel`, `hl-upload-preview`, `cancelUpload`). */
  readonly ref: string;
  readonly name: string;
  readonly size: number;
  readonly type: string;
  /** 0–100. */
  progress: number;
  /** All its bytes arrived (or the external upload said so). */
  done: boolean;
  /** Why it is refused; such an entry never sends a byte. */
  errors: string[];
}

/** An upload as a render sees it: `this.uploads.<name>`. */
export interface UploadSlot {
  readonly name: string;
  readonly entries: UploadEntry[];
  /** Errors of the upload as a whole ("too many files"). */
  errors: string[];
  /** The `accept` list as an `<input accept>` value ("" for any). */
  readonly accept: string;
  readonly options: Readonly<Required<Omit<UploadOptions, "external" | "accept">>> & Pick<UploadOptions, "external">;
}

/** What `consumeUploads` hands the app for each completed file. */
export interface ConsumedUpload extends UploadFileInfo {
  /** The temp file holding it (deleted once the callback resolves); absent for an external upload. */
  path?: string;
  /** An external upload's `meta`. */
  meta?: unknown;
}

/** What backs an entry: its temp file, and how to let it go (server/live/uploads/). */
export interface EntryBacking {
  path?: string;
  meta?: unknown;
  /** Stops its transfer, deletes its temp file, removes it from its slot. Idempotent. */
  drop(): Promise<void>;
}

export const DEFAULT_MAX_FILE_SIZE = 8_000_000;
export const DEFAULT_CHUNK_SIZE = 64_000;

const backings = new WeakMap<UploadEntry, EntryBacking>();
const slotsOf = new WeakMap<object, Record<string, UploadSlot>>();

/** The uploads of a component (`this.uploads`), with those its class declares (`static uploads`). */
export function uploadsOf(component: object): Record<string, UploadSlot> {
  let s = slotsOf.get(component);
  if (!s) {
    slotsOf.set(component, (s = {}));
    const declared = (component.constructor as { uploads?: Record<string, UploadOptions> }).uploads;
    if (declared) for (const [name, options] of Object.entries(declared)) allowUpload(component, name, options);
  }
  return s;
}

/** Whether `component` has upload slots (declared, or made by a read of `this.uploads`). */
export function hasUploads(component: object): boolean {
  return slotsOf.has(component);
}

/** Declares (or re-declares, keeping its entries) the upload `name` of `component`. */
export function allowUpload(component: object, name: string, options: UploadOptions = {}): UploadSlot {
  if (typeof name !== "string" || !name) throw new HotlineError("handler_error", "an upload's name is a non-empty string", { fault: "app" });
  const accept = (typeof options.accept === "string" ? options.accept.split(",") : options.accept ?? []).map((a) => a.trim().toLowerCase()).filter(Boolean);
  const int = (v: number | undefined, d: number, what: string) => {
    if (v === undefined) return d;
    if (!Number.isSafeInteger(v) || v < 1) throw new HotlineError("handler_error", `allowUpload("${name}"): ${what} is a positive integer`, { fault: "app" });
    return v;
  };
  const declared: Pick<UploadSlot, "accept" | "options"> = {
    accept: accept.join(","),
    options: {
      maxFileSize: int(options.maxFileSize, DEFAULT_MAX_FILE_SIZE, "maxFileSize"),
      maxEntries: int(options.maxEntries, 1, "maxEntries"),
      chunkSize: int(options.chunkSize, DEFAULT_CHUNK_SIZE, "chunkSize"),
      ...(options.external && { external: options.external }),
    },
  };
  // One slot per name for the component's life: a re-declaration updates it in place, so the
  // uploads in progress (server/live/uploads/) keep the slot a render and a new choice see.
  const slots = uploadsOf(component);
  const slot = Object.assign((slots[name] ??= { name, entries: [], errors: [] } as unknown as UploadSlot), declared);
  acceptLists.set(slot, accept);
  return slot;
}

const acceptLists = new WeakMap<UploadSlot, string[]>();

/** Why `file` is refused by `slot` (empty when it is accepted). The messages are safe to show. */
export function checkFile(slot: UploadSlot, file: UploadFileInfo): string[] {
  const errors: string[] = [];
  const accept = acceptLists.get(slot) ?? [];
  if (accept.length && !accepts(accept, file)) errors.push(`not an accepted file type (${accept.join(", ")})`);
  if (file.size > slot.options.maxFileSize) errors.push(`too large: ${mb(file.size)} (at most ${mb(slot.options.maxFileSize)})`);
  return errors;
}

function accepts(accept: readonly string[], file: UploadFileInfo): boolean {
  const name = file.name.toLowerCase();
  const type = file.type.toLowerCase();
  return accept.some((a) =>
    a === "*" || a === "*/*" ? true : a.startsWith(".") ? name.endsWith(a) : a.endsWith("/*") ? type.startsWith(a.slice(0, -1)) : type === a,
  );
}

const mb = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(0)} kB` : `${n} bytes`);

/** Makes an entry of `slot` (not added yet). */
export function newEntry(ref: string, file: UploadFileInfo, errors: string[]): UploadEntry {
  return { ref, name: file.name, size: file.size, type: file.type, progress: 0, done: false, errors };
}

/** Ties an entry to its bytes (the live runtime's). */
export function backEntry(entry: UploadEntry, backing: EntryBacking): void {
  backings.set(entry, backing);
}

/** Removes `entry` from `slot` (nothing else: its backing's `drop` calls this). */
export function removeEntry(slot: UploadSlot, entry: UploadEntry): void {
  const i = slot.entries.indexOf(entry);
  if (i >= 0) slot.entries.splice(i, 1);
}

function slotOf(component: object, name: string): UploadSlot {
  const slot = uploadsOf(component)[name];
  if (!slot) throw new HotlineError("handler_error", `no upload named "${name}": call allowUpload("${name}") first`, { fault: "app" });
  return slot;
}

/** `cancelUpload`: drops the entry `ref` of upload `name` at once (its transfer stops, its temp file goes). */
export function cancelUpload(component: object, name: string, ref: string | number): void {
  const slot = slotOf(component, name);
  const entry = slot.entries.find((e) => e.ref === String(ref));
  if (!entry) return;
  removeEntry(slot, entry);
  void backings.get(entry)?.drop().catch(() => undefined);
}

/**
 * `consumeUploads`: hands each completed file of upload `name` to `fn` (its temp file's path and
 * metadata), awaits it, then deletes the temp file and removes the entry. Entries still uploading
 * or refused stay. A `fn` that throws keeps its file (and the later ones) and throws.
 */
export async function consumeUploads<R>(component: object, name: string, fn: (file: ConsumedUpload) => R | Promise<R>): Promise<R[]> {
  const slot = slotOf(component, name);
  const out: R[] = [];
  for (const entry of slot.entries.filter((e) => e.done && !e.errors.length)) {
    const b = backings.get(entry);
    const file: ConsumedUpload = { name: entry.name, size: entry.size, type: entry.type };
    if (b?.path !== undefined) file.path = b.path;
    if (b?.meta !== undefined) file.meta = b.meta;
    out.push(await fn(file));
    removeEntry(slot, entry);
    await b?.drop();
  }
  return out;
}
