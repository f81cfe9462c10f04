import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted, so that `{a,b}` and `{b,a}` give the same text (shared groups are
 * found by their params, users by their value).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return "[" + value.map(canonicalJson).join(",") + "]";
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    return "{" + Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => JSON.stringify(k) + ":" + canonicalJson(o[k])).join(",") + "}";
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * The key a user is known by where Hotline binds something to a user (session keys, state tokens,
 * sign-out): `undefined` for no user, else a hash of the user value (or of the app's own key for
 * it, `createHotline({ userKey })`). A hash, so that store records and tokens carry no user data.
 */
export function userKey(user: unknown, keyOf?: (user: NonNullable<unknown>) => string): string | undefined {
  if (user === null || user === undefined) return undefined;
  const raw = keyOf ? keyOf(user) : canonicalJson(user);
  return createHash("sha256").update(raw).digest("base64url").slice(0, 22);
}
