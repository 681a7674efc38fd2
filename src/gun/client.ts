// Gun's API in camelCase: open, request and its shorthands, data, cancel, wsUpgrade,
// wsSend, info, close, shutdown. Each call returns at once; the connection actor does the work.
import { BadArgError, InvalidOptionError } from '../runtime/errors.js';
import { makeRef, Pid } from '../runtime/pid.js';
import { lookup, send, whereis } from '../runtime/registry.js';
import { self } from '../runtime/scheduler.js';
import { exit } from '../runtime/signals.js';
import { Connection, connectionState, type Command, type StateName } from './connection.js';
import { defaultWsReplyTo } from './dialect.js';
import { checkFrames } from './frames.js';
import { checkFollowingFraming, checkNoBody, checkPath, framedByBody, hasHeader, normalizeHeaders, isToken, type RequestHeaders } from './headers.js';
import type { IsFin, ReplyTo, StreamRef, WsSendFrame } from './messages.js';
import { checkKeys, checkOptions, checkWsOptions, isPlain, mergeWsOptions, WS_KEYS, type Options, type WsOptions } from './options.js';

/** Request options. */
export interface ReqOpts {
  /** The process that receives this stream's messages. @default the caller */
  replyTo?: ReplyTo;
  /**
   * Flow control (Gun 2.x): how many `gun_data` messages may be sent before the response is
   * no longer read; `gun.updateFlow` gives more. @default Infinity (no limit, as Gun)
   */
  flow?: number;
}

/** A request body. */
export type Body = string | Buffer | Uint8Array;

/**
 * Opens a connection: starts a connection actor (a process) that owns one socket and
 * returns its pid at once; the caller becomes its owner and gets `gun_up` once connected.
 * Throws `InvalidOptionError` naming the first bad option; no process is started then.
 * @example
 * const conn = gun.open('example.org', 443);
 * const protocol = ok(await gun.awaitUp(conn));
 */
export function open(host: string, port: number, opts?: Options): Pid {
  const resolved = checkOptions(host, port, opts);
  return Connection.start(self(), host, port, resolved);
}

function toBuffer(body: Body): Buffer {
  if (typeof body === 'string') return Buffer.from(body);
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new BadArgError('the body must be a string, Buffer or Uint8Array');
}

/**
 * A gun call names a connection: a live pid that is not one is a caller's mistake
 * (`BadArgError`); a dead one is not, as a send to a dead pid is not (nothing is sent,
 * and `gun.await` answers `noproc`).
 */
function requireConn(conn: unknown): asserts conn is Pid {
  if (!(conn instanceof Pid)) throw new BadArgError(`expected a connection pid, got ${String(conn)}`);
  if (connectionState(conn) === undefined && lookup(conn) !== undefined) throw new BadArgError(`${String(conn)} is a process but not a Gun connection`);
}

/** The options object of a call: absent, or a plain object with known keys. */
function checkCallOptions(opts: unknown, path: string, known: readonly string[]): Record<string, unknown> {
  if (opts === undefined) return {};
  if (!isPlain(opts)) throw new InvalidOptionError(path, 'an object', opts);
  checkKeys(opts, known, `${path}.`);
  return opts;
}

/**
 * Where a stream's messages go: the caller by default, a pid, or a name registered now
 * (resolved here, once). Anything else is refused at the call, so no reply can fail later.
 */
function resolveReplyTo(replyTo: unknown, path: string): Pid {
  if (replyTo === undefined) return self();
  if (replyTo instanceof Pid) return replyTo;
  const pid = typeof replyTo === 'string' ? whereis(replyTo) : undefined;
  if (pid === undefined) throw new InvalidOptionError(path, 'a pid or the name of a registered process', replyTo);
  return pid;
}

function command(conn: Pid, cmd: Command): void {
  send(conn, cmd);
}

/**
 * Sends a request and returns its stream ref at once. Without a body, a request whose
 * headers announce one (`content-length`, `content-type` or `transfer-encoding`) expects
 * `gun.data` to send it. With a body, the body's length replaces any `content-length` or
 * `transfer-encoding` given. Throws `InvalidHeaderError` for a bad path or header.
 */
export function request(conn: Pid, method: string, path: string, headers?: RequestHeaders, body?: Body, reqOpts?: ReqOpts): StreamRef {
  const list = normalizeHeaders(headers);
  const bodyFollows = body === undefined && (hasHeader(list, 'content-length') || hasHeader(list, 'content-type') || hasHeader(list, 'transfer-encoding'));
  return startRequest(conn, method, path, list, body, bodyFollows, reqOpts);
}

