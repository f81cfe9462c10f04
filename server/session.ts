/**
 * `hotline/session`: a signed-cookie session for apps that have none. The cookie holds the
 * app's data (JSON, signed with HMAC-SHA256, not encrypted), a random session id and an expiry;
 * `authenticate` passes straight to `createHotline`. Bring `cookie` and `cookie-signature`;
 * neither is a dependency of Hotline itself. Apps with Express or Fastify sessions keep theirs
 * and read them in their own `authenticate` instead.
 *
 * @example
 * import { createHotline } from "hotline";
 * import { createCookieSession } from "hotline/session";
 * const session = createCookieSession<{ id: string; name: string }>({ secret: process.env.SESSION_SECRET! });
 * const hotline = createHotline({ registry, authenticate: session.authenticate });
 * // POST /signin:  session.write(res, { id: user.id, name: user.name }); redirect
 * // POST /signout: const user = session.read(req); session.clear(res); if (user) await hotline.signOut(user)
 */
export {
  createCookieSession,
  type CookieSession,
  type CookieSessionOptions,
  type SessionRecord,
  type SessionRequest,
} from "./session/cookie-session.js";
