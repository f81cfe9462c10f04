import type { PresenceList } from "hotline";

/** One person on a presence topic: their name, how many tabs they have open there, and what those tabs say. */
export interface Person {
  /** The presence key: the user's id. */
  key: string;
  name: string;
  /** How many of their tabs are tracked (one meta each). */
  tabs: number;
  /** Whether any of their tabs says `typing: true`. */
  typing: boolean;
  /** Whether any of their tabs says `editing: true`. */
  editing: boolean;
}

/**
 * A presence list as people, sorted by name: one per key, whatever the number of tabs. The name
 * is the first meta's `name` (every tab of one user says the same), else the key.
 *
 * @example
 * peopleOn({ ada: { metas: [{ ref: "1", meta: { name: "Ada", typing: true } }, { ref: "2", meta: { name: "Ada" } }] } });
 * // [{ key: "ada", name: "Ada", tabs: 2, typing: true, editing: false }]
 */
export function peopleOn(list: PresenceList): Person[] {
  return Object.entries(list)
    .map(([key, { metas }]) => {
      const named = metas.find((m) => typeof m.meta.name === "string" && m.meta.name);
      const any = (flag: string) => metas.some((m) => m.meta[flag] === true);
      return { key, name: named ? String(named.meta.name) : key, tabs: metas.length, typing: any("typing"), editing: any("editing") };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Names as a sentence: "Ada", "Ada and Grace", "Ada, Grace and Linus".
 *
 * @example
 * `${names(["Ada", "Grace"])} are viewing this order` // "Ada and Grace are viewing this order"
 */
export function names(list: readonly string[]): string {
  return list.length <= 1 ? (list[0] ?? "") : `${list.slice(0, -1).join(", ")} and ${list.at(-1)}`;
}
