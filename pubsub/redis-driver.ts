/**
 * The few things RedisPubSub needs from a Redis client, over ioredis and node-redis alike.
 * Neither library is imported statically: a user installs the one they use.
 */

/**
 * An ioredis `Redis` or a node-redis (`redis` v4+) client. Typed loosely on purpose: both
 * libraries' own types change between majors; the flavour is told apart at run time.
 */
export interface RedisClientLike {
  duplicate(...args: any[]): unknown;
  on(event: string, listener: (...args: any[]) => void): unknown;
}

/** Which library a client comes from. */
export type RedisFlavour = "ioredis" | "node-redis";

/** One line of operator-facing log output. */
export type LogLine = (line: string) => void;

/** Tells an ioredis client from a node-redis one by what it has. */
export function flavourOf(client: unknown): RedisFlavour {
  const c = client as Record<string, unknown> | null;
  if (c && typeof c.call === "function" && typeof c.status === "string") return "ioredis";
  if (c && typeof c.sendCommand === "function" && "isOpen" in c) return "node-redis";
  throw new TypeError("hotline/redis: `client` must be an ioredis Redis or a node-redis client");
}

/**
 * Sends one command on a client of either flavour, single-node or cluster. An ioredis `Cluster`
 * routes `call` by the command's key itself; a node-redis cluster is told the key to route by.
 */
export function commandOn(client: any, flavour: RedisFlavour, args: string[]): Promise<unknown> {
  if (flavour === "ioredis") return client.call(args[0], ...args.slice(1));
  return isClusterClient(client) ? client.sendCommand(routingKey(args), false, args) : client.sendCommand(args);
}

/** True for an ioredis `Cluster` or a node-redis `createCluster()` client. */
export function isClusterClient(client: unknown): boolean {
  const c = client as Record<string, unknown> | null;
  return !!c && (c.isCluster === true || (typeof c.nodeClient === "function" && "masters" in c));
}

/** The key a cluster routes a command by: the first key of EVAL/EVALSHA, else the first argument. */
function routingKey(args: string[]): string | undefined {
  const name = args[0]!.toUpperCase();
  if (name === "EVAL" || name === "EVALSHA") return Number(args[2]) > 0 ? args[3] : undefined;
  return args[1];
}

/** The short reason of a connection error, without a stack or credentials. */
export function reasonOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e && typeof e.code === "string") return e.code;
  if (e && typeof e.message === "string" && e.message) return e.message.split("\n")[0]!;
  return String(err);
}

/** Connections being closed on purpose: their goodbye is not an outage. */
const closing = new WeakSet<object>();

/**
 * Logs the first error of an outage and stays quiet until the connection is back: a Redis that
 * is down must give one clear line, not one stack trace per retry.
 */
export function watchConnection(client: any, flavour: RedisFlavour, name: string, log: LogLine,
  hooks: { down?(): void; up?(afterOutage: boolean): void } = {}): void {
  let down = false;
  let everUp = false;
  const lost = (err?: unknown) => {
    if (down || closing.has(client)) return;
    down = true;
    const why = err === undefined ? "connection closed" : reasonOf(err);
    log(everUp
      ? `hotline/redis: ${name} connection lost (${why}); reconnecting in the background`
      : `hotline/redis: cannot reach Redis for the ${name} connection (${why}); retrying in the background`);
    hooks.down?.();
  };
  client.on("error", (err: unknown) => lost(err));
  client.on(flavour === "ioredis" ? "close" : "reconnecting", () => { if (everUp) lost(); });
  client.on("ready", () => {
    if (down) log(`hotline/redis: ${name} connection is back`);
    const afterOutage = down && everUp;
    down = false;
    everUp = true;
    hooks.up?.(afterOutage);
  });
}

/** Closes a connection Hotline made: gracefully when it is up, at once when it is not. */
export async function quitConnection(client: any, flavour: RedisFlavour): Promise<void> {
  closing.add(client);
  if (flavour === "ioredis") {
    if (client.status === "end") return;
    if (client.status !== "ready") return void client.disconnect();
    await withTimeout(client.quit(), 1000).catch(() => client.disconnect());
    return;
  }
  if (!client.isOpen) return;
  const hard = () => (typeof client.destroy === "function" ? client.destroy() : client.disconnect());
  if (!client.isReady) return void (await Promise.resolve(hard()).catch(() => {}));
  const soft = typeof client.close === "function" ? client.close() : client.quit();
  await withTimeout(soft, 1000).catch(() => hard());
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error("timeout")), ms); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * Creates a client for `url` with ioredis when it can be imported, else node-redis (or the one
 * asked for). A node-redis client still has to be connected; an ioredis one connects by itself.
 */
export async function clientForUrl(url: string, prefer: RedisFlavour | undefined, name: string, log: LogLine)
  : Promise<{ client: any; flavour: RedisFlavour }> {
  const order: RedisFlavour[] = prefer ? [prefer] : ["ioredis", "node-redis"];
  for (const flavour of order) {
    const mod = await importOptional(flavour === "ioredis" ? "ioredis" : "redis");
    if (!mod) continue;
    const client = flavour === "ioredis"
      ? new ((mod.Redis ?? mod.default) as new (url: string) => any)(url)
      : (mod.createClient as (o: object) => any)({ url });
    watchConnection(client, flavour, name, log);
    return { client, flavour };
  }
  throw new Error(`hotline/redis: install ${prefer === "node-redis" ? "redis" : prefer ?? "ioredis or redis"} to connect to Redis by URL`);
}

async function importOptional(name: string): Promise<Record<string, any> | undefined> {
  try {
    return (await import(name)) as Record<string, any>;
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_MODULE_NOT_FOUND") return undefined;
    throw err;
  }
}
