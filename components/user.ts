/**
 * Who the demo's components are used by (`this.user`), declared once for the whole app: the demo
 * signs people in with a name (demo/auth.ts), and `id` is that name in lower case, the key that
 * orders' owners and sign-out use.
 *
 * @example
 * const me = this.user; // { id: "ada", name: "Ada" } or null
 */
declare module "hotline" {
  interface HotlineUser {
    /** The stable key: what an order's `owner` holds. */
    id: string;
    /** The name the person signed in with, as shown to others. */
    name: string;
  }
}

/** Longest name (and so user id) the demo accepts: an order's `owner` column is this wide. */
export const MAX_NAME_LENGTH = 40;
