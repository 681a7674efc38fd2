// Option types (camelCase of Gun's), their defaults, and validation that names the
// first bad option path, as Gun's check_options does.
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import net, { type TcpSocketConnectOpts } from 'node:net';
import http2, { type Settings as Http2Settings } from 'node:http2';
import tls from 'node:tls';
import { InvalidOptionError } from '../runtime/errors.js';
import { isToken } from './headers.js';
import type { DownReason } from './messages.js';
import { DIALECTS, type Dialect } from './dialect.js';

/** What a retry hook decides: how many retries remain after this one, and how long to wait before it. */
export interface RetryDecision {
  readonly retries: number;
  readonly timeout: number;
}

/** Facts a retry hook may use. */
export interface RetryContext {
  /** Why the last connection or attempt ended. */
  readonly reason: DownReason | string;
  /** Consecutive connections that lived shorter than `max(retryTimeout, 1000)` ms (accept-and-close peers). */
  readonly shortLived: number;
  readonly opts: ResolvedOptions;
}

export interface WsOptions {
  /** Subprotocols to offer, as `[name, handler?]` pairs, sent in `sec-websocket-protocol`. @default [] */
  protocols?: readonly (readonly [name: string, handler?: unknown])[];
  /** Offer permessage-deflate (through `ws`). @default false */
  compress?: boolean;
  /** Do not deliver pings and pongs as `gun_ws` (they are still answered). @default true */
  silencePings?: boolean;
  /** Send a ping every `keepalive` ms; `Infinity` disables it. @default Infinity */
  keepalive?: number;
  /** How long to wait for the server's close frame after ours (ms). @default 15000 */
  closingTimeout?: number;
  /** Largest message accepted from the server (bytes); a larger one closes with 1009. @default 104857600 */
  maxPayload?: number;
  /**
   * Flow control (Gun 2.x): how many `gun_ws` messages may be sent before reading stops;
   * `gun.updateFlow(conn, ref, n)` gives more. `Infinity` is Gun's default: no limit.
   * @default Infinity
   */
  flow?: number;
  /** Beyond Gun: re-issue this upgrade after every reconnect and deliver a fresh `gun_upgrade`; retries then back off exponentially from `retryTimeout` (0–50 % jitter, up to 30 s) unless `retryFun` is given. @default false */
  reconnect?: boolean;
}

export interface HttpOptions {
  /** Write a bare CRLF every `keepalive` ms while idle (Gun 1.3's "ping"); `Infinity` disables it. @default Infinity */
  keepalive?: number;
  /** @default 'HTTP/1.1' */
  version?: 'HTTP/1.1' | 'HTTP/1.0';
  /** Most headers a response (or its 1xx, or its trailers) may carry; past it the stream gets a `gun_error`. @default 2000 */
  maxHeaders?: number;
}

export interface Http2Options {
  /** Send a PING every `keepalive` ms; `Infinity` disables it. @default Infinity */
  keepalive?: number;
  /**
   * How many PINGs may go unacknowledged: one more and the peer is taken for dead (the
   * connection goes down with `['error', 'keepalive_timeout']`). Gun 2.x's
   * `keepalive_tolerance`. @default Infinity (no check, as Gun)
   */
  keepaliveTolerance?: number;
  /** SETTINGS sent to the server (node:http2's `Settings`: `initialWindowSize`, `maxConcurrentStreams`…). */
  settings?: Http2Settings;
}

