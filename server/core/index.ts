/** The framework-agnostic core: everything a transport, an adapter or a test builds on. */
export { Component, type ComponentClass, type ComponentHost, type DispatchOptions, type DispatchResult, type Step } from "./component.js";
export { html, raw, repeat, Raw, Repeat, TemplateResult } from "./template.js";
export { renderToString } from "./render-string.js";
export { View, asTemplate, type FullRender, type PatchBody, type RenderOutput } from "./view.js";
export type { WireNode } from "./encoder.js";
export { Registry, registry, register } from "./registry.js";
export type { Renderer } from "./renderer.js";
export type { StateStore } from "./store.js";
export { MemoryStore, type MemoryStoreOptions } from "./memory-store.js";
export { HotlineError, toHotlineError } from "./errors.js";
export { ErrorCodes, HttpStatus, type ErrorCode, type Fault } from "./codes.js";
export { Tokens, resolveSecret, type Snapshot, type TokenOptions } from "./tokens.js";
export { DEFAULT_MAX_STATE_BYTES } from "./state.js";
export { escapeHtml } from "./escape.js";
export type { StandardSchemaV1 } from "./standard-schema.js";
export * as wire from "./protocol.js";
export type { ModelAdapter, ModelMetadata, FieldMeta, FieldType, Row, Pk, ModelChange, RowChange, ResyncChange, ChangeListener, WatchOptions, ListOptions, Validator, ValidationErrors, ValidateOptions } from "./model.js";
export { coerceFieldValue, coercePk, coerceVersion, checkValues, prepareWrite } from "./model-values.js";
