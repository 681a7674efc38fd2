// Message dialects: Gun 1.3's messages (the default, the guide's) or Gun 2.x's. The protocol
// modules build one internal form (Gun 1.3's shapes); each connection translates it here, at
// the point where it delivers, into the dialect its `open` chose. What is behaviour rather
// than shape (where Websocket messages go, which reason a server's close gives) is asked of
// this module where it is decided.
import type { Pid } from '../runtime/pid.js';
import {
  gunStreamError, Sentences, type DownReason, type GunDown, type GunErrorReason, type GunMessage, type ProtocolName, type ReplyTo, type StreamRef,
} from './messages.js';

/** Which Gun's messages a connection sends: `'1.3'` (the default) or `'2'` (Gun 2.x). */
export type Dialect = '1.3' | '2';

export const DIALECTS: readonly Dialect[] = Object.freeze(['1.3', '2'] as const);

/**
 * Gun 2.x's `['gun_down', conn, protocol, reason, killedStreams]`: five elements (Gun 2.0
 * dropped the always-empty unprocessed list). For a Websocket, `killedStreams` is `[wsRef]`.
 * @example on(['gun_down', conn, _, _, _], ([, , protocol, reason]) => reconnecting(protocol, reason))
 */
export type GunDown2 = readonly [tag: 'gun_down', conn: Pid, protocol: ProtocolName, reason: DownReason, killedStreams: readonly StreamRef[]];

/** Gun 1.3's messages (dialect `'1.3'`, the default): `gun_down` has six elements. */
export type GunMessage13 = GunMessage;
/** Gun 2.x's messages (dialect `'2'`): `gun_down` has five elements; the others are shaped as in 1.3. */
export type GunMessage2 = Exclude<GunMessage, GunDown> | GunDown2;
/** The messages of dialect `D`. */
export type GunMessageOf<D extends Dialect> = D extends '2' ? GunMessage2 : GunMessage13;

declare module '../runtime/pattern-types.js' {
  interface KnownMessages {
    /** Gun 2.x's shapes: a pattern valid in either dialect type-checks. */
    gun2: GunMessage2;
  }
}

/** Gun 2.x's sentences where they differ from Gun 1.3's. */
const Sentences2 = {
  wsSendBeforeUpgrade: 'This connection does not currently accept Websocket frames. The Websocket upgrade was not performed. This may happen as a result of automatic reconnect.',
  wsOverHttp10: 'Websocket cannot be used over an HTTP/1.0 connection.',
  goaway: 'The connection is going away.',
} as const;

/** Why a connection is closing gracefully: `gun.shutdown`, or its owner died. */
type ClosingWhy = 'shutdown' | 'owner_down';

/**
 * The internal (Gun 1.3-shaped) message as the connection's dialect has it. `protocol` is
 * what the socket speaks now (`undefined` while down); `closing` why a graceful close refuses streams.
 */
export function inDialect(dialect: Dialect, protocol: ProtocolName | undefined, msg: GunMessage, closing: ClosingWhy): GunMessage13 | GunMessage2 {
  return dialect === '2' ? to2(protocol, msg, closing) : to13(msg);
}

function to13(msg: GunMessage): GunMessage13 {
  // Gun 1.3 lists no stream as killed when a Websocket goes down.
  if (msg[0] === 'gun_down' && msg[2] === 'ws' && msg[4].length > 0) return Object.freeze([msg[0], msg[1], msg[2], msg[3], Object.freeze([]), msg[5]] as const);
  return msg;
}

function to2(protocol: ProtocolName | undefined, msg: GunMessage, closing: ClosingWhy): GunMessage2 {
  switch (msg[0]) {
    case 'gun_down':
      return Object.freeze([msg[0], msg[1], msg[2], msg[3], msg[4]] as const);
    case 'gun_error': {
      const reason = msg.length === 4 ? msg[3] : msg[2];
      const translated = reason2(protocol, reason, closing);
      if (translated === reason) return msg;
      return msg.length === 4 ? Object.freeze([msg[0], msg[1], msg[2], translated] as const) : Object.freeze([msg[0], msg[1], translated] as const);
    }
    default:
      return msg;
  }
}

function reason2(protocol: ProtocolName | undefined, reason: GunErrorReason, closing: ClosingWhy): GunErrorReason {
  if (typeof reason === 'string' || reason.length !== 2) return reason;
  const [atom, text] = reason;
  if (atom === 'closed' && text === Sentences.connectionLost) return 'closed';
  // Gun 2.x names why it closes: {closing, shutdown} or {closing, owner_down}.
  if (atom === 'closing' && text === Sentences.shuttingDown) return ['closing', closing];
  if (atom !== 'badstate') return reason;
  if (text === Sentences.wsSendBeforeUpgrade) return ['badstate', Sentences2.wsSendBeforeUpgrade];
  // Over HTTP/1.1 this sentence answers an upgrade on an HTTP/1.0 connection; after an upgrade, another upgrade.
  if (text === Sentences.wsOnlyHttp11) return ['badstate', protocol === 'ws' ? Sentences.wsOnly : Sentences2.wsOverHttp10];
  return reason;
}

/**
 * Where `wsSend` refusals go when there is no Websocket: Gun 1.3 tells the owner, whoever
 * called; Gun 2.x tells the caller.
 */
export function wsSendRefusalTo(conn: { readonly opts: { readonly dialect: Dialect }; readonly owner: Pid }, caller: Pid): Pid {
  return conn.opts.dialect === '2' ? caller : conn.owner;
}

/**
 * Where an upgrade's messages go when `wsUpgrade` names no `replyTo`: Gun 1.3 sends
 * Websocket messages to the owner; Gun 2.x to the caller.
 */
export function defaultWsReplyTo(dialect: Dialect | undefined, owner: Pid | undefined, caller: Pid): ReplyTo {
  return dialect !== '2' && owner !== undefined ? owner : caller;
}

/**
 * The `gun_down` reason when the server closed the Websocket (its close frame came first):
 * Gun 1.3 waits for the server to drop the socket and says `'closed'`; Gun 2.x replies,
 * closes, and says `'normal'`.
 */
export function serverCloseReason(dialect: Dialect): DownReason {
  return dialect === '2' ? 'normal' : 'closed';
}

/**
 * An HTTP/2 stream above the last stream id of the server's GOAWAY. Gun 1.3 lists it in
 * `gun_down`'s last element (erlgun reports it there); Gun 2.x has no such element and
 * answers the stream with `['gun_error', conn, ref, ['goaway', code, 'The connection is going away.']]`.
 */
export function goawayUnprocessed(ctx: { readonly conn: Pid; readonly opts: { readonly dialect: Dialect }; reply(to: ReplyTo, msg: GunMessage): void }, replyTo: ReplyTo, ref: StreamRef, code: string): void {
  if (ctx.opts.dialect === '2') ctx.reply(replyTo, gunStreamError(ctx.conn, ref, ['goaway', code, Sentences2.goaway]));
}