export interface Options {
  /** Milliseconds to connect (TCP and TLS handshake); `Infinity` waits forever. @default Infinity */
  connectTimeout?: number;
  /** Number of consecutive failed (re)connect attempts allowed before the connection exits. @default 5 */
  retry?: number;
  /** Milliseconds to wait before each retry. @default 5000 */
  retryTimeout?: number;
  /**
   * Custom backoff (Gun 2.x's `retry_fun`): given the retries left, decide the next wait.
   * The default waits `retryTimeout`, doubling (from at least 100 ms, up to 60 s) while connections
   * keep dying within `max(retryTimeout, 1000)` ms of coming up, so an accept-and-close peer cannot cause a storm.
   */
  retryFun?: (retriesLeft: number, context: RetryContext) => RetryDecision;
  /**
   * Protocols to use, in order of preference: over TLS they are offered through ALPN and the
   * server picks; over TCP give one (`['http2']` is HTTP/2 with prior knowledge).
   * @default ['http2', 'http'] over TLS (as Gun 1.3), ['http'] over TCP
   */
  protocols?: readonly ('http' | 'http2')[];
  /** @default 'tls' on port 443, else 'tcp' */
  transport?: 'tcp' | 'tls';
  /** Options passed to `tls.connect` (ca, cert, key, rejectUnauthorized…). Certificates are verified by default. */
  tlsOpts?: TlsConnectionOptions;
  /** Options passed to `net.connect` (e.g. `localAddress`, `family`, `noDelay`). */
  tcpOpts?: Omit<TcpSocketConnectOpts, 'host' | 'port'> & { noDelay?: boolean };
  httpOpts?: HttpOptions;
  http2Opts?: Http2Options;
  /** Defaults for every `gun.wsUpgrade` of this connection. */
  wsOpts?: WsOptions;
  /**
   * Which Gun's messages this connection sends: `'1.3'` (the Gun 1.3 guide's: six-element
   * `gun_down`, Websocket messages to the owner) or `'2'` (Gun 2.x's: five-element `gun_down`,
   * `[wsRef]` killed, Websocket messages to the caller or `replyTo`). See the README's "Dialects".
   * @default '1.3'
   */
  dialect?: Dialect;
}

/** The connection's options after defaults: what `retryFun` sees as `context.opts`. */
export interface ResolvedOptions {
  readonly connectTimeout: number;
  readonly retry: number;
  readonly retryTimeout: number;
  readonly retryFun: ((retriesLeft: number, context: RetryContext) => RetryDecision) | undefined;
  readonly protocols: readonly ('http' | 'http2')[];
  readonly transport: 'tcp' | 'tls';
  readonly tlsOpts: TlsConnectionOptions;
  readonly tcpOpts: Omit<TcpSocketConnectOpts, 'host' | 'port'> & { noDelay?: boolean };
  readonly httpOpts: Required<HttpOptions>;
  readonly http2Opts: Http2Options;
  readonly wsOpts: WsOptions;
  readonly dialect: Dialect;
}

const TOP_KEYS = ['connectTimeout', 'retry', 'retryTimeout', 'retryFun', 'protocols', 'transport', 'tlsOpts', 'tcpOpts', 'httpOpts', 'http2Opts', 'wsOpts', 'dialect'];
const HTTP2_KEYS = ['keepalive', 'keepaliveTolerance', 'settings'];
const HTTP_KEYS = ['keepalive', 'version', 'maxHeaders'];
export const WS_KEYS = ['protocols', 'compress', 'silencePings', 'keepalive', 'closingTimeout', 'maxPayload', 'reconnect', 'flow'];

