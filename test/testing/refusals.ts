// Helpers of the hotline/testing suites: the LiveTestError that a view's action rejects with, or
// that a call throws.
import * as assert from "uvu/assert";
import { LiveTestError } from "hotline/testing";

/** The error a promise rejects with (fails when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<LiveTestError> {
  try {
    await p;
  } catch (err) {
    assert.instance(err, LiveTestError, `not a LiveTestError: ${String(err)}`);
    return err as LiveTestError;
  }
  throw new assert.Assertion({ message: "expected a rejection", generated: false, operator: "rejects", actual: "resolved", expects: "rejected" });
}

/** Throws with what the function throws (fails when it does not). */
export function thrown(fn: () => unknown): LiveTestError {
  try {
    fn();
  } catch (err) {
    assert.instance(err, LiveTestError);
    return err as LiveTestError;
  }
  throw new assert.Assertion({ message: "expected a throw", generated: false, operator: "throws", actual: "returned", expects: "thrown" });
}
