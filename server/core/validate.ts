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
  const what = `payload for "${event}"`;
  if (result instanceof Promise) return result.then((r) => settle(r, what));
  return settle(result, what);
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
  return result.issues ? { issues: toIssues(result.issues) } : { value: result.value };
}

function toIssues(raw: ReadonlyArray<StandardSchemaV1.Issue>): Issue[] {
  return raw.map((i) => {
    const path = i.path?.map((p) => (typeof p === "object" ? p.key : p)).filter((p): p is string | number => typeof p !== "symbol");
    return path && path.length ? { message: i.message, path } : { message: i.message };
  });
}

function settle(result: StandardSchemaV1.Result<unknown>, what: string): unknown {
  if (!result.issues) return result.value;
  const issues = toIssues(result.issues);
  throw new HotlineError("bad_message", `invalid ${what}: ${issues.map((i) => (i.path ? `${i.path.join(".")}: ` : "") + i.message).join("; ")}`, { details: { issues } });
}

/**
 * Validates params a client chose with the component's `clientParams` schema: the validator's
 * output (an object) on success, `bad_message` with its issues otherwise.
 */
export async function validateParams(schema: StandardSchemaV1, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  const value = settle(await schema["~standard"].validate(params), "params");
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new HotlineError("bad_message", "params must be an object");
  return value as Record<string, unknown>;
}
