// The messages a connection sends, as readonly tuples in Gun's element order, and their
// constructors. Build messages only here, so a tag is never spelled by hand twice.
import type { Pid, Ref } from '../runtime/pid.js';

/** A stream reference, as returned by `gun.get`, `gun.wsUpgrade`… */
export type StreamRef = Ref;
/** Where a stream's messages go: the caller by default, or `reqOpts.replyTo`. */
export type ReplyTo = Pid;
export type IsFin = 'fin' | 'nofin';
export type ProtocolName = 'http' | 'http2' | 'ws';
/** Header lists: `[name, value]` pairs, names lowercase, order and duplicates kept. */
export type Headers = readonly (readonly [name: string, value: string])[];

/**
 * A Websocket frame, sent with `gun.wsSend` and received in `gun_ws`. Text is a string
 * (UTF-8 validated by `ws`), binary a Buffer. `'close'` is a close frame without a code.
 */
export type WsFrame =
  | 'close' | 'ping' | 'pong'
  | readonly ['text', string]
  | readonly ['binary', Buffer]
  | readonly ['close', number, string]
  | readonly ['ping', Buffer]
  | readonly ['pong', Buffer];

/** What `gun.wsSend` accepts: a received frame shape, or text given as a Buffer. */
export type WsSendFrame = WsFrame | readonly ['text', Buffer] | readonly ['ping' | 'pong', string];

/**
 * Reasons in `gun_error`: an atom and, most often, a sentence, as Gun writes them.
 * Match on the atom, log the rest.
 */
export type GunErrorReason =
  | readonly ['badstate', string]
  | readonly ['closed', string | unknown]
  | readonly ['closing', string]
  | readonly ['goaway', string, string]
  | readonly ['connection_error', string, string]
  | readonly ['stream_error', string, string]
  | readonly ['ws_error', number, string]
  | 'closed'
  | 'timeout';

/** Why a connection went down: `'normal'` (a close Gun or the protocol asked for), `'closed'` (the peer closed), or a socket error code in lowercase. */
export type DownReason = 'normal' | 'closed' | readonly ['error', string];

/**
 * `['gun_up', conn, protocol]`: the connection is up (after every successful connect,
 * reconnects included). Never sent after a Websocket upgrade; after a reconnect the
 * protocol is `'http'` again.
 * Changelog: Gun 1.0 shape.
 * @example on(['gun_up', conn, _], ([, , protocol]) => protocol)
 */
export type GunUp = readonly [tag: 'gun_up', conn: Pid, protocol: 'http' | 'http2'];

/**
 * `['gun_down', conn, protocol, reason, killedStreams, unprocessedStreams]`: an
 * established connection was lost (dialect `'1.3'`, the default; dialect `'2'` sends
 * `GunDown2`, without the last element). `killedStreams` lists the streams it cut (`[]` when
 * a Websocket goes down, as Gun 1.3 does); `unprocessedStreams` lists the HTTP/2 streams
 * above the last stream id of the server's GOAWAY (it did nothing with them: safe to retry),
 * and is `[]` otherwise.
 * Not sent for a failed connect attempt, after `gun.close`, `gun.shutdown`, or when the owner died.
 * Changelog: the Gun 1.3 six-element shape (Gun 2.0 dropped the last element).
 * @example on(['gun_down', conn, _, _, _, _], ([, , protocol, reason]) => reconnecting(protocol, reason))
 */
export type GunDown = readonly [tag: 'gun_down', conn: Pid, protocol: ProtocolName, reason: DownReason, killedStreams: readonly StreamRef[], unprocessedStreams: readonly StreamRef[]];

/**
 * `['gun_upgrade', conn, ref, ['websocket'], headers]`: the Websocket upgrade succeeded;
 * `headers` are the 101 response's.
 * @example on(['gun_upgrade', conn, ref, ['websocket'], _], () => 'upgraded')
 */
export type GunUpgrade = readonly [tag: 'gun_upgrade', conn: Pid, stream: StreamRef, protocols: readonly ['websocket'], headers: Headers];

/**
 * `['gun_response', conn, ref, isFin, status, headers]`: a final response. `'fin'` means
 * there is no body. Also the answer to a refused Websocket upgrade.
 */
export type GunResponse = readonly [tag: 'gun_response', conn: Pid, stream: StreamRef, fin: IsFin, status: number, headers: Headers];

/** `['gun_data', conn, ref, isFin, data]`: a chunk of a response body; `'fin'` on the last. */
export type GunData = readonly [tag: 'gun_data', conn: Pid, stream: StreamRef, fin: IsFin, data: Buffer];

/** `['gun_inform', conn, ref, status, headers]`: an informational (1xx) response. */
export type GunInform = readonly [tag: 'gun_inform', conn: Pid, stream: StreamRef, status: number, headers: Headers];

