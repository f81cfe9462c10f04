// hotline/testing and live pages (docs/navigation.md): a view started from a URL as a browser tab
// loads it (the page request, then the join from its token with the URL), `view.patch(url)` as an
// hl-patch link does, and what the component asked of the page (pushPatch, pushNavigate,
// redirect, flash, title) read from the nav frames the view receives.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { z } from "zod";
import { Component, html, type AsyncResult } from "hotline";
import { createTestApp, live, LiveTestError, type LiveView } from "hotline/testing";
import { HotlineError } from "../../server/core/errors.js";
import type { Hotline } from "../../server/hotline.js";

let mounts = 0;
/** Every handleParams call's URL. */
const seen: string[] = [];

type OrdersState = { status: string; page: number; count: number };

class Orders extends Component<OrdersState> {
  static clientParams = z.object({ status: z.enum(["all", "paid", "open"]).optional(), page: z.coerce.number().int().min(1).max(50).optional() });
  mount() {
    mounts++;
    this.state.count = 0;
    this.state.status = "all";
    this.state.page = 1;
  }
  handleParams(p: { status?: string; page?: number }, url: URL) {
    seen.push(url.pathname + url.search);
    if (p.page === 13) throw new HotlineError("bad_message", "there is no page 13");
    this.state.status = p.status ?? "all";
    this.state.page = p.page ?? 1;
    if (p.status === "paid" && this.state.count === 0) this.flash("info", "Showing paid orders");
  }
  pageTitle() {
    return `Orders: ${this.state.status}`;
  }
  onBump() {
    this.state.count++;
  }
  onOpenOnly() {
    this.pushPatch("/orders?status=open", { replace: true });
  }
  onOpenSeven() {
    this.flash("info", "Opened order 7");
    this.pushNavigate("/orders/7");
  }
  onElsewhere() {
    this.pushPatch("/orders/9");
  }
  onLeave() {
    this.redirect("/signin");
  }
  render() {
    const s = this.state;
    return html`<section><h1>Orders <span class="status">${s.status}</span> page <span class="page">${s.page}</span></h1>
<p>count <span class="count">${s.count}</span></p>
<button class="bump" hl-click="bump">bump</button> <button class="open-only" hl-click="open_only">open only</button>
<button class="open-seven" hl-click="open_seven">open 7</button> <button class="elsewhere" hl-click="elsewhere">elsewhere</button>
<button class="leave" hl-click="leave">leave</button>
<a class="paid-link" href="?status=paid&amp;page=2" hl-patch><span>paid</span></a> <a class="order-link" href="/orders/7" hl-navigate>7</a></section>`;
  }
}

class Order extends Component<{ id: number }, { id: number }> {
  static clientParams = z.object({ id: z.coerce.number().int().positive() });
  mount() {
    this.state.id = this.params.id;
  }
  handleParams(p: { id: number }) {
    this.state.id = p.id;
  }
  render() {
    return html`<article>Order <span class="id">${this.state.id}</span></article>`;
  }
}

/** A page whose mount sends the visitor elsewhere: its page request answers with a redirect. */
class Gone extends Component<{ x: number }> {
  mount() {
    this.state.x = 0;
    this.pushNavigate("/orders");
  }
  render() {
    return html`<p>gone</p>`;
  }
}

/** A page whose mount loads inline (no `static loaders`): the page request waits for it, as `live()` does. */
class Report extends Component<{ total: AsyncResult<number> }> {
  mount() {
    this.assignAsync("total", async () => {
      await new Promise((r) => setTimeout(r, 5));
      return 42;
    });
  }
  render() {
    const t = this.state.total;
    return html`<p class="total">${t.ok ? t.result : t.loading ? "loading" : t.failed}</p>`;
  }
}

const routes = [
  { path: "/orders", component: "orders" },
  { path: "/report", component: "report" },
  { path: "/orders/:id", component: "order", title: (p: Readonly<Record<string, unknown>>) => `Order ${p.id}` },
  { path: "/gone", component: "gone" },
];

let app: Hotline;
const views: LiveView[] = [];
async function open<S extends Record<string, any> = OrdersState>(first: Parameters<typeof live>[0], options: Parameters<typeof live>[1] = {}): Promise<LiveView<S>> {
  const view = await live<S>(first as never, { app, ...options });
  views.push(view);
  return view;
}
async function refusal(p: Promise<unknown>): Promise<LiveTestError> {
  try {
    await p;
  } catch (err) {
    assert.instance(err, LiveTestError);
    return err as LiveTestError;
  }
  throw new Error("expected a refusal");
}

function setup(s: ReturnType<typeof suite>) {
  s.before.each(() => {
    app = createTestApp({ routes, components: { orders: Orders, order: Order, gone: Gone, report: Report } });
    mounts = 0;
    seen.length = 0;
  });
  s.after.each(async () => {
    for (const v of views.splice(0)) await v.close();
    await app.close();
  });
}