const isTimeout = (v: unknown): boolean => v === Infinity || (Number.isInteger(v) && (v as number) >= 0);
const isPositiveTimeout = (v: unknown): boolean => v === Infinity || (Number.isInteger(v) && (v as number) > 0);
export const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates `gun.open` options; throws `InvalidOptionError` naming the first bad path. */
export function checkOptions(host: unknown, port: unknown, opts: unknown): ResolvedOptions {
  if (!isHost(host)) throw new InvalidOptionError('host', 'a host name or an IP address (no scheme, path, port or whitespace)', host);
  if (!isPort(port)) throw new InvalidOptionError('port', 'an integer from 1 to 65535', port);
  if (opts === undefined) opts = {};
  if (!isPlain(opts)) throw new InvalidOptionError('opts', 'an object', opts);
  checkKeys(opts, TOP_KEYS, '');
  const o = opts as Options;
  check('connectTimeout', o.connectTimeout, isTimeout, 'an integer ≥ 0 or Infinity');
  check('retry', o.retry, (v) => Number.isInteger(v) && (v as number) >= 0, 'an integer ≥ 0');
  check('retryTimeout', o.retryTimeout, (v) => Number.isInteger(v) && (v as number) >= 0, 'an integer ≥ 0');
  check('retryFun', o.retryFun, (v) => typeof v === 'function', 'a function');
  check('protocols', o.protocols, (v) => Array.isArray(v) && v.length > 0 && v.every((p) => p === 'http' || p === 'http2') && new Set(v).size === v.length,
    "a non-empty list of unique 'http' | 'http2'");
  check('transport', o.transport, (v) => v === 'tcp' || v === 'tls', "'tcp' or 'tls'");
  const transport = o.transport ?? (port === 443 ? 'tls' : 'tcp');
  // Gun 1.3's defaults: ALPN offers HTTP/2 first over TLS; over TCP there is nothing to choose with.
  const protocols = o.protocols ?? (transport === 'tls' ? DEFAULTS.tlsProtocols : DEFAULTS.protocols);
  // Over tcp there is no ALPN to choose with: the one protocol is spoken from the first byte
  // (['http2'] is HTTP/2 with prior knowledge, h2c).
  if (transport === 'tcp' && protocols.length !== 1) {
    throw new InvalidOptionError('protocols', 'exactly one protocol over tcp (there is no ALPN to choose between them)', protocols);
  }
  check('tlsOpts', o.tlsOpts, isPlain, 'an object');
  check('tcpOpts', o.tcpOpts, isPlain, 'an object');
  refuseOwnKeys(o.tlsOpts, 'tlsOpts');
  refuseOwnKeys(o.tcpOpts, 'tcpOpts');
  if (o.tcpOpts) checkTcpOptions(o.tcpOpts as Record<string, unknown>);
  if (o.tlsOpts) checkTlsOptions(o.tlsOpts);
  check('httpOpts', o.httpOpts, isPlain, 'an object');
  if (o.httpOpts) {
    checkKeys(o.httpOpts as Record<string, unknown>, HTTP_KEYS, 'httpOpts.');
    check('httpOpts.keepalive', o.httpOpts.keepalive, isPositiveTimeout, 'an integer > 0 or Infinity');
    check('httpOpts.version', o.httpOpts.version, (v) => v === 'HTTP/1.1' || v === 'HTTP/1.0', "'HTTP/1.1' or 'HTTP/1.0'");
    check('httpOpts.maxHeaders', o.httpOpts.maxHeaders, (v) => Number.isInteger(v) && (v as number) > 0 && (v as number) <= 100_000, 'an integer from 1 to 100000');
  }
  check('http2Opts', o.http2Opts, isPlain, 'an object');
  if (o.http2Opts) checkHttp2Options(o.http2Opts);
  check('wsOpts', o.wsOpts, isPlain, 'an object');
  if (o.wsOpts) checkWsOptions(o.wsOpts, 'wsOpts');
  check('dialect', o.dialect, (v) => DIALECTS.includes(v as Dialect), "'1.3' or '2'");
  return {
    connectTimeout: o.connectTimeout ?? Infinity,
    retry: o.retry ?? 5,
    retryTimeout: o.retryTimeout ?? 5000,
    retryFun: o.retryFun,
    protocols,
    transport,
    tlsOpts: o.tlsOpts ?? DEFAULTS.tlsOpts,
    tcpOpts: o.tcpOpts ?? DEFAULTS.tcpOpts,
    httpOpts: o.httpOpts === undefined ? DEFAULTS.httpOpts : { keepalive: o.httpOpts.keepalive ?? Infinity, version: o.httpOpts.version ?? 'HTTP/1.1', maxHeaders: o.httpOpts.maxHeaders ?? DEFAULT_MAX_HEADERS },
    http2Opts: o.http2Opts ?? DEFAULTS.http2Opts,
    wsOpts: o.wsOpts ?? DEFAULTS.wsOpts,
    dialect: o.dialect ?? '1.3',
  };
}

