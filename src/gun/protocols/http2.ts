// HTTP/2 on the connection's one socket: node:http2's client session does the framing,
// HPACK and flow control (`createConnection` hands it our socket); this module turns its
// stream events into Gun's messages. Streams run concurrently; each keeps its own ref.
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { Socket } from 'node:net';
import { startTimer, type Timer } from '../../runtime/clock.js';
import { logCrash } from '../../runtime/log.js';
import { nextTurn } from '../../runtime/microtask.js';
import { HeldChunk } from './body.js';
import type { Pid } from '../../runtime/pid.js';
import { inActor, type ConnectionContext, type EventHandler, type OutgoingRequest, type ProtocolHandler, type Unsent, type WsUpgradeRequest } from '../protocol.js';
import {
  errorAtom, gunConnError, gunData, gunInform, gunResponse, gunStreamError, gunTrailers, gunUpgrade, Sentences,
  type DownReason, type ReplyTo, type StreamRef, type WsSendFrame,
} from '../messages.js';
import { websocketOpened } from '../diagnostics.js';
import { goawayUnprocessed, wsSendRefusalTo } from '../dialect.js';
import { WsH2Stream } from './ws-h2.js';
import { fromRawHeaders, hostHeader } from '../headers.js';
import { DEFAULT_CLOSING_TIMEOUT } from '../options.js';

const { NGHTTP2_CANCEL, NGHTTP2_FLAG_END_STREAM, NGHTTP2_REFUSED_STREAM } = http2.constants;

const EMPTY = Buffer.alloc(0);
const KEEPALIVE_TIMEOUT = Object.freeze({ code: 'KEEPALIVE_TIMEOUT' });

// HTTP/1.1 connection-specific headers have no meaning in HTTP/2 (RFC 9113 §8.2.2): node:http2
// refuses them, so they are left out; `host` becomes `:authority`.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

interface Stream {
  readonly ref: StreamRef;
  readonly replyTo: ReplyTo;
  readonly h2: ClientHttp2Stream;
  readonly command: Unsent;
  cancelled: boolean;
  /** The response ended (fin sent or trailers): its close is no loss. */
  done: boolean;
  /** `gun_data` messages left before the stream is paused (flow control). */
  flow: number;
  /** An upgrade's outcome is known (refused, reset or cancelled): frames no longer wait for it. */
  settled?: boolean;
  /** Set once an extended CONNECT got its 2xx: the stream now carries Websocket frames. */
  ws?: WsH2Stream;
  /** The module whose stream it is (the shared listeners find it here). */
  readonly http: Http2Handler;
  /**
   * The response's content-length (Infinity without one): node:http2 ends a stream the same
   * way whether END_STREAM came or the session went down under it, and the length tells the two apart.
   */
  expected: number;
  received: number;
  /** The body chunk held for a turn, made when a body first needs it. */
  held?: HeldChunk;
}

/** A node:http2 stream's record, set on the stream itself: the listeners, shared by every stream, find it through `this`. */
const RECORD = Symbol('erlgun/h2-stream');
type Tagged = ClientHttp2Stream & { [RECORD]?: Stream };

type StreamListener = (this: Tagged, a?: unknown, b?: unknown, c?: unknown) => void;
type StreamListeners = Readonly<Record<'headers' | 'response' | 'data' | 'trailers' | 'end' | 'close', StreamListener>>;

/** Errors are reported from 'close', which follows with the stream's reset code. */
const ignoreError = (): void => undefined;

export class Http2Handler implements ProtocolHandler {
  readonly name = 'http2' as const;
  readonly #ctx: ConnectionContext;
  readonly #session: ClientHttp2Session;
  readonly #streams = new Map<StreamRef, Stream>();
  #served = 0;
  #gone = false;
  #closing = false;
  /** The server's GOAWAY: streams it did not process wait for the next connection. */
  #goaway = false;
  /** GOAWAY's last stream id: the server processed no stream above it. */
  #lastStreamId = Infinity;
  /** GOAWAY's error code, as Gun's atom. */
  #goawayCode = 'no_error';
  #error: unknown = undefined;
  #keepalive: Timer | undefined = undefined;
  /** The server's first SETTINGS came: only then is enableConnectProtocol known. */
  #remoteSettings = false;
  /** Upgrades that came before the server's SETTINGS. */
  #waiting: WsUpgradeRequest[] = [];

