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
  const result = checkPayload(schema, payload);
  const what = `payload for "${event}"`;
  return result instanceof Promise ? result.then((r) => settle(r, what)) : settle(result, what);
}

/** A payload checked by its schema: the validator's output, or the issues that refuse it. */
export type Checked = { value: unknown; issues?: undefined } | { issues: Issue[] };

/**
 * Like {@link validatePayload}, without throwing: `{ value }` or `{ issues }` (a Promise of it when
 * the validator is asynchronous). What a component turns into `this.errors`.
 */
export function checkPayload(schema: StandardSchemaV1, payload: unknown): Checked | Promise<Checked> {
  const result = schema["~standard"].validate(payload);
  return result instanceof Promise ? result.then(checked) : checked(result);
}

function checked(result: StandardSchemaV1.Result<unknown>): Checked {
  if (!result.issues) return { value: result.value };
  const issues = result.issues.map((i): Issue => {
    const path = i.path?.map((p) => (typeof p === "object" ? p.key : p)).filter((p): p is string | number => typeof p !== "symbol");
    return path && path.length ? { message: i.message, path } : { message: i.message };
  });
  return { issues };
}

/** A checked value, or `bad_message` with its issues. */
function settle(result: Checked, what: string): unknown {
  if (!result.issues) return result.value;
  const { issues } = result;
  throw new HotlineError("bad_message", `invalid ${what}: ${issues.map((i) => (i.path ? `${i.path.join(".")}: ` : "") + i.message).join("; ")}`, { details: { issues } });
}

/**
 * Validates params a client chose with the component's `clientParams` schema: the validator's
 * output (an object) on success, `bad_message` with its issues otherwise.
 */
export async function validateParams(schema: StandardSchemaV1, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  const value = settle(await checkPayload(schema, params), "params");
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new HotlineError("bad_message", "params must be an object");
  return value as Record<string, unknown>;
}