/** httpOpts.maxHeaders' default: Node's own default for servers. */
const DEFAULT_MAX_HEADERS = 2000;

// Shared by every connection that leaves them out: ten thousand connections, one copy.
const DEFAULTS = Object.freeze({
  protocols: Object.freeze(['http'] as const),
  tlsProtocols: Object.freeze(['http2', 'http'] as const),
  tlsOpts: Object.freeze({}),
  tcpOpts: Object.freeze({}),
  httpOpts: Object.freeze({ keepalive: Infinity, version: 'HTTP/1.1' as const, maxHeaders: DEFAULT_MAX_HEADERS }),
  http2Opts: Object.freeze({}),
  wsOpts: Object.freeze({}),
});

function checkHttp2Options(h2: Http2Options): void {
  checkKeys(h2 as Record<string, unknown>, HTTP2_KEYS, 'http2Opts.');
  check('http2Opts.keepalive', h2.keepalive, isPositiveTimeout, 'an integer > 0 or Infinity');
  check('http2Opts.keepaliveTolerance', h2.keepaliveTolerance, isTimeout, 'an integer ≥ 0 or Infinity');
  check('http2Opts.settings', h2.settings, isPlain, 'an object');
  // node:http2 packs them as it will send them: a bad one fails here, at open.
  if (h2.settings !== undefined) {
    try {
      http2.getPackedSettings(h2.settings);
    } catch (error) {
      throw new InvalidOptionError('http2Opts.settings', `settings node:http2 accepts (${(error as Error).message})`, h2.settings);
    }
  }
}

/** Validates Websocket options (at `open` under `wsOpts`, at `wsUpgrade` under `wsUpgrade.opts`). */
export function checkWsOptions(ws: unknown, path: string): WsOptions {
  if (!isPlain(ws)) throw new InvalidOptionError(path, 'an object', ws);
  checkKeys(ws, WS_KEYS, `${path}.`);
  const w = ws as WsOptions;
  check(`${path}.protocols`, w.protocols, (v) => Array.isArray(v) && v.every((p) => Array.isArray(p) && p.length >= 1 && p.length <= 2 && isToken(p[0]))
    && new Set(v.map((p: readonly unknown[]) => p[0])).size === v.length,
  'a list of [name, handler?] with distinct token names');
  check(`${path}.compress`, w.compress, (v) => typeof v === 'boolean', 'a boolean');
  check(`${path}.silencePings`, w.silencePings, (v) => typeof v === 'boolean', 'a boolean');
  check(`${path}.keepalive`, w.keepalive, isPositiveTimeout, 'an integer > 0 or Infinity');
  check(`${path}.closingTimeout`, w.closingTimeout, isPositiveTimeout, 'an integer > 0 or Infinity');
  check(`${path}.maxPayload`, w.maxPayload, (v) => Number.isInteger(v) && (v as number) > 0, 'an integer > 0');
  check(`${path}.reconnect`, w.reconnect, (v) => typeof v === 'boolean', 'a boolean');
  check(`${path}.flow`, w.flow, isPositiveTimeout, 'an integer > 0 or Infinity');
  return w;
}

// A DNS name (letters, digits, '-', '_', '.') or an IP address: nothing that could carry a
// scheme, a path, userinfo or a line break into what the connection writes.
const HOST_NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252})$/;
function isHost(host: unknown): host is string {
  if (typeof host !== 'string') return false;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return net.isIP(bare) !== 0 || (bare === host && HOST_NAME.test(host));
}

const isPort = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;

// net.connect's options that erlgun passes on, with what each must be: refused at open,
// not as a raw Error from the socket later.
const TCP_CHECKS: Record<string, [(v: unknown) => boolean, string]> = {
  localAddress: [(v) => typeof v === 'string' && net.isIP(v) !== 0, 'an IP address'],
  localPort: [isPort, 'an integer from 1 to 65535'],
  family: [(v) => v === 0 || v === 4 || v === 6, '0, 4 or 6'],
  noDelay: [(v) => typeof v === 'boolean', 'a boolean'],
  keepAlive: [(v) => typeof v === 'boolean', 'a boolean'],
  keepAliveInitialDelay: [(v) => Number.isInteger(v) && (v as number) >= 0, 'an integer ≥ 0'],
  hints: [(v) => Number.isInteger(v), 'an integer (dns hints)'],
  lookup: [(v) => typeof v === 'function', 'a function'],
  autoSelectFamily: [(v) => typeof v === 'boolean', 'a boolean'],
  autoSelectFamilyAttemptTimeout: [(v) => Number.isInteger(v) && (v as number) >= 10, 'an integer ≥ 10'],
};

