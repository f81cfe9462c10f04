import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Component, HotlineError, html } from "../../server/core/index.js";
import { handlerName } from "../../server/core/events.js";

class Base extends Component<{ log: string[] }> {
  mount() { this.state.log = []; }
  onSaveDraft(p: { v?: string }) { this.state.log.push(`draft:${p.v ?? ""}`); }
  render() { return html`${this.state.log.join(",")}`; }
}
class Child extends Base {
  onIncrement() { this.state.log.push("inc"); }
  onArrow = () => { this.state.log.push("arrow"); };
  notAHandler() { this.state.log.push("x"); }
}

const routing = suite("event routing");

routing("names map to on<Event> handlers", () => {
  assert.is(handlerName("increment"), "onIncrement");
  assert.is(handlerName("save_draft"), "onSaveDraft");
  assert.is(handlerName("save-draft"), "onSaveDraft");
  assert.is(handlerName("saveDraft"), "onSaveDraft");
});

routing("increment, save_draft and save-draft reach their handlers through the class chain", () => {
  const c = new Child();
  c.dispatch();
  c.handleEvent("increment");
  c.handleEvent("save_draft", { v: "1" });
  c.handleEvent("save-draft", { v: "2" });
  assert.equal(c.state.log, ["inc", "draft:1", "draft:2"]);
});

routing("nothing but the component's own on<Event> methods can be reached", () => {
  const bad: unknown[] = [
    "constructor", "render", "dispatch", "hydrate", "__proto__", "toString", "valueOf", "hasOwnProperty",
    "message", // onMessage is the framework's, on Component itself
    "arrow", // an instance field, not a method of the class chain
    "not-a-handler", "nothing", "", " increment", "increment ", "on increment", "a".repeat(65),
    123, null, undefined, {}, ["increment"], true,
  ];
  for (const name of bad) {
    const c = new Child();
    c.dispatch();
    try {
      c.handleEvent(name as string);
      assert.unreachable(`"${String(name)}" reached a handler`);
    } catch (e) {
      assert.instance(e, HotlineError, String(name));
      assert.is((e as HotlineError).code, "unknown_event", String(name));
    }
    assert.equal(c.state.log, [], String(name));
  }
});

routing("lifecycle, pub/sub and presence callbacks a component overrides are never events", () => {
  const ran: string[] = [];
  class Chat extends Base {
    onMessage() { ran.push("message"); }
    onResync() { ran.push("resync"); }
    onPresence() { ran.push("presence"); }
    onJoin() { ran.push("join"); }
  }
  for (const name of ["message", "Message", "resync", "Resync", "presence", "join", "JOIN".toLowerCase()]) {
    const c = new Chat();
    c.dispatch();
    try {
      c.handleEvent(name);
      assert.unreachable(`"${name}" reached a callback`);
    } catch (e) {
      assert.is((e as HotlineError).code, "unknown_event", name);
    }
  }
  assert.equal(ran, []);
});

routing("an unknown event's message does not echo markup", () => {
  try { new Child().dispatch({ event: "<img src=x onerror=alert(1)>" }); } catch (e) {
    assert.is((e as HotlineError).code, "unknown_event");
    assert.not.match((e as Error).message, /<img/);
  }
});

routing.run();
