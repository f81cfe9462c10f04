import { z } from "zod";
import { Component, HotlineError, html, register, repeat } from "hotline";
import { MAX_ITEMS, type BoardItem, type BoardRepo } from "./board-repo.js";
import { names, peopleOn, type Person } from "./people.js";
import "./services.js"; // the app's services, typed
import "./user.js"; // who uses them, typed

/** The pub/sub topic every board listens to. */
export const BOARD_TOPIC = "board";
/** The presence topic of the board's viewers: who is on it, with one meta per open tab. */
export const BOARD_PRESENCE = "board";
/** What each of a viewer's tabs says about itself on {@link BOARD_PRESENCE}. */
export interface BoardPresenceMeta { name: string; typing: boolean }
/** Ms between two "typing" events of one input (`hl-throttle`). */
export const TYPING_THROTTLE_MS = 1000;
/** Ms without a key after which a tab says it stopped typing (`hl-debounce`). */
export const TYPING_IDLE_MS = 3000;

const itemId = z.object({ id: z.string().regex(/^i\d{1,15}$/, "not an item id") });

/**
 * One collaborative list shared by everyone who views it. A change is written to the app's board
 * repo (`this.services.board`), then announced on the "board" topic; every board, in every
 * process, re-reads the list and re-renders. The render depends only on that list (`shared`), so
 * the server renders once per change for all viewers; each item carries its author's name, taken
 * from the signed-in user who added it.
 *
 * Who is on the board is presence (`BOARD_PRESENCE`): each viewer's tab is tracked in `onJoin`
 * with `{ name, typing: false }` and untracked when it leaves, so the list shows every signed-in
 * user once with a dot per open tab, across every process. Typing is that tab's meta: the input
 * sends a throttled "typing" event while it changes (at most one per {@link TYPING_THROTTLE_MS});
 * "stopped" comes on blur and {@link TYPING_IDLE_MS} after the last key (a debounced `hl-keyup`
 * on the input's wrapper), and adding an item stops it too. The browser says when typing stops,
 * so nothing on the server depends on the clock: the render shows only what the metas say.
 *
 * @example
 * html`${await hotline.live("board")}`
 */
@register("board")
export class Board extends Component<{ items: BoardItem[] }> {
  static shared = true;
  static payloads = {
    add: z.object({
      text: z.string().trim().min(1, "Type something first").max(200, "200 characters at most"),
      /** the adding page's own random tag, echoed in "board:added" so that only its form clears */
      client: z.string().max(32).optional(),
    }),
    toggle: itemId,
    remove: itemId,
    /** the input's value: typing is "there is something in the box" */
    typing: z.object({ value: z.string().max(1000).optional() }),
  };

  async mount(): Promise<void> {
    this.subscribe(BOARD_TOPIC);
    this.state.items = await this.#repo.list();
  }

  /** Each viewer (every join: fresh, from a token, resumed) is on the board while its tab is open. */
  onJoin(): void {
    if (this.user) this.#present(false);
    else this.followPresence(BOARD_PRESENCE);
  }

  async onAdd({ text, client }: { text: string; client?: string }): Promise<void> {
    // A shared board sees its sender only while handling the event: the author's name is stored
    // with the item, so that the render (one for every viewer) never reads `this.user`.
    const item = await this.#repo.add(text, this.user?.name);
    if (!item) {
      this.pushEvent("board:full", { max: MAX_ITEMS });
      return;
    }
    await this.#changed();
    this.#present(false);
    // A shared board's push reaches every viewer: the tag lets only the adder's form clear itself.
    this.pushEvent("board:added", { id: item.id, client: client ?? null });
  }

  /** The sender's input changed (throttled): typing while it holds something. */
  onTyping({ value }: { value?: string }): void {
    this.#present(!!value?.trim());
  }

  /** The sender's input lost focus, or no key for a while. */
  onStopped(): void {
    this.#present(false);
  }