function checkTcpOptions(tcp: Record<string, unknown>): void {
  checkKeys(tcp, Object.keys(TCP_CHECKS), 'tcpOpts.');
  for (const [key, [ok, expected]] of Object.entries(TCP_CHECKS)) check(`tcpOpts.${key}`, tcp[key], ok, expected);
}

// The TLS context is built once here, the way tls.connect will build it, so a bad
// certificate, key or version fails at open with the option's name.
function checkTlsOptions(opts: TlsConnectionOptions): void {
  check('tlsOpts.rejectUnauthorized', opts.rejectUnauthorized, (v) => typeof v === 'boolean', 'a boolean');
  check('tlsOpts.servername', opts.servername, (v) => typeof v === 'string' && v !== '' && !net.isIP(v), 'a host name');
  check('tlsOpts.checkServerIdentity', opts.checkServerIdentity, (v) => typeof v === 'function', 'a function');
  const fails = (o: TlsConnectionOptions): Error | undefined => {
    try {
      tls.createSecureContext(o);
      return undefined;
    } catch (error) {
      return error as Error;
    }
  };
  const error = fails(opts);
  if (error === undefined) return;
  // Name the option at fault: the first that fails on its own (with the passphrase a key may need).
  const all = opts as Record<string, unknown>;
  const key = Object.keys(all).find((k) => k !== 'passphrase' && fails({ [k]: all[k], passphrase: opts.passphrase } as TlsConnectionOptions) !== undefined);
  throw new InvalidOptionError(key === undefined ? 'tlsOpts' : `tlsOpts.${key}`, `what tls.createSecureContext accepts (${error.message})`, key === undefined ? opts : all[key]);
}

/** `closingTimeout`'s default, and how long a graceful close may take for HTTP (Gun 2.x's 15 s). */
export const DEFAULT_CLOSING_TIMEOUT = 15_000;

/** A `wsUpgrade`'s options over the connection's `wsOpts`, key by key; a key given as `undefined` keeps the connection's value. */
export function mergeWsOptions(defaults: WsOptions, overrides: WsOptions): WsOptions {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) merged[key] = value;
  return merged as WsOptions;
}

// The socket options the connection sets itself, from open's host and port and from
// `protocols`: given in tlsOpts/tcpOpts they would connect somewhere else than gun.info
// reports, or negotiate a protocol (ALPN) the connection would then not speak.
const OWN_SOCKET_KEYS: Record<string, string> = {
  host: "to be left out (the host is gun.open's first argument)",
  port: "to be left out (the port is gun.open's second argument)",
  path: 'to be left out (erlgun connects over TCP to host and port)',
  socket: 'to be left out (the connection opens its own socket)',
  ALPNProtocols: 'to be left out (erlgun sets it from `protocols`)',
};

function refuseOwnKeys(obj: object | undefined, prefix: string): void {
  if (obj === undefined) return;
  for (const [key, expected] of Object.entries(OWN_SOCKET_KEYS)) {
    const value = (obj as Record<string, unknown>)[key];
    if (value !== undefined) throw new InvalidOptionError(`${prefix}.${key}`, expected, value);
  }
}

export function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], prefix: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new InvalidOptionError(`${prefix}${key}`, `one of the known options (${allowed.join(', ')})`, obj[key]);
  }
}

function check(path: string, value: unknown, ok: (v: unknown) => boolean, expected: string): void {
  if (value !== undefined && !ok(value)) throw new InvalidOptionError(path, expected, value);
}
