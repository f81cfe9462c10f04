// hotline/testing: live() mounts as a page would, and refuses as a page would: an unauthorized
// mount, a mount hook's redirect (the class's or the app's), client params the class's schema refuses.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { z } from "zod";
import { Component, html } from "hotline";
import { live, type LiveView } from "hotline/testing";
import { Counter } from "../../components/counter.js";
import { rejection, thrown } from "./refusals.js";

const s = suite("hotline/testing: live(), who may mount and with what");
let open: LiveView[] = [];
const track = <V extends LiveView<any>>(v: V): V => (open.push(v), v);
s.after.each(async () => {
  for (const v of open) await v.close();
  open = [];
});

// ---------- authorization and redirects ----------

class Secret extends Component<{ n: number }> {
  static authorize(user: unknown): boolean {
    return !!user;
  }
  mount(): void {
    this.state.n = 1;
  }
  render() {
    return html`<p>secret ${this.state.n}</p>`;
  }
}

class Members extends Component<{ n: number }> {
  static onMount = ({ user }: { user: unknown }) => (user ? true : { redirect: "/signin" });
  mount(): void {
    this.state.n = 1;
  }
  render() {
    return html`<p>members</p>`;
  }
}

s("an unauthorized mount rejects with unauthorized; an authorized one mounts", async () => {
  const e = await rejection(live(Secret));
  assert.is(e.code, "unauthorized");
  const view = track(await live(Secret, { user: { id: "u1", name: "U" } }));
  assert.match(view.html(), "secret 1");
  assert.is(view.redirectedTo(), undefined);
});

s("a mount hook's redirect gives a view whose redirectedTo() names it, and nothing to click", async () => {
  const view = track(await live(Members));
  assert.is(view.redirectedTo(), "/signin");
  const e = thrown(() => view.html());
  assert.match(e.message, "refused with a redirect to /signin");
  assert.is((await rejection(view.element("p").click())).code, "testing");
  const ok = track(await live(Members, { user: { id: "u1", name: "U" } }));
  assert.is(ok.redirectedTo(), undefined);
  assert.match(ok.html(), "members");
});

s("the app's own mount hooks run too (a private app's appOptions, or a given app)", async () => {
  const seen: string[] = [];
  const e = await rejection(live(Counter, { appOptions: { onMount: (info) => (seen.push(`${info.name}:${info.mode}`), false) } }));
  assert.is(e.code, "unauthorized");
  assert.equal(seen, ["counter:mount"]);
  seen.length = 0;
  track(await live(Counter, { appOptions: { onMount: (info) => void seen.push(info.mode) } }));
  assert.equal(seen, ["mount", "hydrate"], "the page embed mounts, the tab's join hydrates from its token");
});

// ---------- client params ----------

class Picker extends Component<{ page: number }> {
  static clientParams = z.object({ page: z.number().int().min(1).max(10) });
  mount(): void {
    this.state.page = Number((this.params as { page?: number }).page ?? 1);
  }
  render() {
    return html`<p>page ${this.state.page}</p>`;
  }
}

s("clientParams are checked against the class's schema; a class without one refuses them", async () => {
  const view = track(await live(Picker, { clientParams: { page: 3 } }));
  assert.match(view.html(), "page 3");
  assert.is((await rejection(live(Picker, { clientParams: { page: 99 } }))).code, "bad_message");
  const e = await rejection(live(Counter, { clientParams: { start: 5 } }));
  assert.is(e.code, "bad_message");
  assert.match(e.message, "takes no params from clients");
});

s.run();