const start = suite("hotline/testing: live(Component, { url }) starts a live page");
setup(start);

start("a deep link: the URL's params checked and given to handleParams once, the title computed, one mount", async () => {
  const view = await open(Orders, { url: "/orders?status=open&page=2" });
  assert.equal(view.state.status, "open");
  assert.equal(view.state.page, 2);
  assert.is(view.find(".status")[0]!.textContent, "open");
  assert.is(view.url, "/orders?status=open&page=2");
  assert.is(view.title, "Orders: open");
  assert.is(mounts, 1, "the tab's join hydrates from the page's token: no second mount");
  assert.equal(seen, ["/orders?status=open&page=2"]);
  assert.equal(view.navigations(), []);
  assert.equal(view.flashes(), []);
});

start("a URL alone starts its route's component; a route's title function gets the checked params", async () => {
  const view = await open<{ id: number }>("/orders/7");
  assert.is(view.name, "order");
  assert.is(view.state.id, 7);
  assert.is(view.title, "Order 7");
  assert.is(view.url, "/orders/7");
});

start("a flash set while the page request ran is the view's", async () => {
  const view = await open(Orders, { url: "/orders?status=paid" });
  assert.equal(view.flashes(), [{ kind: "info", text: "Showing paid orders" }]);
});

start("a param the schema refuses, or handleParams refuses, rejects with bad_message; nothing mounts for a schema refusal", async () => {
  const bad = await refusal(open(Orders, { url: "/orders?status=lost" }));
  assert.is(bad.code, "bad_message");
  assert.ok(Array.isArray(bad.details?.issues), "the schema's issues are in details");
  assert.is(mounts, 0);
  assert.is((await refusal(open("/orders/abc"))).code, "bad_message");
  const thirteen = await refusal(open(Orders, { url: "/orders?page=13" }));
  assert.is(thirteen.code, "bad_message");
  assert.match(thirteen.message, "there is no page 13");
});

start("a URL that is no live page, or another component's page, is refused with a clear error", async () => {
  const none = await refusal(open("/nowhere"));
  assert.is(none.code, "unknown_component");
  assert.match(none.message, "/orders/:id");
  const other = await refusal(open(Orders, { url: "/orders/7" }));
  assert.is(other.code, "bad_message");
  assert.match(other.message, `page of "order"`);
  const mixed = await refusal(open(Orders, { url: "/orders", clientParams: { status: "paid" } }));
  assert.is(mixed.code, "testing");
});

start("a page whose start asks for a navigation is a redirect: redirectedTo() names it, nothing to read", async () => {
  const view = await open("/gone");
  assert.is(view.redirectedTo(), "/orders");
  assert.throws(() => view.html(), /redirect/);
});

start("a page's mount hook that redirects an anonymous visitor: redirectedTo(); a signed-in user gets the page", async () => {
  await app.close();
  app = createTestApp({ routes, components: { orders: Orders, order: Order, gone: Gone, report: Report }, onMount: ({ user }) => (user ? true : { redirect: "/signin" }) });
  const anonymous = await open("/orders");
  assert.is(anonymous.redirectedTo(), "/signin");
  assert.is(mounts, 0);
  const ada = await open("/orders?status=paid", { user: { id: "ada", name: "Ada" } });
  assert.is(ada.state.status, "paid");
  assert.is(ada.redirectedTo(), undefined);
});

start("a page's reconnecting tab: session and url resume the page at its patched URL", async () => {
  const first = await open(Orders, { url: "/orders" });
  await first.element(".bump").click();
  await first.patch("/orders?status=open");
  const session = first.session;
  await first.close();
  const again = await open(Orders, { url: "/orders?status=open", session });
  assert.equal({ ...again.state }, { status: "open", page: 1, count: 1 });
  assert.is(again.url, "/orders?status=open");
  assert.is(again.title, "Orders: open");
  assert.is(mounts, 1, "resumed from the store, not mounted again");
});

start("following a navigate: the URL it names starts the next page", async () => {
  const list = await open(Orders, { url: "/orders" });
  await list.element(".open-seven").click();
  const next = await open<{ id: number }>(list.navigatedTo()!);
  assert.is(next.state.id, 7);
  assert.is(next.title, "Order 7");
});

start("a page whose mount loads inline is rendered once the load is done (its token carries the result)", async () => {
  const view = await open<{ total: AsyncResult<number> }>("/report");
  assert.equal(view.state.total, { loading: false, ok: true, failed: null, result: 42 });
  assert.is(view.find(".total")[0]!.textContent, "42");
});

start.run();

const patch = suite("hotline/testing: view.patch(url), as an hl-patch link");
setup(patch);

