import type { Redis } from "ioredis";

/** One item of the shared board. */
export interface BoardItem {
  id: string;
  text: string;
  done: boolean;
  /** The name of who added it; absent on items added anonymously or before authors were kept. */
  author?: string;
}

/**
 * Where the board's items live. Every board component reads and writes through it, so that the
 * list is the same for every viewer: in this process (`MemoryBoardRepo`) or in Redis for several
 * processes (`RedisBoardRepo`). The app gives it to its boards as a service:
 * `createHotline({ services: { board: repo } })`.
 *
 * @example
 * const repo = new MemoryBoardRepo();
 * const item = await repo.add("Buy milk", "Ada");
 * await repo.toggle(item.id);
 * (await repo.list())[0].done; // true
 */
export interface BoardRepo {
  /** Every item, oldest first. */
  list(): Promise<BoardItem[]>;
  /** Adds an item at the end, by `author` (a display name) when given; `null` when the board is full. */
  add(text: string, author?: string): Promise<BoardItem | null>;
  /** Flips an item's `done`; false when there is no such item. */
  toggle(id: string): Promise<boolean>;
  /** Removes an item; false when there is no such item. */
  remove(id: string): Promise<boolean>;
}

/** Most items a board holds: keeps every viewer's render and state small. */
export const MAX_ITEMS = 100;

/** The board in this process's memory: the default, for one process. */
export class MemoryBoardRepo implements BoardRepo {
  readonly #items = new Map<string, BoardItem>();
  #seq = 0;

  async list(): Promise<BoardItem[]> {
    return [...this.#items.values()].map((i) => ({ ...i }));
  }

  async add(text: string, author?: string): Promise<BoardItem | null> {
    if (this.#items.size >= MAX_ITEMS) return null;
    const item: BoardItem = { id: `i${++this.#seq}`, text, done: false, ...(author && { author }) };
    this.#items.set(item.id, item);
    return { ...item };
  }

  async toggle(id: string): Promise<boolean> {
    const item = this.#items.get(id);
    if (item) item.done = !item.done;
    return !!item;
  }

  async remove(id: string): Promise<boolean> {
    return this.#items.delete(id);
  }
}

// Both scripts run atomically in Redis, so that two processes toggling or adding at once never
// lose each other's change (a read-modify-write from Node could).
const ADD = `
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[2]) then return false end
local id = 'i' .. redis.call('INCR', KEYS[2])
local item = {text = ARGV[1], done = false}
if ARGV[3] ~= '' then item.author = ARGV[3] end
redis.call('HSET', KEYS[1], id, cjson.encode(item))
return id`;
const TOGGLE = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
local o = cjson.decode(v)
o.done = not o.done
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(o))
return 1`;

/**
 * The board in a Redis hash (field = item id, value = JSON), shared by every process that uses the
 * same key. Give it an ioredis client; it does not close it.
 *
 * @example
 * import { Redis } from "ioredis";
 * const board = new RedisBoardRepo(new Redis(process.env.REDIS_URL!), "myapp:board");
 * createHotline({ pubsub, services: { board, orders } });
 */
export class RedisBoardRepo implements BoardRepo {
  readonly #redis: Redis;
  readonly #key: string;

  constructor(redis: Redis, key = "hotline:demo:board") {
    this.#redis = redis;
    this.#key = key;
  }

  async list(): Promise<BoardItem[]> {
    const all = await this.#redis.hgetall(this.#key);
    return Object.entries(all)
      .map(([id, json]) => {
        const v = JSON.parse(json) as { text: string; done: boolean; author?: unknown };
        // Items written before authors were kept have none: they list without one.
        const item: BoardItem = { id, text: String(v.text), done: v.done === true };
        if (typeof v.author === "string" && v.author) item.author = v.author;
        return item;
      })
      .sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)));
  }

  async add(text: string, author?: string): Promise<BoardItem | null> {
    const id = (await this.#redis.eval(ADD, 2, this.#key, `${this.#key}:seq`, text, MAX_ITEMS, author ?? "")) as string | null;
    return id ? { id, text, done: false, ...(author && { author }) } : null;
  }

  async toggle(id: string): Promise<boolean> {
    return (await this.#redis.eval(TOGGLE, 1, this.#key, id)) === 1;
  }

  async remove(id: string): Promise<boolean> {
    return (await this.#redis.hdel(this.#key, id)) === 1;
  }
}
