/**
 * RedisPresence's heartbeat and sweep. On one Redis it is one script (HEARTBEAT_SCRIPT in
 * presence-redis-wire.ts). On a Redis Cluster one script cannot reach every topic's hash (they live in different slots, on different masters). docs/presence.md and
 * docs/deploy-redis.md ("Redis Cluster") describe the layout:
 *
 * - `<prefix>presence:topic:{<topic>}`: a topic's hash, and its shard channel (SPUBLISH);
 * - `<prefix>presence:{procs}`: the heartbeats, and `<prefix>presence:{procs}:<processId>`, each
 *   process's topics: one hash tag, so the heartbeat script reads a dead process's topics in the
 *   slot it runs in.
 *
 * A sweep is then one script per topic of a dead process (each atomic in its topic's slot: two
 * processes sweeping at once never both publish a leave, the second finds nothing), and only then
 * the process's bookkeeping is deleted, so a sweeper that dies half-way leaves the rest to the next.
 * A process swept while alive (a partition) finds itself missing at its next heartbeat and tracks
 * everything again, as on a single Redis.
 */
import { createHash } from "node:crypto";
import { HEARTBEAT_SCRIPT, type PresenceKeys } from "./presence-redis-wire.js";
import { reasonOf } from "./redis-driver.js";

type Send = (args: string[]) => Promise<unknown>;

/**
 * KEYS[1] = `presence:{procs}`; ARGV = the per-process set's name up to the id, this process's id,
 * stale after (ms), most processes to sweep in one run. Returns `{rejoined, {deadId, {topics…}}…}`.
 */
export const CLUSTER_HEARTBEAT_SCRIPT = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rejoined = redis.call('ZADD', KEYS[1], now, ARGV[2])
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[3]), 'LIMIT', 0, tonumber(ARGV[4]))
local out = {rejoined}
for _, id in ipairs(dead) do
  out[#out + 1] = {id, redis.call('SMEMBERS', ARGV[1] .. id)}
end
return out`;

/** KEYS[1] = a topic's hash (and shard channel); ARGV[1] = a dead process's id. Returns how many fields went. */
export const CLUSTER_SWEEP_SCRIPT = `local mark = ARGV[1] .. ':'
local fields = {}
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(f, 1, #mark) == mark then fields[#fields + 1] = f end
end
for i = 1, #fields, 500 do
  local chunk = {unpack(fields, i, math.min(i + 499, #fields))}
  local values = redis.call('HMGET', KEYS[1], unpack(chunk))
  redis.call('HDEL', KEYS[1], unpack(chunk))
  redis.call('SPUBLISH', KEYS[1], '{"o":"' .. ARGV[1] .. '","j":[],"l":[' .. table.concat(values, ',') .. ']}')
end
return #fields`;

const sha = (script: string) => createHash("sha1").update(script).digest("hex");
const SHAS = new Map([HEARTBEAT_SCRIPT, CLUSTER_HEARTBEAT_SCRIPT, CLUSTER_SWEEP_SCRIPT].map((s) => [s, sha(s)]));

/** EVALSHA, then EVAL when the server has not seen the script (a restart, a fresh master after a failover). */
export async function evalScript(send: Send, script: string, keys: string[], args: string[]): Promise<unknown> {
  const tail = [String(keys.length), ...keys, ...args];
  try {
    return await send(["EVALSHA", SHAS.get(script) ?? sha(script), ...tail]);
  } catch (err) {
    if (!reasonOf(err).startsWith("NOSCRIPT")) throw err;
    return send(["EVAL", script, ...tail]);
  }
}

/**
 * One heartbeat and the sweep of the dead processes it finds (at most `most`); resolves to ZADD's
 * answer: 1 when this process was missing (swept after a partition, or Redis lost its data).
 */
export async function heartbeat(send: Send, keys: PresenceKeys, processId: string, staleAfter: number, most: number): Promise<number> {
  if (keys.cluster) return clusterBeat(send, keys, processId, staleAfter, most);
  const reply = await evalScript(send, HEARTBEAT_SCRIPT, [keys.procs], [keys.prefix, processId, String(staleAfter), String(most)]);
  return Number((reply as unknown[])[0]);
}

async function clusterBeat(send: Send, keys: PresenceKeys, processId: string, staleAfter: number, most: number): Promise<number> {
  const reply = (await evalScript(send, CLUSTER_HEARTBEAT_SCRIPT, [keys.procs],
    [keys.proc(""), processId, String(staleAfter), String(most)])) as unknown[];
  for (const entry of reply.slice(1) as [string, string[]][]) {
    const [id, topics] = entry;
    await Promise.all(topics.map((topic) => evalScript(send, CLUSTER_SWEEP_SCRIPT, [keys.topic(topic)], [id])));
    await Promise.all([send(["DEL", keys.proc(id)]), send(["ZREM", keys.procs, id])]);
  }
  return Number(reply[0]);
}