patch("patch runs handleParams without a remount: the state survives, the URL and title follow", async () => {
  const view = await open(Orders, { url: "/orders" });
  await view.element(".bump").click();
  await view.element(".bump").click();
  await view.patch("/orders?status=open&page=3");
  assert.equal({ ...view.state }, { status: "open", page: 3, count: 2 });
  assert.is(view.find(".count")[0]!.textContent, "2");
  assert.is(view.find(".status")[0]!.textContent, "open");
  assert.is(view.url, "/orders?status=open&page=3");
  assert.is(view.title, "Orders: open");
  assert.is(mounts, 1);
  assert.equal(seen, ["/orders", "/orders?status=open&page=3"]);
  assert.equal(view.navigations(), [], "a patch the client made is not the component's request");
});

patch("clicking an hl-patch link patches the page (its href relative to the page's URL); an hl-navigate link is recorded", async () => {
  const view = await open(Orders, { url: "/orders" });
  await view.element(".bump").click();
  await view.element(".paid-link span").click();
  assert.is(view.url, "/orders?status=paid&page=2");
  assert.equal({ ...view.state }, { status: "paid", page: 2, count: 1 }, "no remount");
  await view.element(".order-link").click();
  assert.equal(view.navigations(), [{ kind: "navigate", url: "/orders/7" }]);
  assert.is(view.url, "/orders?status=paid&page=2", "the view stays; live(view.navigatedTo()) follows");
  assert.is(mounts, 1);
});

patch("a refused patch rejects with the server's code and changes nothing: URL, state, title", async () => {
  const view = await open(Orders, { url: "/orders?status=paid" });
  await view.element(".bump").click();
  const schema = await refusal(view.patch("/orders?status=lost"));
  assert.is(schema.code, "bad_message");
  const handler = await refusal(view.patch("/orders?page=13"));
  assert.is(handler.code, "bad_message");
  assert.match(handler.message, "there is no page 13");
  const other = await refusal(view.patch("/orders/7"));
  assert.is(other.code, "bad_message");
  const huge = await refusal(view.patch(`/orders?status=${"x".repeat(3000)}`));
  assert.is(huge.code, "bad_message");
  assert.is(view.url, "/orders?status=paid");
  assert.equal({ ...view.state }, { status: "paid", page: 1, count: 1 });
  assert.is(view.title, "Orders: paid");
  await view.patch("/orders?status=all");
  assert.is(view.state.status, "all", "the view still patches after refusals");
});

patch("a view that is no page (an embed, not a URL) cannot be patched; its url is undefined", async () => {
  const view = await open(Orders);
  assert.is(view.url, undefined);
  const err = await refusal(view.patch("/orders?status=paid"));
  assert.is(err.code, "bad_message");
  assert.is(view.state.status, "all");
});

patch.run();

const asked = suite("hotline/testing: what the component asks of the page");
setup(asked);

asked("pushPatch to the page: handleParams has run when the click resolves; url, title and navigations follow", async () => {
  const view = await open(Orders, { url: "/orders?status=paid" });
  await view.element(".bump").click();
  await view.element(".open-only").click();
  assert.is(view.state.status, "open");
  assert.is(view.state.count, 1, "no remount");
  assert.is(view.find(".status")[0]!.textContent, "open");
  assert.is(view.url, "/orders?status=open");
  assert.is(view.patchedTo(), "/orders?status=open");
  assert.is(view.title, "Orders: open");
  assert.equal(view.navigations(), [{ kind: "patch", url: "/orders?status=open", replace: true }]);
  assert.is(mounts, 1);
});

asked("pushNavigate and flash are recorded; the view stays on its URL", async () => {
  const view = await open(Orders, { url: "/orders" });
  await view.element(".open-seven").click();
  assert.equal(view.navigations(), [{ kind: "navigate", url: "/orders/7" }]);
  assert.is(view.navigatedTo(), "/orders/7");
  assert.equal(view.flashes(), [{ kind: "info", text: "Opened order 7" }]);
  assert.is(view.url, "/orders");
  assert.is(view.patchedTo(), undefined);
  assert.is(view.redirectedTo(), undefined);
});

asked("a pushPatch to another page's URL is a navigate", async () => {
  const view = await open(Orders, { url: "/orders" });
  await view.element(".elsewhere").click();
  assert.equal(view.navigations(), [{ kind: "navigate", url: "/orders/9" }]);
  assert.is(view.url, "/orders");
});

asked("redirect() is recorded, and redirectedTo() reports it; the view is still there to read", async () => {
  const view = await open(Orders, { url: "/orders" });
  assert.is(view.redirectedTo(), undefined);
  await view.element(".leave").click();
  assert.equal(view.navigations(), [{ kind: "redirect", url: "/signin" }]);
  assert.is(view.redirectedTo(), "/signin");
  assert.is(view.find(".status")[0]!.textContent, "all");
});

asked.run();