/** `['gun_trailers', conn, ref, headers]`: response trailers; they end the response. */
export type GunTrailers = readonly [tag: 'gun_trailers', conn: Pid, stream: StreamRef, headers: Headers];

/** `['gun_error', conn, ref, reason]`: an error on one stream. */
export type GunStreamError = readonly [tag: 'gun_error', conn: Pid, stream: StreamRef, reason: GunErrorReason];
/** `['gun_error', conn, reason]`: a connection-wide error; it does not mean the connection is unusable. */
export type GunConnError = readonly [tag: 'gun_error', conn: Pid, reason: GunErrorReason];
export type GunError = GunStreamError | GunConnError;

/**
 * `['gun_ws', conn, ref, frame]`: one complete Websocket message (fragments joined), or the
 * server's close frame (`['close', code, reason]`, or `'close'` when it carried no code).
 * Pings and pongs only with `wsOpts.silencePings: false`.
 * @example on(['gun_ws', conn, ref, ['text', _]], ([, , , [, text]]) => text)
 */
export type GunWs = readonly [tag: 'gun_ws', conn: Pid, stream: StreamRef, frame: WsFrame];

export type GunMessage = GunUp | GunDown | GunUpgrade | GunResponse | GunData | GunInform | GunTrailers | GunError | GunWs;

declare module '../runtime/pattern-types.js' {
  interface KnownMessages {
    gun: GunMessage;
  }
}

const freeze = Object.freeze;

export const gunUp = (conn: Pid, protocol: 'http' | 'http2'): GunUp => freeze(['gun_up', conn, protocol] as const);
export const gunDown = (conn: Pid, protocol: ProtocolName, reason: DownReason, killed: readonly StreamRef[], unprocessed: readonly StreamRef[] = []): GunDown =>
  freeze(['gun_down', conn, protocol, reason, freeze([...killed]), freeze([...unprocessed])] as const);
export const gunUpgrade = (conn: Pid, ref: StreamRef, headers: Headers): GunUpgrade =>
  freeze(['gun_upgrade', conn, ref, freeze(['websocket'] as const), headers] as const);
export const gunResponse = (conn: Pid, ref: StreamRef, fin: IsFin, status: number, headers: Headers): GunResponse =>
  freeze(['gun_response', conn, ref, fin, status, headers] as const);
export const gunData = (conn: Pid, ref: StreamRef, fin: IsFin, data: Buffer): GunData => freeze(['gun_data', conn, ref, fin, data] as const);
export const gunInform = (conn: Pid, ref: StreamRef, status: number, headers: Headers): GunInform =>
  freeze(['gun_inform', conn, ref, status, headers] as const);
export const gunTrailers = (conn: Pid, ref: StreamRef, headers: Headers): GunTrailers => freeze(['gun_trailers', conn, ref, headers] as const);
export const gunStreamError = (conn: Pid, ref: StreamRef, reason: GunErrorReason): GunStreamError =>
  freeze(['gun_error', conn, ref, reason] as const);
export const gunConnError = (conn: Pid, reason: GunErrorReason): GunConnError => freeze(['gun_error', conn, reason] as const);
// gun_ws is the hot path (one per Websocket message): a plain array, frozen like the others would cost ~40 ns more.
export const gunWs = (conn: Pid, ref: StreamRef, frame: WsFrame): GunWs => ['gun_ws', conn, ref, frame] as const;

/** Gun's sentences, in one place. */
export const Sentences = {
  wsOnlyHttp11: 'Websocket is only supported over HTTP/1.1.',
  wsNoExtendedConnect: 'The server does not allow Websocket over HTTP/2: its SETTINGS have no SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441).',
  wsSendWhichStream: 'Several Websockets share this connection: gun.wsSend needs the stream reference.',
  wsSendBeforeUpgrade: 'Connection needs to be upgraded to Websocket before the gun:ws_send/1 function can be used.',
  wsOnly: 'This connection only accepts Websocket frames.',
  connectionLost: 'The connection was lost.',
  streamNotFound: 'The stream cannot be found.',
  streamClosed: 'The stream has already been closed.',
  bodyTooLong: 'The data is longer than the content-length of the request.',
  bodyTooShort: 'The data ends before the content-length of the request is reached.',
  wsDuringBody: 'Websocket cannot be upgraded while a request body is being sent.',
  wsClosing: 'The Websocket is closing: the frame was not sent.',
  shuttingDown: 'The connection is shutting down.',
} as const;

/** Lowercase atom from a Node error code (`ECONNREFUSED` → `econnrefused`), Gun's posix-atom style. */
export function errorAtom(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code !== '') return code.toLowerCase();
  return 'unknown';
}
