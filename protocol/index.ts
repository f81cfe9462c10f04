/**
 * The protocol: everything the server and its clients share, and nothing else. It imports
 * nothing, so that client/ (and a native client's port) can depend on it alone.
 */
export { T, M, R, Formats, DEFAULT_PATH, DEFAULT_MAX_PAYLOAD, type MessageType, type Format } from "./wire.js";
export { ErrorCodes, HttpStatus, type ErrorCode, type Fault } from "./codes.js";
export { CloseCodes, type CloseCode } from "./close-codes.js";
export { HL_PREFIX, Attr, EventAttrs, StreamOps, Classes } from "./attributes.js";
export { Cmd, type CmdArgs, type Command } from "./commands.js";
export { MergeStrategyTypes, type MergeStrategyType, type SduiComponent, type Screen, type ScreenSet, type ItemId } from "./sdui.js";
