import { URL_ATTRS } from "./escape.js";
import { HotlineError } from "../errors.js";

/** Where a slot stands in the HTML, which decides how its value is escaped. */
export const enum Ctx {
  /** Text content: nested templates and lists allowed. */
  Text = 0,
  /** A quoted attribute value. */
  Attr = 1,
  /** A quoted attribute value that is a URL (href, src, …). */
  Url = 2,
  /** Inside a tag, between attributes: attribute names or a `{ name: value }` object. */
  Tag = 3,
  /** Inside `<script>`: the value is serialised as JSON. */
  Script = 4,
}

/** A template call site's statics, analysed once. */
export interface Statics {
  /** Id on the wire (docs/protocol.md §1.1); 0 is reserved for whole-string renders. */
  readonly id: number;
  /** The literal parts, one more than the slots (unquoted attribute slots get quotes added here). */
  readonly parts: readonly string[];
  /** Each slot's position. */
  readonly ctx: readonly Ctx[];
  /** For attribute slots, the attribute's name (lower case). */
  readonly names: readonly (string | undefined)[];
}

/** The reserved statics of a template that is a single HTML string. */
export const WHOLE: Statics = { id: 0, parts: ["", ""], ctx: [Ctx.Text], names: [] };

const cache = new WeakMap<TemplateStringsArray, Statics>();
/** The strings array that stands for {@link WHOLE}. */
export const WHOLE_STRINGS: TemplateStringsArray = ((s: TemplateStringsArray, ..._: unknown[]) => s)`${""}`;
cache.set(WHOLE_STRINGS, WHOLE);
const byId = new Map<number, Statics>([[0, WHOLE]]);
let nextId = 1;

/** The analysed statics of a template call site (computed on first use, then cached). */
export function staticsOf(strings: TemplateStringsArray): Statics {
  let s = cache.get(strings);
  if (!s) {
    s = analyse(strings, nextId++);
    cache.set(strings, s);
    byId.set(s.id, s);
  }
  return s;
}

/** The statics with a given wire id, if this process has seen it. */
export function staticsById(id: number): Statics | undefined {
  return byId.get(id);
}

const enum St { Data, TagName, InTag, AttrName, AfterName, BeforeValue, Dq, Sq, Unquoted, Comment, Raw, Decl }

function fail(message: string): never {
  throw new HotlineError("handler_error", message, { fault: "app" });
}

function analyse(strings: TemplateStringsArray, id: number): Statics {
  const parts = [...strings.raw.map((_, i) => strings[i] ?? strings.raw[i]!)];
  const ctx: Ctx[] = [];
  const names: string[] = [];
  let st = St.Data;
  let tag = "";
  let attr = "";
  let rawTag = ""; // the element whose raw text we are in (script/style)
  for (let p = 0; p < parts.length; p++) {
    const s = parts[p]!;
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      switch (st) {
        case St.Data:
          if (c === "<") {
            if (s.startsWith("<!--", i)) { st = St.Comment; i += 3; }
            else if (s[i + 1] === "!" || s[i + 1] === "?") st = St.Decl;
            else if (/[a-zA-Z/]/.test(s[i + 1] ?? "")) { st = St.TagName; tag = ""; }
          }
          break;
        case St.TagName:
          if (c === ">") { st = enterContent(tag); rawTag = tag.toLowerCase(); }
          else if (/\s/.test(c)) st = St.InTag;
          else tag += c;
          break;
        case St.InTag:
          if (c === ">") { st = enterContent(tag); rawTag = tag.toLowerCase(); }
          else if (!/[\s/]/.test(c)) { st = St.AttrName; attr = c; }
          break;
        case St.AttrName:
          if (c === "=") st = St.BeforeValue;
          else if (c === ">") { st = enterContent(tag); rawTag = tag.toLowerCase(); }
          else if (/\s/.test(c)) st = St.AfterName;
          else attr += c;
          break;
        case St.AfterName:
          if (c === "=") st = St.BeforeValue;
          else if (c === ">") { st = enterContent(tag); rawTag = tag.toLowerCase(); }
          else if (!/\s/.test(c)) { st = St.AttrName; attr = c; }
          break;
        case St.BeforeValue:
          if (c === '"') st = St.Dq;
          else if (c === "'") st = St.Sq;
          else if (c === ">") { st = enterContent(tag); rawTag = tag.toLowerCase(); }
          else if (!/\s/.test(c)) st = St.Unquoted;
          break;
        case St.Dq:
          if (c === '"') st = St.InTag;
          break;
        case St.Sq:
          if (c === "'") st = St.InTag;
          break;
        case St.Unquoted:
          if (/\s/.test(c)) st = St.InTag;
          else if (c === ">") { st = enterContent(tag); rawTag = tag.toLowerCase(); }
          break;
        case St.Comment:
          if (s.startsWith("-->", i)) { st = St.Data; i += 2; }
          break;
        case St.Decl:
          if (c === ">") st = St.Data;
          break;
        case St.Raw:
          if (c === "<" && s.slice(i + 2, i + 2 + rawTag.length).toLowerCase() === rawTag && s[i + 1] === "/") st = St.Data;
          break;
      }
    }
    if (p === parts.length - 1) break;
    // The slot after part p.
    const name = attr.toLowerCase();
    switch (st) {
      case St.Data:
      case St.Comment:
        ctx.push(Ctx.Text);
        break;
      case St.Raw:
        if (rawTag === "script") ctx.push(Ctx.Script);
        else ctx.push(Ctx.Text); // <style>: escaped text cannot close the element
        break;
      case St.Dq:
      case St.Sq:
        if (name.startsWith("on")) fail(`interpolation into the event-handler attribute "${attr}" is unsafe; use an hl-* binding`);
        ctx.push(URL_ATTRS.has(name) ? Ctx.Url : Ctx.Attr);
        names[ctx.length - 1] = name;
        break;
      case St.BeforeValue: {
        // An unquoted value made of the slot alone: add the quotes, so the value cannot add attributes.
        const next = parts[p + 1]!;
        if (!/^(?:\s|\/?>|$)/.test(next)) fail(`the unquoted value of attribute "${attr}" mixes text and a value; quote it`);
        if (name.startsWith("on")) fail(`interpolation into the event-handler attribute "${attr}" is unsafe; use an hl-* binding`);
        parts[p] = parts[p]! + '"';
        ctx.push(URL_ATTRS.has(name) ? Ctx.Url : Ctx.Attr);
        names[ctx.length - 1] = name;
        st = St.InTag;
        pendingQuote.add(p + 1);
        break;
      }
      case St.Unquoted:
        fail(`the unquoted value of attribute "${attr}" mixes text and a value; quote it`);
        break;
      case St.InTag:
      case St.AttrName:
      case St.AfterName:
        ctx.push(Ctx.Tag);
        st = St.InTag;
        break;
      case St.TagName:
        fail("a value cannot stand in a tag name");
        break;
      case St.Decl:
        fail("a value cannot stand in a <!...> declaration");
        break;
    }
  }
  for (const p of pendingQuote) parts[p] = '"' + parts[p]!;
  pendingQuote.clear();
  return { id, parts, ctx, names };
}

// Parts that get a closing quote prepended once the scan is done (scanning them with the quote
// would put the state machine back inside the attribute value).
const pendingQuote = new Set<number>();

function enterContent(tag: string): St {
  const t = tag.toLowerCase();
  return t === "script" || t === "style" ? St.Raw : St.Data;
}
