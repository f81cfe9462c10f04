/**
 * Waiting until an app is quiet, without sleeping: every live instance's queue drained, and every
 * pub/sub message published so far delivered. The second part is a barrier: a marker published on
 * a fresh topic comes back after the messages published before it (the memory bus delivers in
 * order at once; Redis delivers one connection's messages in order), so once it is back, what was
 * published before has reached the topic index and been queued on its instances.
 */
import { randomUUID } from "node:crypto";
import type { Hotline } from "../hotline.js";
import { misuse } from "./errors.js";

/** Rounds of drain + barrier before a still-busy app is reported (a component republishing forever). */
const MAX_ROUNDS = 100;
/** How long a barrier marker may take before the bus is reported broken (a safety net, not a wait). */
const BARRIER_TIMEOUT_MS = 10_000;

/** Each live instance's count of work queued so far. */
type Runs = Map<object, number>;

function runs(app: Hotline): Runs {
  const r: Runs = new Map();
  for (const live of app.hub.lives) r.set(live, live.runs);
  return r;
}

const same = (a: Runs, b: Runs) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Every instance's queued work done, including work queued meanwhile. */
async function drain(app: Hotline): Promise<void> {
  for (let i = 0; i < MAX_ROUNDS; i++) {
    const before = runs(app);
    await Promise.all([...app.hub.lives].map((live) => live.drained()));
    await turn(); // callbacks a handler left behind (a `void promise.then(...)`) get their turn
    if (same(before, runs(app))) return;
  }
  throw misuse(`settled(): the app's live instances were still busy after ${MAX_ROUNDS} rounds (a component that keeps queueing work?)`);
}

async function barrier(app: Hotline): Promise<void> {
  const topic = `hotline:testing:settled:${randomUUID()}`;
  let arrived!: () => void;
  const back = new Promise<void>((resolve) => (arrived = resolve));
  const off = await app.pubsub.subscribe(topic, () => arrived());
  let timer: NodeJS.Timeout | undefined;
  try {
    await app.pubsub.publish(topic, 1);
    await Promise.race([
      back,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(misuse(`settled(): a message published on the app's pub/sub did not come back within ${BARRIER_TIMEOUT_MS} ms (is the bus connected?)`)), BARRIER_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await off();
  }
}

/**
 * Resolves once `app` is quiet: no live instance has work queued, and a pub/sub round trip brought
 * nothing new. Messages published by other processes are covered only once they have arrived.
 *
 * @example
 * await a.element("button", "Add").click();
 * await settle(app); // b has handled the announcement
 */
export async function settle(app: Hotline): Promise<void> {
  for (let i = 0; i < MAX_ROUNDS; i++) {
    await drain(app);
    const before = runs(app);
    await barrier(app);
    await turn();
    if (same(before, runs(app))) return;
  }
  throw misuse(`settled(): pub/sub messages kept coming after ${MAX_ROUNDS} rounds (components publishing to each other in a loop?)`);
}
