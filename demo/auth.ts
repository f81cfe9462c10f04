/**
 * Who uses the demo: sign in with a name (no password), in a signed cookie (`hotline/session`).
 * `GET /signin` shows the form, `POST /signin` writes the cookie, `POST /signout` clears it and
 * ends that user's live components on every process (`hotline.signOut`). Anonymous visitors get
 * the sign-in page only: pages redirect there (demo/main.ts) and {@link signedInOnly} refuses
 * their joins on every transport with `{ redirect: "/signin" }`.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { escapeHtml as esc, type Hotline, type HotlineUser, type MountHook } from "hotline";
import { createCookieSession, type CookieSession } from "hotline/session";
import { MAX_NAME_LENGTH } from "../components/user.js"; // and HotlineUser: { id, name }

/** Where anonymous visitors are sent. */
export const SIGN_IN_PATH = "/signin";
/** The sign-out form's action. */
export const SIGN_OUT_PATH = "/signout";

/** Only signed-in users may start a component: the app's `onMount` hook. */
export const signedInOnly: MountHook = ({ user }) => (user ? true : { redirect: SIGN_IN_PATH });

/**
 * The session's signing key: `HOTLINE_SESSION_SECRET`; without it, in production, an error; in
 * development, a random key kept in the temp folder (so that every demo process of this machine
 * shares it, and a restart keeps people signed in), with a warning.
 */
export function sessionSecret(given: string | undefined, warn: (line: string) => void): string {
  if (given) return given;
  if (process.env.NODE_ENV === "production") {
    throw new Error("HOTLINE_SESSION_SECRET is not set: set it to a random string of 32 characters or more, the same on every process");
  }
  const dir = join(tmpdir(), "hotline");
  const file = join(dir, `demo-session-secret-${process.getuid?.() ?? "user"}`);
  let secret = "";
  try {
    secret = readFileSync(file, "utf8").trim();
  } catch {
    // first start on this machine
  }
  if (secret.length < 32) {
    secret = randomBytes(32).toString("base64url");
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(file, secret, { mode: 0o600 });
    } catch {
      // An unwritable temp folder only means that this process's cookies are its own.
    }
  }
  warn(`[demo] HOTLINE_SESSION_SECRET is not set: using a development secret from ${file}. Set HOTLINE_SESSION_SECRET in production.`);
  return secret;
}

/** The demo's signed-cookie session. */
export function demoSession(secret: string): CookieSession<HotlineUser> {
  return createCookieSession<HotlineUser>({ secret, name: "hotline_demo" });
}

/**
 * The user for a typed name, or `null` when it is not a usable name: 1 to 40 letters, digits,
 * spaces, `.`, `'`, `_` or `-`. The id is the name in lower case with runs of spaces as one `-`
 * ("Ada" and "ada" are one user; an order's `owner` holds the id).
 */
