// The interface every protocol module shares (Gun's lesson: the connection knows no
// protocol details; undici's: one object per connection closing over its own state).
// An operation a protocol cannot do is an absent method; the connection answers badstate.
import type { Pid } from '../runtime/pid.js';
import type { DownReason, GunMessage, ProtocolName, ReplyTo, StreamRef, WsSendFrame } from './messages.js';
import type { ResolvedOptions, WsOptions } from './options.js';

export interface OutgoingRequest {
  readonly ref: StreamRef;
  readonly replyTo: ReplyTo;
  readonly method: string;
  readonly path: string;
  readonly headers: readonly (readonly [string, string])[];
  /** The whole body, or `undefined` when the body follows through `gun.data` (or there is none). */
  readonly body: Buffer | undefined;
  /** True when `gun.data` calls will send the body. */
  readonly bodyFollows: boolean;
  /** `gun_data` messages allowed before reading stops (flow control); `Infinity`: no limit. */
  readonly flow: number;
}

export interface WsUpgradeRequest {
  readonly ref: StreamRef;
  readonly replyTo: ReplyTo;
  readonly path: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly opts: WsOptions;
}

/** A request or upgrade that never reached the wire, handed back to run on the next connection. */
export type Unsent =
  | { readonly $gun: 'request'; readonly req: OutgoingRequest }
  | { readonly $gun: 'ws_upgrade'; readonly upgrade: WsUpgradeRequest };

export interface ProtocolHandler {
  readonly name: ProtocolName;
  request?(req: OutgoingRequest): void;
  data?(ref: StreamRef, replyTo: ReplyTo, fin: boolean, data: Buffer): void;
  cancel?(ref: StreamRef, replyTo: ReplyTo): void;
  wsUpgrade?(upgrade: WsUpgradeRequest): void;
  /** Frames for the Websocket `ref` names (or the only one); false: they wait for an upgrade under way. */
  wsSend?(frames: readonly WsSendFrame[], caller: Pid, ref: StreamRef | undefined): boolean;
  /** Flow control: `n` more messages for stream `ref` (unknown refs are ignored). */
  updateFlow?(ref: StreamRef, n: number): void;
  /** True while a Websocket upgrade is queued or under way on this socket: `wsSend` calls wait for it. */
  awaitsUpgrade?(): boolean;
  /** Requests whose response ended on this socket (an HTTP close that served none is not progress). */
  readonly served?: number;
  /** False when the command must wait for the next connection (this socket is about to close). Absent: always true. */
  accepts?(command: 'request' | 'data' | 'cancel' | 'ws_upgrade', ref: StreamRef): boolean;
  /**
   * Graceful end (gun.shutdown / owner gone): finish what runs, refuse the rest, then report down.
   * Returns how long that may take (ms); the connection stops waiting a second after.
   */
  closing(code: 'shutdown' | 'owner_down'): number;
  /** Drop everything now; no message is sent. */
  destroy(): void;
}

/** A callback run by `ConnectionContext.run`. */
export type EventHandler = (a?: unknown, b?: unknown, c?: unknown, d?: unknown) => void;

/**
 * `fn` as a listener for a socket, library or timer event: each call is handled inside the
 * connection actor, after the events before it (Gun's rule: one process, one order).
 */
export function inActor<A extends [unknown?, unknown?, unknown?]>(ctx: ConnectionContext, fn: (...args: A) => void): (...args: A) => void {
  const handler = fn as EventHandler;
  return (a?: unknown, b?: unknown, c?: unknown) => ctx.run(handler, a, b, c);
}

/**
 * What a protocol asks of its connection (the connection actor itself). A handler keeps the
 * socket it was made for; it names itself in `switchProtocol` and `down`, so a late call from
 * a handler the connection has already dropped is ignored.
 */
export interface ConnectionContext {
  readonly conn: Pid;
  readonly host: string;
  readonly port: number;
  readonly opts: ResolvedOptions;
  readonly owner: Pid;
  /**
   * Runs `fn(a, b, c, d)` inside the connection actor, in the order events came: at once when
   * the actor itself is running (a library reacting to what the actor just did), else as part
   * of the actor's next message. Every socket, library and timer callback of a module goes
   * through here (see `inActor`), so module state only ever changes inside the actor.
   */
  run(fn: EventHandler, a?: unknown, b?: unknown, c?: unknown, d?: unknown): void;
  /** Delivers a message to a reply-to process. */
  reply(to: ReplyTo, msg: GunMessage): void;
  /** The socket now speaks another protocol (http → ws after a 101). Synchronous: frames of the same read go to the new one. */
  switchProtocol(from: ProtocolHandler, to: ProtocolHandler): void;
  /** Something the connection's postponed calls wait on has changed (an upgrade settled): they are offered again. */
  changed(from: ProtocolHandler): void;
  /**
   * The connection is gone: `killed` lists the streams it cut (their gun_error already sent);
   * `unsent` are those that never reached the wire, to run first on the next connection.
   */
  down(from: ProtocolHandler, reason: DownReason, killed: readonly StreamRef[], unsent?: readonly Unsent[], unprocessed?: readonly StreamRef[]): void;
}