  constructor(ctx: ConnectionContext, socket: Socket) {
    this.#ctx = ctx;
    const scheme = ctx.opts.transport === 'tls' ? 'https' : 'http';
    const { settings } = ctx.opts.http2Opts;
    this.#session = http2.connect(`${scheme}://${hostHeader(ctx.host, ctx.port, ctx.opts.transport)}`, {
      createConnection: () => socket,
      // Push is off unless asked for: node's client API does not say which stream a PUSH_PROMISE
      // belongs to, so gun_push cannot name its original ref.
      settings: { enablePush: false, ...settings },
    });
    // A server that pushes anyway (or a user who enabled push): each pushed stream is refused.
    this.#session.on('stream', (pushed: ClientHttp2Stream) => {
      pushed.on('error', () => undefined);
      pushed.close(NGHTTP2_REFUSED_STREAM);
    });
    // The session's events are handled inside the connection actor, in order.
    this.#session.once('remoteSettings', inActor(ctx, () => {
      if (this.#gone) return;
      this.#remoteSettings = true;
      const waiting = this.#waiting;
      this.#waiting = [];
      for (const u of waiting) this.wsUpgrade(u);
      this.#ctx.changed(this);
    }));
    this.#session.on('error', inActor(ctx, (error: unknown) => {
      this.#error ??= error;
    }));
    this.#session.on('goaway', inActor(ctx, (code: number, lastStreamId: number) => {
      this.#goaway = true;
      this.#goawayCode = code === 0 ? 'no_error' : h2ErrorName(code);
      this.#lastStreamId = lastStreamId;
    }));
    this.#session.on('close', inActor(ctx, () => this.#closed()));
    this.#armKeepalive();
  }

  /**
   * PINGs every `http2Opts.keepalive` ms. Past `keepaliveTolerance` unacknowledged ones the
   * peer is taken for dead: the session is destroyed and the connection goes down with
   * ['error', 'keepalive_timeout'] (Gun 2.x's keepalive_tolerance).
   */
  #armKeepalive(): void {
    const { keepalive = Infinity, keepaliveTolerance = Infinity } = this.#ctx.opts.http2Opts;
    if (keepalive === Infinity) return;
    let unacked = 0;
    const ping = (): void => {
      if (this.#gone || this.#session.destroyed) return;
      unacked++;
      this.#session.ping(inActor(this.#ctx, (error: Error | null) => {
        if (error === null) unacked--;
      }));
      this.#keepalive = startTimer(keepalive, tick);
    };
    const tick = inActor(this.#ctx, (): void => {
      if (this.#gone || this.#session.destroyed) return;
      if (unacked <= keepaliveTolerance) {
        ping();
        return;
      }
      // A timer that fires late (a busy or paused event loop) runs before the socket reads
      // waiting in the same turn: judge only once they are in, in the next turn.
      nextTurn(inActor(this.#ctx, () => {
        if (this.#gone || this.#session.destroyed) return;
        if (unacked <= keepaliveTolerance) {
          ping();
          return;
        }
        this.#error ??= KEEPALIVE_TIMEOUT;
        this.#session.destroy();
      }));
    });
    this.#keepalive = startTimer(keepalive, tick);
  }

  get served(): number {
    return this.#served;
  }

  accepts(command: 'request' | 'data' | 'cancel' | 'ws_upgrade', ref: StreamRef): boolean {
    if (!this.#goaway) return true;
    return (command === 'data' || command === 'cancel') && this.#streams.has(ref);
  }

  request(r: OutgoingRequest): void {
    const ctx = this.#ctx;
    if (this.#closing) {
      ctx.reply(r.replyTo, gunStreamError(ctx.conn, r.ref, ['closing', Sentences.shuttingDown]));
      return;
    }
    const headers: OutgoingHttpHeaders = { ':method': r.method, ':path': r.path };
    for (const [name, value] of r.headers) {
      if (name === 'host') headers[':authority'] = value;
      if (HOP_BY_HOP.has(name) || (name === 'te' && value.toLowerCase() !== 'trailers')) continue;
      const prev = headers[name];
      headers[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [String(prev), value];
    }
    let h2: ClientHttp2Stream;
    try {
      h2 = this.#session.request(headers, { endStream: r.body === undefined && !r.bodyFollows });
    } catch (error) {
      logCrash(ctx.conn, error);
      ctx.reply(r.replyTo, gunStreamError(ctx.conn, r.ref, ['stream_error', 'internal_error', String((error as Error).message)]));
      return;
    }
    const stream: Stream = { ref: r.ref, replyTo: r.replyTo, h2, command: { $gun: 'request', req: r }, cancelled: false, done: false, flow: r.flow, http: this, expected: Infinity, received: 0 };
    this.#streams.set(r.ref, stream);
    this.#listen(stream);
    if (r.body !== undefined) {
      if (r.bodyFollows) h2.write(r.body);
      else h2.end(r.body);
    }
  }

  /**
   * The stream's events become Gun's messages, inside the connection actor. Once an upgrade
   * made the stream a Websocket, its data, end and close go to that Websocket (including
   * those read before the actor learnt of the 2xx). The listeners are shared by every
   * stream: a request makes no closure of its own.
   */
  #listen(stream: Stream): void {
    const h2 = stream.h2 as Tagged;
    h2[RECORD] = stream;
    const on = (Http2Handler.#listeners ??= Http2Handler.#makeListeners());
    h2.on('error', ignoreError).on('headers', on.headers).on('response', on.response).on('data', on.data)
      .on('trailers', on.trailers).on('end', on.end).on('close', on.close);
  }

  // Made on first use (a static initializer that calls a static private method breaks tsc's down-levelled classes).
  static #listeners: StreamListeners | undefined;

  static #makeListeners(): StreamListeners {
    // Each listener queues its event for the actor, with the stream's record.
    const toActor = (fn: (stream: Stream, a?: unknown, b?: unknown, c?: unknown) => void): StreamListener => function (this: Tagged, a?: unknown, b?: unknown, c?: unknown): void {
      const stream = this[RECORD];
      if (stream !== undefined) stream.http.#ctx.run(fn as EventHandler, stream, a, b, c);
    };
    return {
      headers: toActor((stream, headers, _flags, raw) => stream.http.#onHeaders(stream, headers as IncomingHttpHeaders, raw as string[])),
      response: toActor((stream, headers, flags, raw) => stream.http.#onResponse(stream, headers as IncomingHttpHeaders, flags as number, raw as string[])),
      data: toActor((stream, chunk) => stream.http.#onData(stream, chunk as Buffer)),
      trailers: toActor((stream, _headers, _flags, raw) => stream.http.#onTrailers(stream, raw as string[])),
      end: toActor((stream) => stream.http.#onEnd(stream)),
      close: toActor((stream) => stream.http.#onClose(stream)),
    };
  }

  #onHeaders(stream: Stream, headers: IncomingHttpHeaders, raw: string[]): void {
    const ctx = this.#ctx;
    if (!stream.cancelled) ctx.reply(stream.replyTo, gunInform(ctx.conn, stream.ref, Number(headers[':status']), fromRawHeaders(raw)));
  }

  #onResponse(stream: Stream, headers: IncomingHttpHeaders, flags: number, raw: string[]): void {
    const ctx = this.#ctx;
    if (stream.command.$gun === 'ws_upgrade') {
      const status = Number(headers[':status']);
      if (status >= 200 && status < 300 && !stream.cancelled) {
        this.#upgraded(stream, stream.command.upgrade, fromRawHeaders(raw));
        return;
      }
      // Refused: an ordinary response on the same ref; our side of the CONNECT ends with it,
      // so the stream closes cleanly (Gun 2.4.1 leaves it half open and a stream error follows).
      this.#settle(stream);
      if (!stream.h2.writableEnded) stream.h2.end();
    }
    const fin = (flags & NGHTTP2_FLAG_END_STREAM) !== 0;
    if (fin) this.#end(stream);
    const length = Number(headers['content-length']);
    if (Number.isInteger(length)) stream.expected = length;
    if (!stream.cancelled) ctx.reply(stream.replyTo, gunResponse(ctx.conn, stream.ref, fin ? 'fin' : 'nofin', Number(headers[':status']), fromRawHeaders(raw)));
  }

  #onData(stream: Stream, chunk: Buffer): void {
    if (stream.ws !== undefined) {
      stream.ws.streamData(chunk);
      return;
    }
    stream.received += chunk.length;
    // The content-length is reached: this is the last chunk, 'fin' at once.
    if (stream.received >= stream.expected && !stream.done) {
      stream.held?.flush();
      this.#end(stream);
      if (!stream.cancelled) this.#ctx.reply(stream.replyTo, gunData(this.#ctx.conn, stream.ref, 'fin', chunk));
      return;
    }
    // The last chunk carries 'fin' when the end comes in the same read; otherwise an empty
    // 'fin' follows it, as for HTTP/1.1.
    (stream.held ??= this.#heldChunk(stream)).hold(chunk);
  }

  #heldChunk(stream: Stream): HeldChunk {
    const ctx = this.#ctx;
    return new HeldChunk(ctx, (chunk) => {
      if (stream.cancelled || this.#gone) return;
      ctx.reply(stream.replyTo, gunData(ctx.conn, stream.ref, 'nofin', chunk));
      if (--stream.flow === 0) stream.h2.pause();
    }, () => stream.flow > 0);
  }

  #onTrailers(stream: Stream, raw: string[]): void {
    stream.held?.flush();
    this.#end(stream);
    if (!stream.cancelled) this.#ctx.reply(stream.replyTo, gunTrailers(this.#ctx.conn, stream.ref, fromRawHeaders(raw)));
  }

  #onEnd(stream: Stream): void {
    const ctx = this.#ctx;
    if (stream.ws !== undefined) {
      stream.ws.streamEnd();
      return;
    }
    if (stream.received < stream.expected && stream.expected !== Infinity && !stream.done) {
      // Cut short: the session's end reports it (gun_error closed, killed in gun_down).
      stream.held?.flush();
      if (!this.#session.destroyed && !this.#session.closed && !this.#goaway && !stream.cancelled) {
        stream.done = true;
        ctx.reply(stream.replyTo, gunStreamError(ctx.conn, stream.ref, ['stream_error', 'protocol_error', 'The response ended before its content-length.']));
      }
      return;
    }
    if (stream.done) return;
    const last = stream.held?.take();
    if (!stream.cancelled && !this.#gone) ctx.reply(stream.replyTo, gunData(ctx.conn, stream.ref, 'fin', last ?? EMPTY));
    this.#end(stream);
  }

  #onClose(stream: Stream): void {
    const ctx = this.#ctx;
    if (stream.ws !== undefined) {
      stream.ws.streamClosed();
      return;
    }
    this.#settle(stream);
    // A stream cut by the session's end is reported with the connection's loss (#closed).
    if (this.#gone || (!stream.done && !stream.cancelled && (this.#session.destroyed || this.#session.closed || this.#goaway))) return;
    this.#streams.delete(stream.ref);
    if (stream.done || stream.cancelled) return;
    // Reset by the server: this stream's own error, not the connection's.
    stream.done = true;
    const code = stream.h2.rstCode ?? 0;
    ctx.reply(stream.replyTo, gunStreamError(ctx.conn, stream.ref, ['stream_error', h2ErrorName(code), `The stream was reset by the server (code ${code}).`]));
  }

  /** A 2xx to an extended CONNECT: the stream carries Websocket from now on. */
  #upgraded(stream: Stream, u: WsUpgradeRequest, headers: readonly (readonly [string, string])[]): void {
    const ctx = this.#ctx;
    stream.ws = new WsH2Stream(ctx, stream.h2, u.ref, u.replyTo, u.opts, () => this.#streams.delete(u.ref));
    ctx.reply(u.replyTo, gunUpgrade(ctx.conn, u.ref, headers));
    websocketOpened(ctx, u.ref, headers);
    ctx.changed(this);
  }

  wsUpgrade(u: WsUpgradeRequest): void {
    const ctx = this.#ctx;
    if (this.#closing) {
      ctx.reply(u.replyTo, gunStreamError(ctx.conn, u.ref, ['closing', Sentences.shuttingDown]));
      return;
    }
    // SETTINGS come asynchronously after the connection preface: wait for them to know.
    if (!this.#remoteSettings) {
      this.#waiting.push(u);
      return;
    }
    // Never an extended CONNECT the server has not allowed (Gun 2.4.1 sends it and gets a stream error).
    if (this.#session.remoteSettings.enableConnectProtocol !== true) {
      ctx.reply(u.replyTo, gunStreamError(ctx.conn, u.ref, ['badstate', Sentences.wsNoExtendedConnect]));
      return;
    }
    const scheme = ctx.opts.transport === 'tls' ? 'https' : 'http';
    const headers: OutgoingHttpHeaders = {
      ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': scheme, ':path': u.path,
      ':authority': hostHeader(ctx.host, ctx.port, ctx.opts.transport), 'sec-websocket-version': '13',
    };
    const offered = (u.opts.protocols ?? []).map(([name]) => name);
    if (offered.length > 0) headers['sec-websocket-protocol'] = offered.join(', ');
    for (const [name, value] of u.headers) {
      if (name === 'host') headers[':authority'] = value;
      // Websocket's own HTTP/1.1 handshake headers have no place in RFC 8441's CONNECT.
      if (HOP_BY_HOP.has(name) || name === 'te' || name === 'sec-websocket-key' || name === 'sec-websocket-version') continue;
      const prev = headers[name];
      headers[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [String(prev), value];
    }
    let h2: ClientHttp2Stream;
    try {
      h2 = this.#session.request(headers, { endStream: false });
    } catch (error) {
      logCrash(ctx.conn, error);
      ctx.reply(u.replyTo, gunStreamError(ctx.conn, u.ref, ['stream_error', 'internal_error', String((error as Error).message)]));
      return;
    }
    const stream: Stream = { ref: u.ref, replyTo: u.replyTo, h2, command: { $gun: 'ws_upgrade', upgrade: u }, cancelled: false, done: false, flow: u.opts.flow ?? Infinity, http: this, expected: Infinity, received: 0 };
    this.#streams.set(u.ref, stream);
    this.#listen(stream);
  }

  awaitsUpgrade(): boolean {
    if (this.#waiting.length > 0) return true;
    for (const s of this.#streams.values()) if (s.command.$gun === 'ws_upgrade' && s.ws === undefined && s.settled !== true) return true;
    return false;
  }

  /** An upgrade that will not become a Websocket: frames waiting for it are offered again (and refused). */
  #settle(stream: Stream): void {
    if (stream.command.$gun !== 'ws_upgrade' || stream.ws !== undefined || stream.settled === true) return;
    stream.settled = true;
    this.#ctx.changed(this);
  }

  /**
   * Frames for the Websocket `ref` names (Gun 2.x), or for the only one (Gun 1.3's form).
   * False: an upgrade they may be meant for is still under way, so they wait for it.
   */
  wsSend(frames: readonly WsSendFrame[], caller: Pid, ref: StreamRef | undefined): boolean {
    const ctx = this.#ctx;
    let target: Stream | undefined;
    if (ref !== undefined) target = this.#streams.get(ref);
    else {
      const open = [...this.#streams.values()].filter((s) => s.ws !== undefined);
      if (open.length > 1) {
        ctx.reply(caller, gunConnError(ctx.conn, ['badstate', Sentences.wsSendWhichStream]));
        return true;
      }
      target = open[0];
    }
    if (target?.ws !== undefined) {
      target.ws.send(frames, caller);
      return true;
    }
    // As on HTTP/1.1: while an upgrade is under way, frames wait for its outcome.
    if (this.awaitsUpgrade()) return false;
    ctx.reply(wsSendRefusalTo(ctx, caller), gunConnError(ctx.conn, ['badstate', Sentences.wsSendBeforeUpgrade]));
    return true;
  }

  #end(stream: Stream): void {
    if (stream.done) return;
    stream.done = true;
    if (stream.command.$gun === 'request') this.#served++;
  }

  data(ref: StreamRef, replyTo: ReplyTo, fin: boolean, data: Buffer): void {
    const stream = this.#streams.get(ref);
    if (stream === undefined) {
      this.#ctx.reply(replyTo, gunStreamError(this.#ctx.conn, ref, ['badstate', Sentences.streamNotFound]));
      return;
    }
    if (stream.h2.writableEnded) {
      this.#ctx.reply(replyTo, gunStreamError(this.#ctx.conn, ref, ['badstate', Sentences.streamClosed]));
      return;
    }
    if (fin) stream.h2.end(data);
    else stream.h2.write(data);
  }

  cancel(ref: StreamRef, replyTo: ReplyTo): void {
    const stream = this.#streams.get(ref);
    if (stream === undefined) {
      this.#ctx.reply(replyTo, gunStreamError(this.#ctx.conn, ref, ['badstate', Sentences.streamNotFound]));
      return;
    }
    // HTTP/2 can stop one stream without touching the others: RST_STREAM(CANCEL).
    stream.cancelled = true;
    this.#settle(stream);
    // A cancelled Websocket sends its owner nothing more (as a cancelled request).
    if (stream.ws !== undefined) {
      stream.ws.abandon();
      this.#streams.delete(ref);
    }
    stream.h2.close(NGHTTP2_CANCEL);
  }

  updateFlow(ref: StreamRef, n: number): void {
    const stream = this.#streams.get(ref);
    if (stream === undefined) return;
    if (stream.ws !== undefined) {
      stream.ws.updateFlow(n);
      return;
    }
    stream.flow += n;
    if (stream.flow > 0 && stream.h2.isPaused()) stream.h2.resume();
  }

  closing(): number {
    // Gun 2.x: the streams under way may finish; then the session (and socket) closes.
    this.#closing = true;
    for (const u of this.#waiting) this.#ctx.reply(u.replyTo, gunStreamError(this.#ctx.conn, u.ref, ['closing', Sentences.shuttingDown]));
    this.#waiting = [];
    // Websockets end with close 1001 (Gun 2.x); the session closes once every stream has.
    for (const stream of this.#streams.values()) stream.ws?.closing();
    this.#session.close();
    return DEFAULT_CLOSING_TIMEOUT;
  }

  destroy(): void {
    this.#gone = true;
    for (const stream of this.#streams.values()) stream.ws?.abandon();
    this.#keepalive?.cancel();
    this.#session.destroy();
  }

  #closed(): void {
    if (this.#gone) return;
    const ctx = this.#ctx;
    const killed: StreamRef[] = [];
    const unsent: Unsent[] = [];
    const unprocessed: StreamRef[] = [];
    for (const u of this.#waiting) unsent.push({ $gun: 'ws_upgrade', upgrade: u });
    this.#waiting = [];
    for (const stream of this.#streams.values()) {
      if (stream.done || stream.cancelled || stream.ws?.ended === true) continue;
      stream.ws?.abandon();
      // Never written: it runs on the next connection.
      if (stream.h2.id === undefined) {
        unsent.push(stream.command);
        continue;
      }
      // Above GOAWAY's last stream id the server did nothing with it (Gun 2.x lets the others
      // finish): reported as unprocessed, for the owner to retry on the next connection.
      if (stream.h2.id > this.#lastStreamId) {
        unprocessed.push(stream.ref);
        goawayUnprocessed(ctx, stream.replyTo, stream.ref, this.#goawayCode);
        continue;
      }
      killed.push(stream.ref);
      ctx.reply(stream.replyTo, gunStreamError(ctx.conn, stream.ref, ['closed', Sentences.connectionLost]));
    }
    const error = this.#error;
    const reason: DownReason = error !== undefined ? ['error', errorAtom(error)] : this.#closing || this.#goaway ? 'normal' : 'closed';
    this.#gone = true;
    this.#keepalive?.cancel();
    this.#streams.clear();
    ctx.down(this, reason, killed, unsent, unprocessed);
  }
}

const H2_ERRORS: Readonly<Record<number, string>> = {
  1: 'protocol_error', 2: 'internal_error', 3: 'flow_control_error', 4: 'settings_timeout', 5: 'stream_closed', 6: 'frame_size_error',
  7: 'refused_stream', 8: 'cancel', 9: 'compression_error', 10: 'connect_error', 11: 'enhance_your_calm', 12: 'inadequate_security', 13: 'http_1_1_required',
};

/** RFC 9113 §7's error code as Gun's atom. */
function h2ErrorName(code: number): string {
  return H2_ERRORS[code] ?? 'unknown_error';
}
