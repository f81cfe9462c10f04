/**
 * Hotline: server-driven, realtime UI. The package's main entry: what an app needs, and nothing
 * the framework only uses inside (test/package/exports.test.ts pins the list). Optional parts
 * have their own subpaths: hotline/redis, hotline/postgres, hotline/express, hotline/fastify,
 * hotline/nunjucks, hotline/session, hotline/client.
 */
export * from "./core/index.js";
// Client-side commands: attribute values the browser client runs without a round trip.
export { JS } from "./core/js.js";
export { createHotline, type Hotline, type HotlineOptions, type HotlineStats } from "./hotline.js";
export type { LogLimitOptions } from "./live/log-limit.js";
export type { TelemetryOptions } from "./telemetry/telemetry.js";
export type { DevtoolsOptions } from "./devtools/options.js";
export type { LiveOptions } from "./live/embed-page.js";
export type { Route, Layout, PageInfo } from "./live/routes.js";
export type { PushOptions, NavKind } from "./core/navigation.js";
export type { RateLimitOptions } from "./transports/websocket/rate-limit.js";
export type { UploadOptions, UploadEntry, UploadSlot, ConsumedUpload, ExternalUpload, UploadFileInfo } from "./core/uploads.js";
export type { UploadLimits } from "./live/uploads/limits.js";
export type { PerMessageDeflateOptions } from "./transports/websocket/deflate.js";
export type { PubSub, Listener, DeliveryInfo } from "../pubsub/pubsub.js";
export { MemoryPubSub } from "../pubsub/memory.js";
// Development: the store `hotline dev` restarts keep sessions with (not for production).
export { FileStore, type FileStoreOptions } from "./dev/file-store.js";
export type {
  Presence, PresenceMeta, PresenceMetaEntry, PresenceEntry, PresenceList, PresenceDiff, PresenceInfo, PresenceListener, PresenceOptions,
} from "../pubsub/presence.js";
export { MemoryPresence } from "../pubsub/presence-memory.js";
export type { SduiComponent, Screen, ScreenSet, MergeStrategyType, ItemId } from "../protocol/sdui.js";
// Models: the adapter contract, model-bound components and forms, the change feed.
export type {
  ModelAdapter, ModelMetadata, FieldMeta, FieldType, Row, Pk, ModelChange, RowChange, ResyncChange,
  ChangeListener, WatchOptions, ListOptions, Validator, ValidationErrors, ValidateOptions,
} from "./models/model.js";
export { ModelComponent, type ModelBookkeeping } from "./models/model-component.js";
export { modelTopic, modelResyncTopic, loadModelMeta } from "./models/live.js";
export { modelForm, fieldLabel, type FormField, type FormNotice, type FormSource, type ModelFormOptions } from "./models/forms.js";
export { startModelFeed, type ModelFeed, type ModelFeedOptions } from "./models/feed.js";
export type { FeedRole, FeedLeadership, LeadOptions, LeadingModelAdapter, ChangeBatchPublisher } from "./models/leadership.js";
export { MemoryModelAdapter, type MemoryModelOptions } from "./models/memory.js";
