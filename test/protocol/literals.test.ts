// The protocol's vocabulary lives in protocol/ only, and the layers keep their dependency rule
// (ARCHITECTURE.md): this file reads the library source (server/, client/, pubsub/) and fails on
// an `hl-*` name, a close code or an import that should not be there. Comments are ignored, so
// TSDoc may still say `hl-click`.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

const root = resolve(dirname(new URL(import.meta.url).pathname), "../..");

/** A source file, lexed: its code without comments, and the text of its string-like literals. */
export interface Lexed {
  /** The source with every comment blanked (newlines kept, so offsets and lines stay right). */
  code: string;
  /** Quoted strings, template text (outside `${}`) and regex bodies, with their line. */
  literals: { text: string; line: number }[];
}

// After these, a `/` starts a regex literal; after an identifier, a number or a closing bracket
// it divides.
const BEFORE_REGEX = new Set(["return", "typeof", "case", "in", "of", "new", "delete", "void", "throw", "else", "do", "yield", "await", "instanceof"]);

/** A small TypeScript lexer: enough to tell comments, strings, templates and regexes apart. */
export function lex(src: string): Lexed {
  let code = "";
  const literals: Lexed["literals"] = [];
  let i = 0;
  let line = 1;
  let lastWord = "";
  let last = ""; // the last significant character outside literals
  // brace depths at which a `${` of an enclosing template was opened
  const templates: number[] = [];
  let depth = 0;

  const take = (to: number) => {
    const s = src.slice(i, to);
    for (const c of s) if (c === "\n") line++;
    code += s;
    i = to;
  };
  const blank = (to: number) => {
    const s = src.slice(i, to);
    for (const c of s) if (c === "\n") line++;
    code += s.replace(/[^\n]/g, " ");
    i = to;
  };
  /** Template text from i (just after a backtick or a `}` closing a `${`) to its end or next `${`. */
  const templateText = () => {
    const start = i;
    const startLine = line;
    let j = i;
    while (j < src.length) {
      if (src[j] === "\\") j += 2;
      else if (src[j] === "`") {
        literals.push({ text: src.slice(start, j), line: startLine });
        take(j + 1);
        last = "`";
        return;
      } else if (src[j] === "$" && src[j + 1] === "{") {
        literals.push({ text: src.slice(start, j), line: startLine });
        take(j + 2);
        templates.push(depth);
        depth++;
        last = "{";
        return;
      } else j++;
    }
    throw new Error(`unterminated template literal at line ${startLine}`);
  };

  while (i < src.length) {
    const c = src[i]!;
    const n = src[i + 1];
    if (c === "/" && n === "/") {
      const end = src.indexOf("\n", i);
      blank(end < 0 ? src.length : end);
    } else if (c === "/" && n === "*") {
      const end = src.indexOf("*/", i + 2);
      if (end < 0) throw new Error(`unterminated comment at line ${line}`);
      blank(end + 2);
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c && src[j] !== "\n") j += src[j] === "\\" ? 2 : 1;
      literals.push({ text: src.slice(i + 1, j), line });
      take(j + 1);
      last = c;
      lastWord = "";
    } else if (c === "`") {
      take(i + 1);
      templateText();
      lastWord = "";
    } else if (c === "/" && (/[(,=:[!&|?{};+\-*%<>~^]/.test(last) || last === "" || BEFORE_REGEX.has(lastWord))) {
      let j = i + 1;
      let inClass = false;
      while (j < src.length && src[j] !== "\n") {
        if (src[j] === "\\") j++;
        else if (src[j] === "[") inClass = true;
        else if (src[j] === "]") inClass = false;
        else if (src[j] === "/" && !inClass) break;
        j++;
      }
      literals.push({ text: src.slice(i + 1, j), line });
      take(j + 1);
      last = "/";
      lastWord = "";
    } else if (c === "{") {
      depth++;
      take(i + 1);
      last = c;
      lastWord = "";
    } else if (c === "}") {
      depth--;
      take(i + 1);
      if (templates.length && templates[templates.length - 1] === depth) {
        templates.pop();
        templateText();
      } else last = c;
      lastWord = "";
    } else if (/[A-Za-z_$0-9]/.test(c)) {
      const m = /^[A-Za-z_$0-9]+/.exec(src.slice(i, i + 64))!;
      lastWord = m[0];
      last = "a";
      take(i + m[0].length);
    } else {
      if (!/\s/.test(c)) {
        last = c;
        lastWord = "";
      }
      take(i + 1);
    }
  }
  return { code, literals };
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** The library's source, protocol/ excepted: path relative to the repository -> its text. */
function library(): Map<string, string> {
  const files = new Map<string, string>();
  for (const top of ["server", "client", "pubsub"]) for (const f of tsFiles(join(root, top))) files.set(relative(root, f).split(sep).join("/"), readFileSync(f, "utf8"));
  return files;
}

/** An `hl-` followed by a letter: an attribute or class name (not the `hl-${name}` id prefix). */
const HL_NAME = /(?:^|[^A-Za-z0-9_-])hl-[A-Za-z]/;
/** A WebSocket close code written as a number in a `.close(` call. */
const CLOSE_CODE = /\.close\(\s*(?:1000|1001|1008|1009|1011|1012|1013|4\d{3})\b/;
/** Module specifiers of static imports and exports, side-effect imports and dynamic imports. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])([^"'\n]+)\1/g;

/** Every `hl-*` name written outside protocol/, as `file:line: text`. */
export function hlNameLiterals(files: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [path, src] of files) for (const l of lex(src).literals) if (HL_NAME.test(l.text)) out.push(`${path}:${l.line}: ${l.text.trim().slice(0, 80)}`);
  return out;
}

/** Every `.close(<number>)` with a close code, as `file:line`. */
export function closeCodeLiterals(files: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [path, src] of files) {
    const { code } = lex(src);
    code.split("\n").forEach((text, j) => {
      if (CLOSE_CODE.test(text)) out.push(`${path}:${j + 1}: ${text.trim()}`);
    });
  }
  return out;
}

/** The module specifiers a file imports (comments ignored). */
export function importsOf(src: string): string[] {
  return [...lex(src).code.matchAll(SPECIFIER)].map((m) => m[2]!);
}

/** client/ imports: protocol/, its own files, and morphdom (in dom-patch.ts only). */
export function badClientImports(files: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [path, src] of files) {
    if (!path.startsWith("client/")) continue;
    for (const spec of importsOf(src)) {
      const target = relative(root, resolve(root, dirname(path), spec)).split(sep).join("/");
      const ok = spec === "morphdom"
        ? path === "client/dom-patch.ts"
        : spec.startsWith(".") && (target.startsWith("protocol/") || target.startsWith("client/"));
      if (!ok) out.push(`${path} imports "${spec}"`);
    }
  }
  return out;
}

