import type { BundleSource } from "../adapters/client-bundle.js";

/**
 * The dev overlay script (client/dev-overlay.ts), served in development mode only by a
 * `ClientBundle` of its own, so the main client carries none of it.
 */
export const OVERLAY_SOURCE: BundleSource = {
  built: "hotline-dev.js", entry: "dev-overlay.ts", cacheControl: "no-cache", what: "the Hotline dev overlay",
};
