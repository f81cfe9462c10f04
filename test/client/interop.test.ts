// The client's Rendered against the server's own encoder and differ (server/core): after every
// random edit of a keyed list, applying the server's diff must give exactly the server's HTML.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { html, repeat, type TemplateResult } from "../../server/core/template/template.js";
import { Encoder } from "../../server/core/template/encoder.js";
import { diffTemplate } from "../../server/core/template/diff.js";
import { staticsById } from "../../server/core/template/statics.js";
import { renderToString } from "../../server/core/template/render-string.js";
import { Rendered } from "../../client/rendered.js";

type Todo = { id: number; text: string; done: boolean };
const view = (s: { title: string; n: number; todos: Todo[] }): TemplateResult =>
  html`<h1 title="${s.title}">${s.title} (${s.n})</h1><ul>${repeat(s.todos, (t) => t.id, (t) =>
    html`<li id="t${t.id}" class="${t.done ? "done" : ""}">${t.text}${t.done ? html`<em>✓</em>` : ""}</li>`)}</ul>`;

const statics = (ids: Iterable<number>) => Object.fromEntries([...ids].map((id) => [String(id), [...staticsById(id)!.parts]]));

const test = suite("client Rendered <-> server diff");

test("500 random edits: the client's HTML equals the server's after each patch", () => {
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  let next = 1;
  const s = { title: "a<b", n: 0, todos: [] as Todo[] };
  let prev = view(s);
  const enc = new Encoder(false);
  const root = enc.text([prev], 0);
  const client = Rendered.fromJoin({ p: statics(enc.ids), r: root });
  assert.is(client.toHTML(), renderToString(view(s)));
  for (let step = 0; step < 500; step++) {
    const t = s.todos;
    switch (rnd(7)) {
      case 0: t.splice(rnd(t.length + 1), 0, { id: next++, text: `x & ${step}`, done: false }); break;
      case 1: if (t.length) t.splice(rnd(t.length), 1); break;
      case 2: if (t.length > 1) t.splice(rnd(t.length), 0, ...t.splice(rnd(t.length), 1)); break;
      case 3: if (t.length) { const i = rnd(t.length); t[i] = { ...t[i]!, done: !t[i]!.done }; } break;
      case 4: s.n++; break;
      case 5: s.title = `"t${step}"`; break;
      case 6: t.push({ id: next++, text: `end ${step}`, done: true }); break;
    }
    const cur = view(s);
    const e = new Encoder(false);
    const d = diffTemplate(prev, cur, e);
    client.apply({ t: "patch", id: "x", ...(e.ids.size && { p: statics(e.ids) }), ...d });
    assert.is(client.toHTML(), renderToString(view(s)), `step ${step}`);
    prev = cur;
  }
});

test.run();