  async onToggle({ id }: { id: string }): Promise<void> {
    if (await this.#repo.toggle(id)) await this.#changed();
  }

  async onRemove({ id }: { id: string }): Promise<void> {
    if (await this.#repo.remove(id)) await this.#changed();
  }

  /** Another viewer (or process) changed the list: re-read it. */
  async onMessage(): Promise<void> {
    this.state.items = await this.#repo.list();
  }

  /**
   * Announcements may have been missed (pub/sub reconnected after a Redis restart, a sequence
   * gap): re-read the list too. Without this, a board on another process kept showing the list
   * from before the outage (test/cluster/redis-restart.test.ts). A board resumed from an older
   * token or record (the list changed since, or the process restarted with an empty memory repo)
   * is caught up the same way: the runtime calls this for each of its topics before it goes live.
   */
  async onResync(): Promise<void> {
    this.state.items = await this.#repo.list();
  }

  /** The viewer at hand's presence (the joining one, or the event's sender); the same meta again sends nothing. */
  #present(typing: boolean): void {
    const me = this.user;
    if (me) this.track(BOARD_PRESENCE, { name: me.name, typing } satisfies BoardPresenceMeta);
  }

  get #repo(): BoardRepo {
    const repo = this.services.board;
    if (!repo) throw new HotlineError("handler_error", 'Board reads its items from the app\'s service "board": pass createHotline({ services: { board: new MemoryBoardRepo() } })', { fault: "app" });
    return repo;
  }

  async #changed(): Promise<void> {
    this.state.items = await this.#repo.list();
    await this.#announce();
  }

  async #announce(): Promise<void> {
    try {
      await this.publish(BOARD_TOPIC, { at: Date.now() });
    } catch {
      // No live transport (an HTTP request): this viewer still sees the new list; live viewers
      // only hear of it with pub/sub, which that transport does not have.
    }
  }

  render() {
    const items = this.state.items;
    const left = items.filter((i) => !i.done).length;
    // the same for every viewer: the render is shared, so it cannot leave out "you"
    const people = peopleOn(this.presence(BOARD_PRESENCE));
    const typing = people.filter((p) => p.typing).map((p) => p.name);
    return html`<div class="board">
  ${people.length ? onlineList(people) : ""}
  <form class="row board-form" hl-submit="add" hl-hook="BoardForm" autocomplete="off">
    <input type="hidden" name="client">
    <span class="board-input" hl-keyup="stopped" hl-debounce="${TYPING_IDLE_MS}"><input class="input" name="text" placeholder="New item" maxlength="200" aria-label="New item" required pattern=".*\\S.*" title="Type something first"
      hl-input="typing" hl-blur="stopped" hl-throttle="${TYPING_THROTTLE_MS}"></span>
    <button class="btn primary" type="submit">Add</button>
  </form>
  <p class="board-typing muted small" aria-live="polite">${typing.length ? `${names(typing)} ${typing.length === 1 ? "is" : "are"} typing…` : ""}</p>
  <ul class="board-items">${repeat(
    items,
    (i) => i.id,
    (i) => html`<li id="board-${i.id}" class="board-item${i.done ? " done" : ""}">
      <label class="check"><input type="checkbox" hl-change="toggle" hl-value-id="${i.id}" ${i.done ? "checked" : ""}><span class="text">${i.text}</span></label>
      ${i.author ? html`<span class="board-author muted">added by ${i.author}</span>` : ""}
      <button type="button" class="btn ghost small" hl-click="remove" hl-value-id="${i.id}" aria-label="Remove ${i.text}">Remove</button>
    </li>`,
  )}</ul>
  <p class="muted board-summary">${items.length === 0 ? "Nothing yet: add the first item." : `${left} of ${items.length} left`}</p>
</div>`;
  }
}

/** Who is on the board: a name per person, a dot per open tab. */
function onlineList(people: Person[]) {
  return html`<div class="board-online"><span class="muted small">Online</span>
    <ul class="online-users">${repeat(
      people,
      (p) => p.key,
      (p) => html`<li class="${p.typing ? "online-user typing" : "online-user"}" data-user="${p.key}"><span class="online-name">${p.name}</span>
        <span class="tabs" title="${tabsLabel(p.tabs)}" aria-label="${tabsLabel(p.tabs)}">${"●".repeat(Math.min(p.tabs, 9))}</span></li>`,
    )}</ul></div>`;
}

const tabsLabel = (n: number) => (n === 1 ? "1 tab open" : `${n} tabs open`);
