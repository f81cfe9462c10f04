import { z } from "zod";
import { Component, HotlineError, html, register, repeat } from "hotline";
import { MAX_ITEMS, type BoardItem, type BoardRepo } from "./board-repo.js";
import "./services.js"; // the app's services, typed
import "./user.js"; // who uses them, typed

/** The pub/sub topic every board listens to. */
export const BOARD_TOPIC = "board";

const itemId = z.object({ id: z.string().regex(/^i\d{1,15}$/, "not an item id") });

/**
 * One collaborative list shared by everyone who views it. A change is written to the app's board
 * repo (`this.services.board`), then announced on the "board" topic; every board, in every
 * process, re-reads the list and re-renders. The render depends only on that list (`shared`), so
 * the server renders once per change for all viewers; each item carries its author's name, taken
 * from the signed-in user who added it.
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
  };

  async mount(): Promise<void> {
    this.subscribe(BOARD_TOPIC);
    this.state.items = await this.#repo.list();
  }

  /**
   * A token or a saved record can be older than the list (another process changed it since, or this
   * process restarted with an empty memory repo): re-read it, and when it differs, announce it so
   * that this board (attached by then) and every other re-renders.
   */
  hydrate(state: Partial<{ items: BoardItem[] }>): void {
    super.hydrate(state);
    const held = JSON.stringify(this.state.items ?? []);
    void this.#repo.list().then(
      (items) => (JSON.stringify(items) === held ? undefined : this.#announce()),
      () => undefined,
    );
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
    // A shared board's push reaches every viewer: the tag lets only the adder's form clear itself.
    this.pushEvent("board:added", { id: item.id, client: client ?? null });
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
   * from before the outage (test/cluster/redis-restart.test.ts).
   */
  async onResync(): Promise<void> {
    this.state.items = await this.#repo.list();
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
    return html`<div class="board">
  <form class="row board-form" hl-submit="add" hl-hook="BoardForm" autocomplete="off">
    <input type="hidden" name="client">
    <input class="input" name="text" placeholder="New item" maxlength="200" aria-label="New item" required>
    <button class="btn primary" type="submit">Add</button>
  </form>
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