export function userFromName(raw: unknown): HotlineUser | null {
  if (typeof raw !== "string") return null;
  const name = raw.normalize("NFC").trim().replace(/\s+/g, " ");
  if (name.length < 1 || name.length > MAX_NAME_LENGTH || !/^[\p{L}\p{N}][\p{L}\p{N} .'_-]*$/u.test(name)) return null;
  return { id: name.toLowerCase().replace(/ /g, "-"), name };
}

/** A path on this site to go back to after signing in; anything else (another site, `//host`) is "/". */
export function safeNext(raw: unknown): string {
  return typeof raw === "string" && /^\/(?![/\\])/.test(raw) && !/[\r\n]/.test(raw) ? raw : "/";
}

/** The sign-in page's body: one field, and what went wrong last time. */
export function signInBody(next: string, error?: string, name = ""): string {
  return `<section class="card signin">
  <h1>Sign in</h1>
  <p class="lead">Pick a name; there is no password. Sign in as <strong>Ada</strong> or <strong>Grace</strong> to own some of
  the orders, or as anyone to view them, share the board and count.</p>
  <form method="post" action="${SIGN_IN_PATH}" class="row">
    <input type="hidden" name="next" value="${esc(next)}">
    <input class="input" name="name" value="${esc(name)}" placeholder="Your name" aria-label="Your name" maxlength="${MAX_NAME_LENGTH}" required autofocus>
    <button class="btn primary" type="submit">Sign in</button>
  </form>
  ${error ? `<p class="error" role="alert">${esc(error)}</p>` : ""}
</section>`;
}

/** What the sign-in routes need from the demo server. */
export interface AuthRoutes {
  session: CookieSession<HotlineUser>;
  hotline: Hotline;
  /** Wraps a body in the demo's layout, for the sign-in page. */
  page(title: string, body: string): string;
}

/**
 * Handles `GET /signin`, `POST /signin` and `POST /signout`; false for any other request.
 *
 * @example
 * if (await handleAuth(req, res, { session, hotline, page })) return;
 */
export async function handleAuth(req: IncomingMessage, res: ServerResponse, routes: AuthRoutes): Promise<boolean> {
  const url = new URL(req.url ?? "/", "http://x");
  const { session, hotline } = routes;
  if (url.pathname === SIGN_IN_PATH && (req.method === "GET" || req.method === "HEAD")) {
    const next = safeNext(url.searchParams.get("next"));
    if (session.read(req)) {
      redirect(res, next);
      return true;
    }
    html(res, 200, routes.page("Sign in", signInBody(next)), req.method === "HEAD");
    return true;
  }
  if (req.method !== "POST" || (url.pathname !== SIGN_IN_PATH && url.pathname !== SIGN_OUT_PATH)) return false;
  if (!sameOrigin(req)) {
    res.writeHead(403, { "content-type": "text/plain; charset=utf-8" }).end("cross-site form posts are refused");
    return true;
  }
  if (url.pathname === SIGN_IN_PATH) {
    const form = await readForm(req);
    if (form === null) {
      res.writeHead(400, { "content-type": "text/plain; charset=utf-8" }).end("send a form (application/x-www-form-urlencoded) of at most 4 KB");
      return true;
    }
    const next = safeNext(form.get("next"));
    const user = userFromName(form.get("name"));
    if (!user) {
      const error = `Type a name of 1 to ${MAX_NAME_LENGTH} letters, digits, spaces, dots, apostrophes, dashes or underscores.`;
      html(res, 400, routes.page("Sign in", signInBody(next, error, form.get("name") ?? "")));
      return true;
    }
    session.write(res, user);
    redirect(res, next);
    return true;
  }
  // Sign-out: the cleared cookie goes out first, so that the tabs closed by signOut() reload
  // without it (and a tab reloading while this answer is in flight cannot keep the old cookie).
  req.resume();
  const user = session.read(req);
  session.clear(res);
  res.writeHead(303, { location: SIGN_IN_PATH, "cache-control": "no-store" });
  await new Promise<void>((resolve) => res.end(resolve));
  if (user) await hotline.signOut(user);
  return true;
}

function redirect(res: ServerResponse, to: string): void {
  res.writeHead(303, { location: to, "cache-control": "no-store" }).end();
}

function html(res: ServerResponse, status: number, body: string, head = false): void {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(head ? undefined : body);
}

/**
 * A form post from another site is refused (login CSRF, forced sign-out): browsers send `Origin`
 * on every POST; a client that sends none (curl, a test) is not a browser that could be tricked.
 */
function sameOrigin(req: IncomingMessage): boolean {
  if (req.headers["sec-fetch-site"] === "cross-site") return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

const MAX_FORM_BYTES = 4096;

/** The urlencoded body, or `null` when it is another type or too large. */
async function readForm(req: IncomingMessage): Promise<URLSearchParams | null> {
  const type = String(req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    req.resume();
    return null;
  }
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) return null;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}
