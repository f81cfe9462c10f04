/**
 * File uploads (docs/uploads.md): a chunk of its own, which the main client loads the first time
 * a page shows an `hl-upload` input. It announces the files chosen (or dropped on an
 * `hl-drop-target`), sends the ones the server accepts in binary chunks while keeping within the
 * server's window of unacknowledged bytes, drops an entry on `hl-upload-cancel` or when the
 * server says so, shows `hl-upload-preview` images from object URLs, and sends an external
 * entry straight to the URL the server gives, reporting its progress.
 */
import { M, T, UPLOAD_CHUNK, UPLOAD_HEADER_BYTES } from "../protocol/wire.js";
import { Attr, Classes } from "../protocol/attributes.js";
import type { Msg, Sock } from "./socket.js";

/** An accepted entry: its view's id, ref, file, chunk size (c), bytes sent (o) and acknowledged (a). */
type Job = { id: string; r: number; f: File; c: number; o: number; a: number; x?: XMLHttpRequest };

const w = window as any;
const [sock, views] = w.hlU as [Sock, Map<Element, { id: string }>];
/** Entries sending or awaiting their acks, by ref. */
const jobs = new Map<number, Job>();
/** Entries with bytes left to send, in order. */
const queue: Job[] = [];
/** Preview object URLs by entry ref. */
const urls = new Map<string, string>();
let win = 1 << 20;
let flight = 0;
let busy = false;

const idOf = (el: Element) => views.get(el.closest(`[${Attr.component}]`)!)?.id;

function announce(el: Element, name: string, files: File[]): void {
  const id = idOf(el);
  if (!id || !files.length) return;
  sock.send({ [M.type]: T.upload, [M.id]: id, [M.name]: name, [M.entries]: files.map((f) => ({ [M.name]: f.name, [M.size]: f.size, [M.mime]: f.type })) }, (a) => {
    if (a?.[M.type] !== T.upload) return;
    win = a[M.window];
    a[M.entries].forEach((e: Msg, i: number) => {
      const r = e[M.entry];
      const f = files[i]!;
      // refused: the server renders why; no byte is sent
      if (!r || e[M.errors]) return;
      if (/^image\//.test(f.type)) urls.set("" + r, URL.createObjectURL(f));
      const j: Job = { id, r, f, c: a[M.chunk], o: 0, a: 0 };
      jobs.set(r, j);
      if (e[M.url]) external(j, e);
      else if (f.size) queue.push(j);
    });
    void pump();
    show();
  });
}

/** Sends chunks while the window has room for the next one. */
async function pump(): Promise<void> {
  if (busy) return;
  busy = true;
  for (let j: Job | undefined; (j = queue[0]) && flight + Math.min(j.c, j.f.size - j.o) <= win; ) {
    const o = j.o;
    const n = Math.min(j.c, j.f.size - o);
    j.o += n;
    flight += n;
    if (j.o >= j.f.size) queue.shift();
    const b = new Uint8Array(UPLOAD_HEADER_BYTES + n);
    const d = new DataView(b.buffer);
    b[0] = UPLOAD_CHUNK;
    d.setUint32(1, j.r);
    d.setUint32(5, o / 2 ** 32);
    d.setUint32(9, o >>> 0);
    b.set(new Uint8Array(await j.f.slice(o, o + n).arrayBuffer()), UPLOAD_HEADER_BYTES);
    // dropped meanwhile: its bytes stay here
    if (jobs.get(j.r) === j && !sock.bin(b.buffer)) reset();
  }
  busy = false;
}

function drop(j: Job): void {
  jobs.delete(j.r);
  const i = queue.indexOf(j);
  if (i >= 0) queue.splice(i, 1);
  flight -= j.o - j.a;
  j.a = j.o;
  j.x?.abort();
  void pump();
}

/** The connection dropped: the server let every entry go with it. */
function reset(): void {
  for (const j of jobs.values()) j.x?.abort();
  jobs.clear();
  queue.length = 0;
  flight = 0;
}

w.hlUp = (m?: Msg) => {
  if (!m) return reset();
  const j = jobs.get(m[M.entry]);
  if (!j) return;
  if (m[M.type] === T.uploadAck) {
    flight -= m[M.at] - j.a;
    j.a = m[M.at];
    if (j.a >= j.f.size) jobs.delete(j.r);
    void pump();
  } else if (m[M.type] === T.uploadCancel) drop(j);
};

/** An external entry: the file goes to the server's URL (a presigned POST form, or a PUT); the server hears its progress. */
function external(j: Job, e: Msg): void {
  const x = (j.x = new XMLHttpRequest());
  const put = e[M.method] === "PUT";
  const fd = new FormData();
  for (const k in e[M.fields]) fd.append(k, e[M.fields][k]);
  fd.append("file", j.f);
  let last = 0;
  const say = (p: number) => sock.send({ [M.type]: T.uploadProgress, [M.id]: j.id, [M.entry]: j.r, [M.progress]: p });
  x.upload.onprogress = (p) => {
    const n = ((p.loaded / p.total) * 100) | 0;
    if (n - last >= 10 && n < 100) say((last = n));
  };
  x.onload = () => (jobs.delete(j.r), say(x.status < 300 ? 100 : -1));
  x.onerror = () => (jobs.delete(j.r), say(-1));
  x.open(put ? "PUT" : "POST", e[M.url]);
  x.send(put ? j.f : fd);
}

/** Points every `hl-upload-preview` image at its entry's object URL (again after a patch took it away). */
function show(): void {
  for (const img of document.querySelectorAll<HTMLImageElement>(`[${Attr.uploadPreview}]`)) {
    const u = urls.get(img.getAttribute(Attr.uploadPreview)!);
    if (u && img.src !== u) img.src = u;
  }
}
new MutationObserver(show).observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ["src", Attr.uploadPreview] });

document.addEventListener("change", (e) => {
  const el = e.target as HTMLInputElement;
  const name = el.getAttribute?.(Attr.upload);
  if (!name || !el.files) return;
  announce(el, name, [...el.files]);
  el.value = ""; // choosing the same file again is a new change
});

document.addEventListener("click", (e) => {
  const el = (e.target as Element).closest?.(`[${Attr.uploadCancel}]`);
  const id = el && idOf(el);
  if (!id) return;
  const r = el.getAttribute(Attr.uploadCancel)!;
  const j = jobs.get(+r);
  if (j) drop(j);
  if (urls.has(r)) URL.revokeObjectURL(urls.get(r)!), urls.delete(r);
  sock.send({ [M.type]: T.uploadCancel, [M.id]: id, [M.entry]: +r });
});

for (const t of ["dragenter", "dragover", "dragleave", "drop"])
  document.addEventListener(t, (e) => {
    const el = (e.target as Element).closest?.(`[${Attr.dropTarget}]`);
    if (!el) return;
    e.preventDefault();
    el.classList.toggle(Classes.dragOver, t === "dragenter" || t === "dragover");
    if (t === "drop") announce(el, el.getAttribute(Attr.dropTarget)!, [...(e as DragEvent).dataTransfer!.files]);
  });
