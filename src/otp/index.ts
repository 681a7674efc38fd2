// Erlang/OTP's behaviours on the runtime. Names are Erlang's in camelCase; atoms stay strings.
export * as genServer from './gen-server.js';
export * as genStatem from './gen-statem.js';
export type {
  Statem, GenStatem, StateFunctionsCallbacks, HandleEventCallbacks, StateFunction, HandleEvent, Event as StatemEvent, EventType as StatemEventType,
  Action as StatemAction, ReplyAction as StatemReplyAction, EventHandlerResult, InitResult as StatemInitResult, Time as StatemTime,
} from './gen-statem.js';
export * as sys from './sys.js';
export type { Server, GenServer, StartOptions, From, Action, CallResult, InitResult, NoReplyResult, StartResult } from './gen-server.js';
export * as supervisor from './supervisor.js';
export type { ChildSpec, ChildInfo, ChildCounts, ChildType, Restart, Shutdown, Strategy, SupFlags, Supervisor } from './supervisor.js';
