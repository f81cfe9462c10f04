/** Escaping for each position a value can take in HTML. */

const ESC = /[&<>"']/;
const ESC_G = /[&<>"']/g;
const ENTITY: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML text and quoted attribute values. */
export function escapeHtml(s: string): string {
  // Most values need nothing: test first, so the common case allocates no new string.
  return ESC.test(s) ? s.replace(ESC_G, (c) => ENTITY[c]!) : s;
}

/** Attributes whose value the browser treats as a URL. */
export const URL_ATTRS = new Set([
  "href", "src", "action", "formaction", "xlink:href", "poster", "cite", "background", "data",
  "codebase", "manifest", "ping", "srcset", "longdesc", "usemap", "lowsrc", "dynsrc", "icon",
]);

// Browsers ignore ASCII control characters and whitespace inside a scheme ("java\tscript:").
const CONTROL = /[\u0000-\u0020\u007f-\u009f]/g;
const UNSAFE_SCHEME = /^(?:javascript|vbscript|data|livescript|mocha):/i;
const SAFE_DATA_IMAGE = /^data:image\/(?:png|gif|jpe?g|webp|avif);base64,[a-z0-9+/=]+$/i;

/** Replaces a script-bearing URL by a harmless one; anything else is returned unchanged (still to be escaped). */
export function sanitizeUrl(url: string, attr: string): string {
  const probe = url.replace(CONTROL, "");
  if (!UNSAFE_SCHEME.test(probe)) {
    // Entity-encoded schemes ("&#106;avascript:") are decoded by the browser before use.
    if (!/&#|&[a-z]+;/i.test(probe) || !/^[^/?#]*:/.test(probe)) return url;
    return "about:invalid#unsafe";
  }
  if (attr !== "href" && SAFE_DATA_IMAGE.test(probe)) return url;
  return "about:invalid#unsafe";
}

/** Serialises a value for a `<script>` element: JSON, with everything that could close the element escaped. */
export function escapeScriptJson(value: unknown): string {
  const json = JSON.stringify(value) ?? "null";
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const ATTR_NAME = /^[a-zA-Z_:][-a-zA-Z0-9_:.]*$/;

/** True when `name` can stand as an attribute name (and so cannot smuggle markup or another attribute in). */
export function isAttrName(name: string): boolean {
  return ATTR_NAME.test(name) && !/^on/i.test(name);
}
