/**
 * The core's public part: components, templates, the registry, errors, tokens and the seams
 * (Renderer, StateStore). The main entry (server/index.ts) re-exports it; plumbing that
 * transports share (DiffTracker, flushStreams, attachHost, …) is imported from its own file instead.
 */
export { Component, type ComponentClass, type DispatchOptions, type DispatchResult, type Step } from "./component.js";
export { toHTML, dispatchSteps, eventSteps } from "./steps.js";
export type { ComponentHost } from "./host.js";
export type { HotlineServices, HotlineUser, ComponentContext, MountHook, MountInfo, MountDecision, StartMode } from "./context.js";
export { html, raw, repeat, Raw, Repeat, TemplateResult, StreamPart } from "./template/template.js";
export { stream, streamInsert, streamDelete, streamReset, domId, type StreamAt, type StreamOptions, type StreamInsertOptions } from "./template/stream.js";
export { renderToString } from "./template/render-string.js";
export type { RenderOutput } from "./template/diff-tracker.js";
export { escapeHtml } from "./template/escape.js";
export { Registry, registry, register } from "./registry.js";
export type { Renderer } from "./renderer.js";
export type { StateStore } from "./store.js";
export { MemoryStore, type MemoryStoreOptions } from "./memory-store.js";
export { HotlineError, toHotlineError } from "./errors.js";
export { ErrorCodes, HttpStatus, type ErrorCode, type Fault } from "../../protocol/codes.js";
export { Tokens, type Snapshot, type TokenOptions } from "./tokens.js";
export { DEFAULT_MAX_STATE_BYTES } from "./state.js";
export type { StandardSchemaV1 } from "./standard-schema.js";
export type { AsyncResult, AsyncOutcome, AsyncContext, AsyncFn } from "./async.js";
