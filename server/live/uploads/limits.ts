/** The server's bounds on uploads over the WebSocket (docs/limits.md, docs/uploads.md). */

/** `createHotline({ uploads })`: limits every connection keeps, whatever a component allows. */
export interface UploadLimits {
  /**
   * Chunk bytes a connection may have sent and not had acknowledged (the window the client keeps
   * to). A client past it is not read from until the server's writes catch up. Default 4 MiB (a
   * window of 1 MiB halved throughput on loopback; on a network it bounds throughput to window / RTT).
   */
  maxInFlightBytes?: number;
  /** Bytes of all the entries of one upload (one `allowUpload` name) held at once. Default 100 MB. */
  maxUploadBytes?: number;
  /** Entries uploading or waiting to be consumed on one connection (each holds a temp file). Default 32. */
  maxEntriesPerConnection?: number;
  /** A component re-renders for upload progress at most once per this many ms. Default 100. */
  progressMs?: number;
  /** The directory the temp files go in (a directory of this process is made inside). Default `os.tmpdir()`. */
  tempDir?: string;
}

export type ResolvedUploadLimits = Required<Omit<UploadLimits, "tempDir">> & Pick<UploadLimits, "tempDir">;

export const DEFAULT_UPLOAD_LIMITS: Readonly<ResolvedUploadLimits> = Object.freeze({
  maxInFlightBytes: 4 * 1024 * 1024,
  maxUploadBytes: 100_000_000,
  maxEntriesPerConnection: 32,
  progressMs: 100,
});

/** `limits` with the defaults filled in. */
export function resolveUploadLimits(limits: UploadLimits = {}): ResolvedUploadLimits {
  const out: ResolvedUploadLimits = { ...DEFAULT_UPLOAD_LIMITS };
  for (const k of ["maxInFlightBytes", "maxUploadBytes", "maxEntriesPerConnection", "progressMs"] as const) {
    const v = limits[k];
    if (v === undefined) continue;
    if (!(Number.isFinite(v) && v >= 0)) throw new TypeError(`uploads.${k} must be a non-negative number`);
    out[k] = v;
  }
  if (limits.tempDir !== undefined) out.tempDir = limits.tempDir;
  return out;
}