function startRequest(conn: Pid, method: string, path: string, headers: [string, string][], body: Body | undefined, bodyFollows: boolean, reqOpts?: ReqOpts): StreamRef {
  requireConn(conn);
  if (!isToken(method)) throw new BadArgError(`invalid method ${JSON.stringify(method)}`);
  checkPath(path, method);
  const opts = checkCallOptions(reqOpts, 'reqOpts', REQ_OPTS);
  const replyTo = resolveReplyTo(opts.replyTo, 'reqOpts.replyTo');
  const flow = checkFlow(opts.flow, 'reqOpts.flow');
  const whole = body === undefined ? undefined : toBuffer(body);
  if (whole !== undefined) headers = framedByBody(headers, whole);
  else if (bodyFollows) checkFollowingFraming(headers);
  else checkNoBody(headers);
  const ref = makeRef();
  if (isAlive(conn)) command(conn, { $gun: 'request', req: { ref, replyTo, method, path, headers, body: whole, bodyFollows, flow } });
  return ref;
}

const REQ_OPTS = ['replyTo', 'flow'] as const;

function checkFlow(flow: unknown, path: string): number {
  if (flow === undefined || flow === Infinity) return Infinity;
  if (!Number.isInteger(flow) || (flow as number) <= 0) throw new InvalidOptionError(path, 'an integer > 0 or Infinity', flow);
  return flow as number;
}

/**
 * Gives a stream `n` more messages of flow control (Gun 2.x): `gun_data` for a response,
 * `gun_ws` for a Websocket. A stream whose flow ran out stops being read (the server is
 * held back by TCP); this resumes it. Handled in order with the calls before it.
 */
export function updateFlow(conn: Pid, ref: StreamRef, n: number): void {
  requireConn(conn);
  if (!Number.isInteger(n) || n <= 0) throw new BadArgError(`updateFlow: expected an integer > 0, got ${String(n)}`);
  command(conn, { $gun: 'update_flow', ref, n });
}
const isAlive = (pid: Pid): boolean => lookup(pid) !== undefined;

/** GET. */
export function get(conn: Pid, path: string, headers?: RequestHeaders, reqOpts?: ReqOpts): StreamRef {
  return startRequest(conn, 'GET', path, normalizeHeaders(headers), undefined, false, reqOpts);
}
/** HEAD. */
export function head(conn: Pid, path: string, headers?: RequestHeaders, reqOpts?: ReqOpts): StreamRef {
  return startRequest(conn, 'HEAD', path, normalizeHeaders(headers), undefined, false, reqOpts);
}
/** DELETE (exported as `delete`). */
export function del(conn: Pid, path: string, headers?: RequestHeaders, reqOpts?: ReqOpts): StreamRef {
  return startRequest(conn, 'DELETE', path, normalizeHeaders(headers), undefined, false, reqOpts);
}
/** OPTIONS. */
export function options(conn: Pid, path: string, headers?: RequestHeaders, reqOpts?: ReqOpts): StreamRef {
  return startRequest(conn, 'OPTIONS', path, normalizeHeaders(headers), undefined, false, reqOpts);
}
/** POST; without `body`, send it with `gun.data`. */
export function post(conn: Pid, path: string, headers: RequestHeaders, body?: Body, reqOpts?: ReqOpts): StreamRef {
  return startRequest(conn, 'POST', path, normalizeHeaders(headers), body, body === undefined, reqOpts);
}
/** PUT; without `body`, send it with `gun.data`. */
export function put(conn: Pid, path: string, headers: RequestHeaders, body?: Body, reqOpts?: ReqOpts): StreamRef {
  return startRequest(conn, 'PUT', path, normalizeHeaders(headers), body, body === undefined, reqOpts);
}
/** PATCH; without `body`, send it with `gun.data`. */
export function patch(conn: Pid, path: string, headers: RequestHeaders, body?: Body, reqOpts?: ReqOpts): StreamRef {
  return startRequest(conn, 'PATCH', path, normalizeHeaders(headers), body, body === undefined, reqOpts);
}

/** Streams a request body: `'nofin'` chunks, then `'fin'` with the last (possibly empty) one. */
export function data(conn: Pid, ref: StreamRef, fin: IsFin, chunk: Body): void {
  requireConn(conn);
  if (fin !== 'fin' && fin !== 'nofin') throw new BadArgError(`data: expected 'fin' or 'nofin', got ${String(fin)}`);
  command(conn, { $gun: 'data', ref, replyTo: self(), fin: fin === 'fin', data: toBuffer(chunk) });
}

/**
 * Stops delivering a stream's messages, its loss included (on HTTP/1.1 the response is still read, as Gun does).
 * A ref the connection does not know (never made, or already finished) gets `['gun_error', conn, ref, ['badstate', 'The stream cannot be found.']]`, as in Gun.
 */
