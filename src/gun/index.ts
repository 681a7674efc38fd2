// Gun's API (namespace `gun`): `import { gun } from 'erlgun'`, then `gun.open(…)`, `gun.await(…)`.
export {
  open, request, get, head, del as delete, options, post, put, patch, data, cancel,
  wsUpgrade, wsSend, updateFlow, info, close, shutdown, type ReqOpts, type Body, type ConnectionInfo,
} from './client.js';
export { awaitStream as await, awaitBody, awaitUp, flush, type AwaitResult, type AwaitBodyResult } from './await.js';
export type {
  GunMessage, GunUp, GunDown, GunUpgrade, GunResponse, GunData, GunInform, GunTrailers, GunError, GunStreamError, GunConnError,
  GunWs, WsFrame, WsSendFrame, GunErrorReason, DownReason, Headers, IsFin, ProtocolName, StreamRef, ReplyTo,
} from './messages.js';
export type { Dialect, GunDown2, GunMessage13, GunMessage2, GunMessageOf } from './dialect.js';
export type { Options, WsOptions, HttpOptions, Http2Options, RetryDecision, RetryContext, ResolvedOptions } from './options.js';
export type { RequestHeaders } from './headers.js';
export type { StateName } from './connection.js';
export type {
  ConnectionTag, ConnectionStateMessage, ConnectionRetryMessage, ConnectionGiveUpMessage, WebsocketOpenMessage, WebsocketCloseMessage,
} from './diagnostics.js';