/** server/core/ imports: server/core/, protocol/ and node: builtins only. */
export function badCoreImports(files: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [path, src] of files) {
    if (!path.startsWith("server/core/")) continue;
    for (const spec of importsOf(src)) {
      if (spec.startsWith("node:")) continue;
      const target = relative(root, resolve(root, dirname(path), spec)).split(sep).join("/");
      if (!spec.startsWith(".") || !(target.startsWith("server/core/") || target.startsWith("protocol/"))) out.push(`${path} imports "${spec}"`);
    }
  }
  return out;
}

const lexer = suite("protocol literals: the lexer the checks rely on");

lexer("comments are blanked, strings, template text and regexes are literals", () => {
  const src = [
    "// a comment with 'hl-click'",
    "/** `hl-hook` in TSDoc */",
    'const a = "hl-one" + \'two\';',
    "const b = `x ${a + `inner ${1}`} hl-three ${{ k: 1 }.k}`;",
    "const r = /hl-four/g.test(a) ? a / 2 : 0;",
    "const url = \"http://example.com\"; // not a comment start inside a string",
  ].join("\n");
  const { code, literals } = lex(src);
  assert.not.match(code, /a comment|TSDoc/);
  assert.is(code.split("\n").length, 6, "newlines kept");
  const texts = literals.map((l) => l.text);
  assert.equal(texts, ["hl-one", "two", "x ", "inner ", "", " hl-three ", "", "hl-four", "http://example.com"]);
  assert.equal(literals.find((l) => l.text === " hl-three ")!.line, 4);
});