export function cancel(conn: Pid, ref: StreamRef): void {
  requireConn(conn);
  command(conn, { $gun: 'cancel', ref, replyTo: self() });
}

/**
 * Upgrades the connection to Websocket and returns the stream ref. Gun sets the upgrade
 * headers; `headers` are sent too. `opts` replace the connection's `wsOpts` key by key.
 * Outcome: `gun_upgrade`, or `gun_response` (+ `gun_data`) when the server refuses, or `gun_error`.
 * They and the frames go to `opts.replyTo`, or else to the owner (dialect `'1.3'`, as Gun 1.3)
 * or the caller (dialect `'2'`, as Gun 2.x).
 * @example const ref = gun.wsUpgrade(conn, '/websocket', [['authorization', 'Basic dXNlcjpwYXNz']]);
 */
export function wsUpgrade(conn: Pid, path: string, headers?: RequestHeaders, opts?: WsOptions & ReqOpts): StreamRef {
  requireConn(conn);
  checkPath(path, 'GET');
  const list = normalizeHeaders(headers);
  // The upgrade request has no body: a length would make the server read the frames as one.
  checkNoBody(list);
  const { replyTo: to, ...wsOpts } = checkCallOptions(opts, 'wsUpgrade.opts', [...WS_KEYS, ...REQ_OPTS]);
  checkWsOptions(wsOpts, 'wsUpgrade.opts');
  const state = connectionState(conn);
  // Gun 1.3 sends Websocket messages to the owner, Gun 2.x to the caller (dialect.ts).
  const replyTo = to === undefined ? defaultWsReplyTo(state?.opts.dialect, state?.owner, self()) : resolveReplyTo(to, 'wsUpgrade.opts.replyTo');
  const defaults = state?.opts.wsOpts ?? {};
  const ref = makeRef();
  command(conn, { $gun: 'ws_upgrade', upgrade: { ref, replyTo, path, headers: list, opts: mergeWsOptions(defaults, wsOpts) } });
  return ref;
}

/**
 * Sends one Websocket frame or a list of frames, in order (a list stops at a close frame).
 * `gun.wsSend(conn, frames)` is Gun 1.3's form, `gun.wsSend(conn, ref, frames)` Gun 2.x's.
 * Over HTTP/2 several Websockets may share the connection: the ref says which one (Gun 1.3's
 * form only works while there is one).
 * Frames sent while an upgrade is queued or under way go out once it succeeds. With no
 * upgrade to wait for, the owner gets `['gun_error', conn, ['badstate', …]]`.
 */
export function wsSend(conn: Pid, frames: WsSendFrame | readonly WsSendFrame[]): void;
export function wsSend(conn: Pid, ref: StreamRef, frames: WsSendFrame | readonly WsSendFrame[]): void;
export function wsSend(conn: Pid, ...args: [WsSendFrame | readonly WsSendFrame[]] | [StreamRef, WsSendFrame | readonly WsSendFrame[]]): void {
  requireConn(conn);
  const frames = checkFrames(args.length === 2 ? args[1] : args[0]);
  // A message like every other call: it is handled in order with them, inside the actor.
  command(conn, { $gun: 'ws_send', frames, caller: self(), ref: args.length === 2 ? args[0] : undefined });
}

/** What `gun.info` returns. Socket keys are absent while not connected (Gun 2.x). */
export interface ConnectionInfo {
  readonly owner: Pid;
  readonly stateName: StateName;
  readonly transport: 'tcp' | 'tls';
  readonly protocol?: 'http' | 'http2' | 'ws';
  readonly sockIp?: string;
  readonly sockPort?: number;
  readonly originHost: string;
  readonly originPort: number;
}

/** Facts about a connection; `undefined` if it is no longer alive. Never throws while disconnected. */
export function info(conn: Pid): ConnectionInfo | undefined {
  const state = connectionState(conn);
  if (state === undefined) return undefined;
  const base = { owner: state.owner, stateName: state.stateName, transport: state.opts.transport, originHost: state.host, originPort: state.port };
  const socket = state.socket;
  if (socket === undefined || state.handler === undefined || socket.localAddress === undefined) return base;
  return { ...base, protocol: state.handler.name, sockIp: socket.localAddress, sockPort: socket.localPort };
}

/** Closes at once: no close frame, no `gun_down`; monitors see `'shutdown'`. */
export function close(conn: Pid): void {
  requireConn(conn);
  exit(conn, 'shutdown');
}

/**
 * Graceful shutdown (Gun 2.x): the running response finishes, queued ones get
 * `['closing', …]`, a Websocket gets close 1001; then the connection exits `'shutdown'`.
 * No `gun_down`, no reconnect.
 */
export function shutdown(conn: Pid): void {
  requireConn(conn);
  command(conn, { $gun: 'shutdown' });
}
