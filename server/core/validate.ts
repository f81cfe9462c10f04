import type { StandardSchemaV1 } from "./standard-schema.js";
import { HotlineError } from "./errors.js";

/** A validation issue as sent to the client in `details`: a message and the path to the bad field. */
export interface Issue {
  message: string;
  path?: (string | number)[];
}

/**
 * Validates an event's payload with a Standard Schema validator (zod, valibot, arktype…): the
 * validator's output on success, `bad_message` with its issues otherwise. Returns a Promise when
 * the validator is asynchronous.
 */
export function validatePayload(schema: StandardSchemaV1, payload: unknown, event: string): unknown {
  const result = schema["~standard"].validate(payload);
  if (result instanceof Promise) return result.then((r) => settle(r, event));
  return settle(result, event);
}

function settle(result: StandardSchemaV1.Result<unknown>, event: string): unknown {
  if (!result.issues) return result.value;
  const issues: Issue[] = result.issues.map((i) => {
    const path = i.path?.map((p) => (typeof p === "object" ? p.key : p)).filter((p): p is string | number => typeof p !== "symbol");
    return path && path.length ? { message: i.message, path } : { message: i.message };
  });
  throw new HotlineError("bad_message", `invalid payload for "${event}": ${issues.map((i) => (i.path ? `${i.path.join(".")}: ` : "") + i.message).join("; ")}`, { details: { issues } });
}
