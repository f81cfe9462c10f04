// Two people editing one order at once (issue 17, item 4): whatever the order in which their
// clicks, their saves and the change feed reach the server, exactly one save is written, the
// other person sees a conflict with the other value beside their own (which they keep), and only
// the explicit "Keep mine" writes it. Run against every adapter (memory and PostgreSQL).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { ModelAdapter, ModelChange } from "../../server/models/model.js";
import { ModelComponent } from "../../server/models/model-component.js";
import { modelTopic } from "../../server/models/live.js";
import { toHTML } from "../../server/core/steps.js";

export interface ConcurrentSavesOptions {
  /** A fresh adapter over the demo's orders (rows 1..5, all at version 1). */
  adapter(): Promise<ModelAdapter>;
  after?(): Promise<void>;
}

export function runConcurrentSaves(name: string, options: ConcurrentSavesOptions): void {
  let adapter: ModelAdapter;
  class Editor extends ModelComponent {
    static fields = ["status", "customer"];
    static readonly = ["total"];
    getModel() { return adapter; }
  }
  const open = async () => {
    const c = new Editor({ pk: 2 });
    await c.mount();
    return c;
  };
  /** What the model feed delivers to a follower of row 2 after a save. */
  const announce = async (c: Editor, version: number) => {
    const change: ModelChange = { table: c.table!, op: "update", pk: 2, version };
    await c.onMessage(modelTopic(c.table!, 2), change);
  };
  /**
   * A person types a customer and clicks Save: the change event (blur), then the form's submit,
   * which carries what the form shows: `submitted` and the version it was rendered from (what
   * the generated form's hidden `_version` holds when the click happens).
   */
  const typeAndSave = async (c: Editor, customer: string, rendered = c.version!, submitted = customer) => {
    await c.asyncHandleEvent("bind", { name: "customer", value: customer });
    await c.asyncHandleEvent("save", { status: "paid", customer: submitted, _version: String(rendered) });
  };
  const stored = async () => (await adapter.get(2))!;
  const saved = (c: Editor) => c.notice?.text === "Saved.";

  /** The loser: not saved, their value kept, the winner's value shown beside it with "Keep mine". */
  function lost(c: Editor, mine: string, theirs: string) {
    assert.not.ok(saved(c), "the second save does not say Saved.");
    assert.is(c.notice?.kind, "error");
    assert.is(c.state.customer, mine, "the typed value is kept");
    assert.equal(c.state.$conflicts, { customer: theirs });
    const out = toHTML(c);
    assert.ok(out.includes(`Saved elsewhere as: <strong>${theirs}</strong>`), "the other value is shown beside the field");
    assert.ok(/<button type="button" class="btn keep-mine" hl-click="keep_mine"/.test(out), "an explicit Keep mine button");
    assert.ok(out.includes(`value="${mine}"`), "the control still holds the typed value");
  }

  const s = suite(`two editors of one order save at once (${name})`);
  s.before.each(async () => { adapter = await options.adapter(); });
  if (options.after) s.after(options.after);

  s("the winner's change reaches the loser before its click: conflict, never an overwrite", async () => {
    const a = await open();
    const b = await open();
    await typeAndSave(a, "Ann");
    assert.ok(saved(a));
    await announce(b, 2); // merged before B's change event arrived: B had not bound anything yet
    await typeAndSave(b, "Bob", 1); // B's form still showed version 1 when B clicked
    assert.is((await stored()).customer, "Ann", "the first save stands");
    assert.is((await stored()).version, 2);
    lost(b, "Bob", "Ann");
  });

  s("the render of the winner's change reached the loser's form during the click: the typed value survives", async () => {
    const a = await open();
    const b = await open();
    await typeAndSave(a, "Ann");
    await announce(b, 2);
    // B's change event carried "Bob"; the form had meanwhile been re-rendered with "Ann"
    await typeAndSave(b, "Bob", 2, "Ann");
    assert.is((await stored()).customer, "Ann");
    lost(b, "Bob", "Ann");
    assert.not.ok(b.notice!.text.startsWith("Nothing to save"));
  });

  s("the change reaches the loser between its change event and its submit", async () => {
    const a = await open();
    const b = await open();
    await typeAndSave(a, "Ann");
    await b.asyncHandleEvent("bind", { name: "customer", value: "Bob" });
    await announce(b, 2);
    await b.asyncHandleEvent("save", { status: "paid", customer: "Bob", _version: "1" });
    assert.is((await stored()).customer, "Ann");
    lost(b, "Bob", "Ann");
  });

  s("both saves in flight together, the feed after: exactly one is written", async () => {
    const a = await open();
    const b = await open();
    await Promise.all([typeAndSave(a, "Ann", 1), typeAndSave(b, "Bob", 1)]);
    const row = await stored();
    assert.is(row.version, 2, "one write");
    const [winner, loser] = row.customer === "Ann" ? [a, b] : [b, a];
    assert.ok(saved(winner));
    await Promise.all([announce(a, 2), announce(b, 2)]);
    lost(loser, row.customer === "Ann" ? "Bob" : "Ann", row.customer as string);
    assert.ok(saved(winner), "the echo of its own save leaves the winner as it was");
  });

  s("Save again after a conflict is refused; Keep mine writes the typed value, and the other editor sees it", async () => {
    const a = await open();
    const b = await open();
    await typeAndSave(a, "Ann");
    await announce(b, 2);
    await typeAndSave(b, "Bob", 1);
    await b.asyncHandleEvent("save", { status: "paid", customer: "Bob", _version: "2" }); // after seeing the conflict
    assert.is((await stored()).customer, "Ann", "a plain save never writes over the shown value");
    lost(b, "Bob", "Ann");
    await b.asyncHandleEvent("keep_mine", {});
    assert.ok(saved(b));
    assert.is((await stored()).customer, "Bob");
    assert.is((await stored()).version, 3);
    assert.equal(b.state.$conflicts, {});
    assert.not.ok(toHTML(b).includes("keep-mine"), "no Keep mine button without a conflict");
    await announce(a, 3);
    assert.is(a.state.customer, "Bob");
  });

  s("Keep mine against a yet newer change is a conflict again, showing that value", async () => {
    const a = await open();
    const b = await open();
    await typeAndSave(a, "Ann");
    await announce(b, 2);
    await typeAndSave(b, "Bob", 1);
    await a.asyncHandleEvent("save", { status: "paid", customer: "Annie" }); // not yet announced to B
    await b.asyncHandleEvent("keep_mine", {});
    assert.is((await stored()).customer, "Annie");
    lost(b, "Bob", "Annie");
    await b.asyncHandleEvent("keep_mine", {});
    assert.is((await stored()).customer, "Bob");
  });

  s("a change that the person saw before editing the field is no conflict", async () => {
    const a = await open();
    const b = await open();
    await typeAndSave(a, "Ann");
    await announce(b, 2); // rendered to B, who then edits the field
    await typeAndSave(b, "Bob", 2);
    assert.ok(saved(b));
    assert.is((await stored()).customer, "Bob");
  });

  s("the generated form carries the version it was rendered from", async () => {
    const b = await open();
    assert.ok(toHTML(b).includes(`<input type="hidden" name="_version" value="1" hl-basis>`), "held by the client while the person types over a changed field");
    await b.asyncHandleEvent("save", { status: "paid", customer: "Bob", _version: "1" });
    assert.ok(toHTML(b).includes(`<input type="hidden" name="_version" value="2" hl-basis>`));
  });

  s("an edit of another field than the one changed elsewhere is no conflict", async () => {
    const a = await open();
    const b = await open();
    await a.asyncHandleEvent("save", { customer: "Ann" });
    await announce(b, 2);
    await b.asyncHandleEvent("bind", { name: "status", value: "shipped" });
    await b.asyncHandleEvent("save", { status: "shipped", customer: "Ann" });
    assert.ok(saved(b));
    const row = await stored();
    assert.equal([row.customer, row.status, row.version], ["Ann", "shipped", 3]);
  });

  s.run();
}