lexer("imports are read from code only", () => {
  const src = 'import { a } from "./a.js";\n// import { b } from "../server/b.js";\nimport "./side.js";\nexport { c } from "../protocol/c.js";\nconst d = await import("./d.js");';
  assert.equal(importsOf(src), ["./a.js", "./side.js", "../protocol/c.js", "./d.js"]);
});

const checks = suite("protocol literals: each check fails on a violation");

checks("an hl-* name in a string, template text or regex is found; one in a comment is not", () => {
  const files = new Map([
    ["client/x.ts", '/** `hl-click` */\nel.getAttribute("hl-click");\nconst s = `<p hl-hook="${h}">`;\nconst id = `hl-${name}-1`;'],
    ["server/y.ts", "// hl-stream\nconst q = /hl-value-(\\w+)/;"],
  ]);
  assert.equal(hlNameLiterals(files), ['client/x.ts:2: hl-click', 'client/x.ts:3: <p hl-hook="', "server/y.ts:2: hl-value-(\\w+)"]);
});

checks("a numeric close code in a .close( call is found; one in a comment is not", () => {
  const files = new Map([
    ["server/a.ts", "// ws.close(1008)\nws.close(1012, 'bye');\nws.close(CloseCodes.restart);\nthis.close(1013, \"later\");"],
  ]);
  assert.equal(closeCodeLiterals(files), ["server/a.ts:2: ws.close(1012, 'bye');", 'server/a.ts:4: this.close(1013, "later");']);
});

checks("client imports outside protocol/ and client/ are found; morphdom outside dom-patch.ts too", () => {
  const files = new Map([
    ["client/a.ts", 'import { R } from "../protocol/wire.js";\nimport { b } from "./b.js";\nimport type { X } from "../server/sdui/screens.js";\nimport * as md from "morphdom";'],
    ["client/dom-patch.ts", 'import * as md from "morphdom";\nimport { ws } from "ws";'],
  ]);
  assert.equal(badClientImports(files), ['client/a.ts imports "../server/sdui/screens.js"', 'client/a.ts imports "morphdom"', 'client/dom-patch.ts imports "ws"']);
});

checks("core imports outside server/core/ and protocol/ are found; node: builtins are allowed", () => {
  const files = new Map([
    ["server/core/template/a.ts", 'import { R } from "../../../protocol/wire.js";\nimport { e } from "../errors.js";\nimport { x } from "node:crypto";\nimport type { Hub } from "../../live/hub.js";\nimport nunjucks from "nunjucks";'],
  ]);
  assert.equal(badCoreImports(files), ['server/core/template/a.ts imports "../../live/hub.js"', 'server/core/template/a.ts imports "nunjucks"']);
});

const source = suite("protocol literals: the library source");
const files = library();

source("reads the library (server/, client/, pubsub/)", () => {
  assert.ok(files.has("client/rendered.ts") && files.has("server/core/component.ts") && files.has("pubsub/pubsub.ts"));
  for (const f of files.keys()) assert.not.ok(f.startsWith("protocol/"));
});

source("no hl-* attribute or class name is written outside protocol/ (protocol/attributes.ts)", () => {
  assert.equal(hlNameLiterals(files), []);
});

source("no close code is written as a number (protocol/close-codes.ts)", () => {
  assert.equal(closeCodeLiterals(files), []);
});

source("client/ imports only protocol/, its own files and (in dom-patch.ts) morphdom", () => {
  assert.equal(badClientImports(files), []);
});

source("server/core/ imports only server/core/, protocol/ and node: builtins", () => {
  assert.equal(badCoreImports(files), []);
});

source("protocol/ imports nothing but its own files", () => {
  const bad: string[] = [];
  for (const f of tsFiles(join(root, "protocol"))) for (const spec of importsOf(readFileSync(f, "utf8"))) if (!spec.startsWith("./")) bad.push(`${relative(root, f)} imports "${spec}"`);
  assert.equal(bad, []);
});

lexer.run();
checks.run();
source.run();
