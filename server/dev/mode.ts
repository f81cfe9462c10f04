/**
 * Development mode: what turns it on (`createHotline({ dev: true })`, or `hotline dev` through the
 * environment) and what never lets it on (NODE_ENV=production).
 */

/** Set to "1" by `hotline dev` for the app it runs: `createHotline()`'s default for `dev`. */
export const DEV_ENV = "HOTLINE_DEV";
/** Set by `hotline dev`: the file of the FileStore `createHotline()` makes in dev mode when given no store. */
export const DEV_STORE_ENV = "HOTLINE_DEV_STORE";

/**
 * Whether an app runs in development mode: `requested` (its `dev` option), else the environment
 * `hotline dev` sets. Never under NODE_ENV=production: a request for it there is refused with a
 * warning, since dev mode sends handlers' stacks to the browser.
 */
export function resolveDev(requested: boolean | undefined, warn: (message: string) => void, env: NodeJS.ProcessEnv = process.env): boolean {
  const wanted = requested ?? env[DEV_ENV] === "1";
  if (!wanted) return false;
  if (env.NODE_ENV === "production") {
    warn(`development mode is refused under NODE_ENV=production (it would show handlers' stacks to every browser); running without it`);
    return false;
  }
  return true;
}

/**
 * Where the dev overlay script is served: the client bundle's path with `?dev` (so that every host
 * adapter that serves the client serves it too).
 */
export function devScriptPath(clientPath: string): string {
  return `${clientPath}?dev`;
}

/** The tag a page embed is followed by in dev mode (the script ignores a second copy of itself). */
export function devScriptTag(clientPath: string): string {
  return `<script src="${devScriptPath(clientPath).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}" defer></script>`;
}

/** Whether a request URL asks for the dev overlay script ({@link devScriptPath}). */
export function isDevScriptRequest(url: string | undefined, clientPath: string): boolean {
  return url === devScriptPath(clientPath);
}
