// Plain Redis clients of either library, as a user would make them, for tests of hotline/redis.
import { Redis } from "ioredis";
import { createClient } from "redis";
import type { RedisFlavour } from "../../pubsub/redis-driver.js";

export interface TestClient {
  client: any;
  /** Sends one command and returns the reply. */
  send(...args: string[]): Promise<unknown>;
  quit(): Promise<void>;
}

/** A connected client of `flavour` (node-redis is connected before this resolves). */
export async function testClient(flavour: RedisFlavour, url: string): Promise<TestClient> {
  if (flavour === "ioredis") {
    const client = new Redis(url);
    return { client, send: (...a) => client.call(a[0]!, ...a.slice(1)), quit: async () => { await client.quit(); } };
  }
  const client = createClient({ url });
  await client.connect();
  return { client, send: (...a) => client.sendCommand(a), quit: async () => { await client.close(); } };
}

/** A prefix no other run shares, so tests never touch each other's keys on the shared Redis. */
export function runPrefix(label: string): string {
  return `hotline-test:${label}:${process.pid}:${Date.now().toString(36)}:`;
}
