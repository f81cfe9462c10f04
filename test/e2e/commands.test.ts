// Client-side commands in real Chromium (a small app of this file's own): a JS.toggle sends no
// frame at all, and what commands changed stays through the server's next patch of the element;
// each command does its thing; push sends an event with the binding's payload and loading state;
// commands compose with hl-submit, hl-window-keydown and plain event names.
import type { Page } from "playwright-core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import { JS } from "../../server/core/js.js";
import { connected, watchErrors } from "./support.js";
import { smallAppInChromium } from "./small-app.js";

/** Characters that mean something in HTML, JSON or a selector, through the template to the browser. */
const NASTY = `"quotes" & 'apostrophes' </button><script>x</script> \\ \u2028`;

/** Set by a test to hold the `slow` handler until it resolves. */
let gate: Promise<void> | null = null;

class Panel extends Component<{ n: number; saved: string }> {
  mount() {
    this.state.n = 0;
    this.state.saved = "";
  }
  onBump() {
    this.state.n++;
  }
  async onSave(payload: Record<string, unknown>) {
    await gate;
    this.state.saved = JSON.stringify(payload);
  }
  render() {
    const n = this.state.n;
    return html`<div>
  <button id="toggle" hl-click="${JS.toggle("#menu").addClass("open", "#menu").setAttribute("aria-expanded", "true")}">Menu</button>
  <nav id="menu" class="menu v${n}" data-n="${n}" style="display:none">menu ${n}</nav>
  <button id="bump" hl-click="bump">Bump</button> <span id="count">${n}</span>
  <div id="box" class="box">box ${n}</div>
  <button id="add" hl-click="${JS.addClass("a b", "#box")}">add</button>
  <button id="remove" hl-click="${JS.removeClass("a box", "#box")}">remove</button>
  <button id="set" hl-click="${JS.setAttribute("title", NASTY, "#box").setAttribute("data-x", "1", "#box")}">set</button>
  <button id="unset" hl-click="${JS.removeAttribute("data-x", "#box")}">unset</button>
  <button id="hide" hl-click="${JS.hide("#box")}">hide</button>
  <button id="show" hl-click="${JS.show("#box", { display: "flex" })}">show</button>
  <button id="focus" hl-click="${JS.focus("#field")}">focus</button> <input id="field" name="field">
  <button id="dispatch" hl-click="${JS.dispatch("copied", "#box", { detail: { s: NASTY } })}">dispatch</button>
  <button id="transition" hl-click="${JS.transition("flash", "#box", { time: 1500 })}">transition</button>
  <button id="unknown" hl-click='[["explode",{}],["add",{"to":"#box","c":"survived"}]]'>unknown</button>
  <button id="push" hl-value-x="1" hl-click="${JS.push("save", { via: "js" }).addClass("pushed")}">push</button>
  <form id="dialog" hl-submit="${JS.push("save").hide()}"><input name="title" value="t1"><button>Save</button></form>
  <span hl-window-keydown="${JS.hide("#menu")}" hl-key="Escape"></span>
  <pre id="saved">${this.state.saved}</pre>
  <div id="widget" hl-ignore data-n="${n}">server ${n}</div>
</div>`;
  }
}

const registry = new Registry();
registry.register("panel", Panel);

const ctx = smallAppInChromium(test, registry, { "/": (live) => live("panel") });

/** A page of the app, joined, counting the frames it sends from now on. */
async function open(): Promise<{ page: Page; sent: string[]; errors: string[] }> {
  const page = await ctx.browser.newPage();
  const errors = watchErrors(page);
  const sent: string[] = [];
  page.on("websocket", (ws) => ws.on("framesent", (f) => sent.push(String(f.payload))));
  await page.goto(ctx.app.url);
  await connected(page);
  sent.length = 0;
  return { page, sent, errors };
}

const attr = (page: Page, sel: string, name: string) => page.$eval(sel, (el, n) => el.getAttribute(n), name);
const classes = (page: Page, sel: string) => page.$eval(sel, (el) => [...el.classList].sort());
const visible = (page: Page, sel: string) => page.$eval(sel, (el) => getComputedStyle(el).display !== "none");

test("a client-side toggle sends no frame; what it changed stays through the server's next patch of that element", async () => {
  const { page, sent, errors } = await open();
  assert.is(await visible(page, "#menu"), false);
  await page.click("#toggle");
  await page.waitForSelector("#menu", { state: "visible" });
  assert.equal(await classes(page, "#menu"), ["menu", "open", "v0"]);
  assert.is(await attr(page, "#toggle", "aria-expanded"), "true");

  // The next frame the page sends is the bump's: had the toggle sent anything, it would come first.
  await page.click("#bump");
  await page.waitForFunction(() => document.querySelector("#count")!.textContent === "1");
  assert.is(sent.length, 1, `one frame, the bump's: ${sent.join(" | ")}`);
  assert.match(sent[0]!, /"event":"bump"/);

  // The patch changed the menu's class, attribute and text; the toggle's changes are still there.
  assert.is(await attr(page, "#menu", "data-n"), "1", "the server's change is applied");
  assert.is(await page.textContent("#menu"), "menu 1");
  assert.equal(await classes(page, "#menu"), ["menu", "open", "v1"], "the server's new class and the command's");
  assert.is(await visible(page, "#menu"), true, "still open after the patch (the server's markup says display:none)");
  assert.is(await attr(page, "#toggle", "aria-expanded"), "true");

  // Toggled back: hidden, and it stays hidden through the next patch too; still no frame.
  await page.click("#toggle");
  assert.is(await visible(page, "#menu"), false);
  await page.click("#bump");
  await page.waitForFunction(() => document.querySelector("#count")!.textContent === "2");
  assert.is(sent.length, 2, `the bumps only: ${sent.join(" | ")}`);
  assert.is(await visible(page, "#menu"), false);
  assert.is(await attr(page, "#menu", "data-n"), "2");
  assert.equal(errors, []);
  await page.close();
});

