export * from './runtime/index.js';
export * as gun from './gun/index.js';
export { genServer, genStatem, supervisor, sys } from './otp/index.js';
export type {
  Server, GenServer, StartOptions, From, Action, CallResult, InitResult, NoReplyResult, StartResult,
  ChildSpec, ChildInfo, ChildCounts, ChildType, Restart, Shutdown, Strategy, SupFlags, Supervisor,
  Statem, GenStatem, StateFunctionsCallbacks, HandleEventCallbacks, StateFunction, HandleEvent, StatemEvent, StatemEventType,
  StatemAction, StatemReplyAction, EventHandlerResult, StatemInitResult, StatemTime,
} from './otp/index.js';
export type {
  GunMessage, GunUp, GunDown, GunUpgrade, GunResponse, GunData, GunInform, GunTrailers, GunError, GunStreamError, GunConnError,
  GunWs, WsFrame, WsSendFrame, GunErrorReason, DownReason, Headers, IsFin, ProtocolName, StreamRef, ReplyTo,
  Dialect, GunDown2, GunMessage13, GunMessage2, GunMessageOf,
  Options, WsOptions, HttpOptions, Http2Options, RetryDecision, RetryContext, ResolvedOptions, RequestHeaders, StateName,
  ConnectionTag, ConnectionStateMessage, ConnectionRetryMessage, ConnectionGiveUpMessage, WebsocketOpenMessage, WebsocketCloseMessage,
} from './gun/index.js';
