/** The record a live instance keeps in the state store (the session key's, or a shared group's). */
export interface StoredInstance {
  /** component name */
  c: string;
  /** dehydrated state */
  s?: Record<string, unknown>;
  /** topics */
  t?: string[];
  /** a shared component's viewer: the group's store key */
  g?: string;
  /** the params it was started with (a shared component's viewer: the group is found again by them) */
  p?: Record<string, unknown>;
  /** the key of the user it belongs to: nobody else may resume it */
  u?: string;
}

/**
 * What a state write is known by (`Persister.same`): the state's JSON, then its topics, one a line.
 * A write whose signature is the last one's is skipped.
 */
export function stateSignature(json: string, topics: readonly string[]): string {
  return topics.length ? `${json}\n${topics.join("\n")}` : json;
}

/** Nothing bound: the record of an anonymous instance started without params (shared, never mutated). */
export const UNBOUND: Pick<StoredInstance, "p" | "u"> = Object.freeze({});

/** The record of component `name`'s state and topics (kept in it, not copied), with what it was started with (`bound`). */
export function storedRecord(name: string, state: Record<string, unknown>, topics: string[], bound: Pick<StoredInstance, "p" | "u">): StoredInstance {
  // Literal shapes for the common records (these stay in the MemoryStore: many, and small).
  const record: StoredInstance = topics.length ? { c: name, s: state, t: topics } : { c: name, s: state };
  if (bound !== UNBOUND) {
    if (bound.p) record.p = bound.p;
    if (bound.u !== undefined) record.u = bound.u;
  }
  return record;
}