test("addClass, removeClass, setAttribute, removeAttribute, hide, show, focus, dispatch, transition; an unknown command is skipped", async () => {
  const { page, sent, errors } = await open();
  await page.click("#add");
  assert.equal(await classes(page, "#box"), ["a", "b", "box"]);
  await page.click("#remove");
  assert.equal(await classes(page, "#box"), ["b"]);

  await page.click("#set");
  assert.is(await attr(page, "#box", "title"), NASTY, "the value arrives exactly, through the template's escaping");
  assert.is(await attr(page, "#box", "data-x"), "1");
  await page.click("#unset");
  assert.is(await attr(page, "#box", "data-x"), null);

  await page.click("#hide");
  assert.is(await visible(page, "#box"), false);
  await page.click("#show");
  assert.is(await page.$eval("#box", (el) => getComputedStyle(el).display), "flex");

  await page.click("#focus");
  assert.is(await page.evaluate(() => document.activeElement?.id), "field");

  await page.evaluate(() => document.addEventListener("copied", (e) => ((window as any).copied = { target: (e.target as Element).id, detail: (e as CustomEvent).detail })));
  await page.click("#dispatch");
  assert.equal(await page.evaluate(() => (window as any).copied), { target: "box", detail: { s: NASTY } }, "bubbles to the document, with its detail");

  await page.click("#transition");
  assert.ok((await classes(page, "#box")).includes("flash"), "the transition's class is on at once");
  await page.waitForFunction(() => !document.querySelector("#box")!.classList.contains("flash"), undefined, { timeout: 10_000 });

  await page.click("#unknown");
  assert.ok((await classes(page, "#box")).includes("survived"), "the command after an unknown one still runs");

  // A server patch keeps all of it: classes, attributes, display.
  await page.click("#bump");
  await page.waitForFunction(() => document.querySelector("#count")!.textContent === "1");
  assert.is(await page.textContent("#box"), "box 1");
  assert.equal(await classes(page, "#box"), ["b", "survived"], "removed classes stay removed, added ones stay; the transition's is gone");
  assert.is(await attr(page, "#box", "title"), NASTY);
  assert.is(await attr(page, "#box", "data-x"), null);
  assert.is(await page.$eval("#box", (el) => getComputedStyle(el).display), "flex");
  assert.is(sent.length, 1, `only the bump travelled: ${sent.join(" | ")}`);
  assert.equal(errors, []);
  await page.close();
});

test("push sends the event with the binding's payload, hl-value-* and its value, with the loading state; commands beside it run at once", async () => {
  const { page, sent, errors } = await open();
  let release!: () => void;
  gate = new Promise((r) => (release = r));
  await page.click("#push");
  await page.waitForFunction(() => document.querySelector("#push")!.classList.contains("hl-loading"));
  assert.ok((await classes(page, "#push")).includes("pushed"), "the command after push ran without waiting");
  assert.is(sent.length, 1);
  assert.equal(JSON.parse(sent[0]!).payload, { x: "1", via: "js" });
  release();
  gate = null;
  await page.waitForFunction(() => document.querySelector("#saved")!.textContent !== "");
  assert.equal(JSON.parse((await page.textContent("#saved"))!), { x: "1", via: "js" });
  await page.waitForFunction(() => !document.querySelector("#push")!.classList.contains("hl-loading"));

  // hl-submit: push carries the form's fields; hide() without a target hides the form itself
  await page.click("#dialog button");
  await page.waitForFunction(() => document.querySelector("#saved")!.textContent!.includes("t1"));
  assert.equal(JSON.parse((await page.textContent("#saved"))!), { title: "t1" });
  assert.is(await visible(page, "#dialog"), false);
  assert.is(sent.length, 2);
  assert.equal(errors, []);
  await page.close();
});

test("hl-window-keydown runs commands too: Escape closes the menu, another key does nothing; no frame", async () => {
  const { page, sent, errors } = await open();
  await page.click("#toggle");
  await page.waitForSelector("#menu", { state: "visible" });
  await page.keyboard.press("a");
  assert.is(await visible(page, "#menu"), true);
  await page.keyboard.press("Escape");
  assert.is(await visible(page, "#menu"), false);
  await page.click("#bump");
  await page.waitForFunction(() => document.querySelector("#count")!.textContent === "1");
  assert.is(sent.length, 1, `only the bump travelled: ${sent.join(" | ")}`);
  assert.equal(errors, []);
  await page.close();
});

test("hl-ignore: a patch updates the element's attributes, never the contents the client put there", async () => {
  const { page, errors } = await open();
  assert.is(await page.textContent("#widget"), "server 0", "the first render fills it");
  await page.evaluate(() => { document.querySelector("#widget")!.innerHTML = "<b id='mine'>a widget's own DOM</b>"; });
  await page.click("#bump");
  await page.waitForFunction(() => document.querySelector("#count")!.textContent === "1");
  assert.is(await attr(page, "#widget", "data-n"), "1", "its attributes follow the server");
  assert.is(await page.textContent("#widget"), "a widget's own DOM", "its contents stay the client's");
  assert.is(await page.locator("#mine").count(), 1);
  assert.equal(errors, []);
  await page.close();
});

test.run();
