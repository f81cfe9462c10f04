/**
 * `hotline/testing`: components tested the way a person uses them, with any test runner (uvu,
 * node:test, vitest: no globals, plain `Error`s). `live()` mounts a component through the app's
 * real runtime (the start step, the hub, the instance queue, the store, the pub/sub); the view
 * applies the server's frames with the browser client's own tree code and parses the HTML with
 * linkedom (an optional peer dependency: `npm install --save-dev linkedom`). docs/testing.md.
 *
 * @example
 * import { live } from "hotline/testing";
 * const view = await live(Counter);
 * await view.element("button", "Increment").click();
 * view.find(".counter-value")[0]!.textContent; // "Count: 1"
 * await view.close();
 */
export { live, createTestApp, type LiveTestOptions, type TestAppOptions } from "./testing/live.js";
export { LiveView, type PushedEvent, type ViewError } from "./testing/view.js";
export type { ViewNavigation, ViewFlash } from "./testing/navigation.js";
export type { ViewElement, ViewForm } from "./testing/element.js";
export { LiveTestError } from "./testing/errors.js";
export { ViewUpload, type UploadFile, type ViewUploadEntry, type ViewUploadOptions } from "./testing/uploads.js";
export { settle } from "./testing/settle.js";
