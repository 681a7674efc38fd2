// HTTP/1.1 (and 1.0) on the connection's one socket. Node's ClientRequest does the
// writing and llhttp the parsing (`createConnection` hands it our socket); requests run
// one at a time, in order (a p-queue once one has to wait), because a ClientRequest owns
// the socket's parser until its response ends. A Websocket upgrade is one more queued request, done by `ws`.
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import PQueue from 'p-queue';
import { inActor, type ConnectionContext, type OutgoingRequest, type ProtocolHandler, type Unsent, type WsUpgradeRequest } from '../protocol.js';
import { getClock, startTimer, type Timer } from '../../runtime/clock.js';
import { logCrash } from '../../runtime/log.js';
import {
  errorAtom, gunData, gunInform, gunResponse, gunStreamError, gunTrailers, gunUpgrade, Sentences,
  type DownReason, type Headers, type ReplyTo, type StreamRef,
} from '../messages.js';
import { fromRawHeaders, hostHeader } from '../headers.js';
import { DEFAULT_CLOSING_TIMEOUT } from '../options.js';
import { HeldChunk } from './body.js';
import { WsHandler, type Handshake } from './ws.js';

interface Stream {
  readonly ref: StreamRef;
  readonly replyTo: ReplyTo;
  readonly method: string;
  /** Body chunks given to gun.data before the request reached the socket. */
  pending: Buffer[];
  /** gun.data(…, 'fin') was called (or the body was whole from the start). */
  fin: boolean;
  bodyFollows: boolean;
  req: ClientRequest | undefined;
  cancelled: boolean;
  /** A gun_error was already sent for it (don't send "connection lost" too). */
  reported: boolean;
  /** The request says this socket closes after it (connection: close, or HTTP/1.0 mode). */
  readonly asksClose: boolean;
  /** The command that made it: run again on the next connection if it never reached the wire. */
  readonly command: Unsent;
  /** Its place in this socket's queue. */
  readonly seq: number;
  /** Body bytes the request's content-length still allows (Infinity without one). */
  bodyLeft: number;
  /** The response's chunk held until the end of the read (sent before a loss is reported). */
  held: HeldChunk | undefined;
  finish: (() => void) | undefined;
  /** `gun_data` messages left before the response is no longer read (flow control). */
  flow: number;
  /** The response being read, to pause and resume for flow control. */
  res: IncomingMessage | undefined;
}

const EMPTY = Buffer.alloc(0);

/** A new stream for a request or an upgrade, at place `seq` in its socket's queue. */
function newStream(command: Unsent, seq: number, asksClose: boolean): Stream {
  const r = command.$gun === 'request' ? command.req : undefined;
  const { ref, replyTo } = command.$gun === 'request' ? command.req : command.upgrade;
  return {
    ref, replyTo, method: r?.method ?? 'GET', pending: r?.body ? [r.body] : [], fin: !r?.bodyFollows, bodyFollows: r?.bodyFollows ?? false,
    req: undefined, cancelled: false, reported: false, asksClose, command, seq, bodyLeft: r ? declaredLength(r) : 0, held: undefined, finish: undefined,
    flow: r?.flow ?? Infinity, res: undefined,
  };
}

/** A stream's command to send again, with the body chunks gun.data gave it meanwhile. */
function withPendingBody(stream: Stream): Unsent {
  const command = stream.command;
  if (command.$gun !== 'request' || !command.req.bodyFollows) return command;
  const body = stream.pending.length > 0 ? Buffer.concat(stream.pending) : undefined;
  return { $gun: 'request', req: { ...command.req, body, bodyFollows: !stream.fin } };
}

/** What the request's content-length leaves for gun.data, after the body given with it. */
function declaredLength(r: OutgoingRequest): number {
  const header = r.headers.find(([name]) => name === 'content-length');
  const length = header === undefined ? Infinity : Number(header[1]);
  return Number.isFinite(length) ? Math.max(0, length - (r.body?.length ?? 0)) : Infinity;
}

// A 1.0 request line: ClientRequest always writes "HTTP/1.1", so httpOpts.version
// 'HTTP/1.0' swaps the line as the head is stored (_storeHeader is the one place it is built).
class Http10Request extends http.ClientRequest {}
const storeHeader = (http.ClientRequest.prototype as unknown as { _storeHeader: (line: string, headers: unknown) => void })._storeHeader;
(Http10Request.prototype as unknown as { _storeHeader: (line: string, headers: unknown) => void })._storeHeader = function (line, headers) {
  storeHeader.call(this, line.replace(/ HTTP\/1\.1\r\n$/, ' HTTP/1.0\r\n'), headers);
};

/** The upgrade under way (one at a time: it owns the socket until its 101 or its refusal). */
interface Upgrading {
  readonly stream: Stream;
  readonly upgrade: WsUpgradeRequest;
  readonly ws: WsHandler;
}

export class HttpHandler implements ProtocolHandler, Handshake {
  readonly name = 'http' as const;
  readonly #ctx: ConnectionContext;
  readonly #socket: Socket;
  // Made when a second task comes while one runs: a connection that only upgrades never needs it.
  #pqueue: PQueue | undefined;
  /** The task that runs outside the queue (the first one, while there is no queue). */
  #direct: Promise<void> | undefined;
  #upgrading: Upgrading | undefined;
  readonly #streams = new Map<StreamRef, Stream>();
  readonly #http10: boolean;
  #socketError: unknown;
  /** The close that comes is one we or the server announced (connection: close, failed handshake): 'normal'. */
  #expectClose = false;
  /**
   * The place of the last stream this socket may carry: a request asked for the close, or a
   * response announced it. Streams after it wait for the next connection.
   */
  #lastSeq = Infinity;
  #seq = 0;
  #served = 0;
  #closing = false;
  #gone = false;
  #keepalive: Timer | undefined;
  /** The stream whose request or response is on the wire (requests run one at a time). */
  #current: Stream | undefined = undefined;
  /** The place of the last stream that reached the wire. */
  #startedSeq = 0;
  /** Streams whose body ended with the socket (no length, no chunks): Gun lists them as killed. */
  readonly #endedByClose: StreamRef[] = [];
  readonly #onClose: () => void;
  readonly #onData: () => void;
  readonly #onError: (error: unknown) => void;

  constructor(ctx: ConnectionContext, socket: Socket) {
    this.#ctx = ctx;
    this.#socket = socket;
    this.#http10 = ctx.opts.httpOpts.version === 'HTTP/1.0';
    this.#onClose = inActor(ctx, () => this.#socketClosed());
    // Bytes the server sends while no request is on the wire answer nothing: the stream is out
    // of sync, and the connection closes as Gun's does ('normal').
    this.#onData = inActor(ctx, () => {
      if (this.#current !== undefined || this.#upgrading !== undefined || this.#gone) return;
      this.#expectClose = true;
      this.#lastSeq = Math.min(this.#lastSeq, this.#startedSeq);
      this.#socket.destroy();
    });
    this.#onError = inActor(ctx, (error: unknown) => {
      this.#socketError ??= error;
    });
    socket.on('close', this.#onClose);
    socket.on('error', this.#onError);
    socket.on('data', this.#onData);
    this.#armKeepalive();
  }

  /**
   * Runs tasks one at a time, in order, each inside the connection actor. The first runs at
   * once; a queue is made only when one has to wait.
   */
  #enqueue(start: () => Promise<void>): void {
    // A task that throws is a bug here: logged against the connection, never an unhandled rejection.
    const ctx = this.#ctx;
    const task = (): Promise<void> => new Promise<void>((resolve) => {
      ctx.run(() => {
        start().catch((error: unknown) => logCrash(ctx.conn, error)).then(resolve, resolve);
      });
    });
    if (this.#pqueue === undefined) {
      if (this.#direct === undefined) {
        const done = task();
        this.#direct = done;
        void done.then(() => {
          if (this.#direct === done) this.#direct = undefined;
        });
        return;
      }
      const running = this.#direct;
      this.#pqueue = new PQueue({ concurrency: 1 });
      void this.#pqueue.add(() => running);
    }
    void this.#pqueue.add(task);
  }

  /** Resolves when no task runs or waits. */
  #idle(): Promise<void> {
    if (this.#pqueue !== undefined) return this.#pqueue.onIdle();
    return this.#direct ?? Promise.resolve();
  }

  /** Requests whose response ended on this socket. */
  get served(): number {
    return this.#served;
  }

  accepts(command: 'request' | 'data' | 'cancel' | 'ws_upgrade', ref: StreamRef): boolean {
    if (this.#lastSeq === Infinity) return true;
    return (command === 'data' || command === 'cancel') && this.#streams.has(ref);
  }

  request(r: OutgoingRequest): void {
    if (this.#closing) {
      this.#ctx.reply(r.replyTo, gunStreamError(this.#ctx.conn, r.ref, ['closing', Sentences.shuttingDown]));
      return;
    }
    const asksClose = this.#http10 || r.headers.some(([name, value]) => name === 'connection' && /\bclose\b/i.test(value));
    const stream = newStream({ $gun: 'request', req: r }, ++this.#seq, asksClose);
    this.#streams.set(r.ref, stream);
    if (asksClose) this.#lastOnSocket(stream);
    this.#enqueue(() => this.#run(stream, r));
  }

  data(ref: StreamRef, replyTo: ReplyTo, fin: boolean, data: Buffer): void {
    const stream = this.#streams.get(ref);
    if (stream === undefined) {
      this.#ctx.reply(replyTo, gunStreamError(this.#ctx.conn, ref, ['badstate', Sentences.streamNotFound]));
      return;
    }
    // A request whose body was whole from the start (a GET) is as closed as one that got 'fin'.
    if (!stream.bodyFollows || stream.fin) {
      this.#ctx.reply(replyTo, gunStreamError(this.#ctx.conn, ref, ['badstate', Sentences.streamClosed]));
      return;
    }
    // Bytes past the declared content-length would be read by the server as the start of
    // another request (request smuggling): refused, nothing written.
    if (data.length > stream.bodyLeft) {
      this.#ctx.reply(replyTo, gunStreamError(this.#ctx.conn, ref, ['badstate', Sentences.bodyTooLong]));
      return;
    }
    // A body that ends short of its content-length would leave the server waiting for the rest,
    // and read the next request as that rest: refused, nothing written; the stream still waits.
    if (fin && stream.bodyLeft !== Infinity && data.length < stream.bodyLeft) {
      this.#ctx.reply(replyTo, gunStreamError(this.#ctx.conn, ref, ['badstate', Sentences.bodyTooShort]));
      return;
    }
    stream.bodyLeft -= data.length;
    stream.fin = fin;
    if (stream.req === undefined) {
      if (data.length > 0) stream.pending.push(data);
      return;
    }
    if (data.length > 0) stream.req.write(data);
    if (fin) stream.req.end();
  }

  cancel(ref: StreamRef, replyTo: ReplyTo): void {
    // As Gun does on HTTP/1.1: stop forwarding; the response is still read to keep the socket in sync.
    const stream = this.#streams.get(ref);
    if (stream) stream.cancelled = true;
    else this.#ctx.reply(replyTo, gunStreamError(this.#ctx.conn, ref, ['badstate', Sentences.streamNotFound]));
  }

  wsUpgrade(u: WsUpgradeRequest): void {
    const conn = this.#ctx.conn;
    if (this.#http10) {
      this.#ctx.reply(u.replyTo, gunStreamError(conn, u.ref, ['badstate', Sentences.wsOnlyHttp11]));
      return;
    }
    if (this.#bodyUnderWay()) {
      this.#ctx.reply(u.replyTo, gunStreamError(conn, u.ref, ['badstate', Sentences.wsDuringBody]));
      return;
    }
    const stream = newStream({ $gun: 'ws_upgrade', upgrade: u }, ++this.#seq, false);
    this.#streams.set(u.ref, stream);
    this.#enqueue(() => this.#runUpgrade(stream, u));
  }

  updateFlow(ref: StreamRef, n: number): void {
    const stream = this.#streams.get(ref);
    if (stream === undefined) return;
    stream.flow += n;
    if (stream.flow <= 0) return;
    stream.held?.flush();
    if (stream.flow > 0 && stream.res?.isPaused() === true) stream.res.resume();
  }

  #bodyUnderWay(): boolean {
    for (const stream of this.#streams.values()) if (!stream.fin) return true;
    return false;
  }

  closing(): number {
    // Gun 2.x: the active stream may finish; queued ones are refused; then the socket closes.
    this.#closing = true;
    const conn = this.#ctx.conn;
    let active = false;
    for (const stream of this.#streams.values()) {
      if (stream.req !== undefined) {
        active = true;
        continue;
      }
      stream.reported = true;
      this.#ctx.reply(stream.replyTo, gunStreamError(conn, stream.ref, ['closing', Sentences.shuttingDown]));
      this.#end(stream);
    }
    this.#pqueue?.clear();
    if (!active) this.#socket.end();
    else void this.#idle().then(inActor(this.#ctx, () => this.#socket.end()));
    this.#expectClose = true;
    return DEFAULT_CLOSING_TIMEOUT;
  }

  destroy(): void {
    this.#gone = true;
    this.#disarmKeepalive();
    this.#pqueue?.clear();
    this.#upgrading = undefined;
    this.#socket.removeListener('close', this.#onClose);
    this.#socket.removeListener('error', this.#onError);
    this.#socket.removeListener('data', this.#onData);
    for (const stream of this.#streams.values()) stream.finish?.();
    this.#streams.clear();
  }

  #run(stream: Stream, r: OutgoingRequest): Promise<void> {
    if (this.#gone || !this.#streams.has(stream.ref) || stream.seq > this.#lastSeq) return Promise.resolve();
    return new Promise((resolve) => {
      stream.finish = resolve;
      this.#onWire(stream);
      try {
        this.#write(stream, r);
      } catch (error) {
        this.#failed(stream, error);
      }
    });
  }

  /** The stream's request goes on the wire now. */
  #onWire(stream: Stream): void {
    this.#current = stream;
    this.#startedSeq = stream.seq;
  }

  /**
   * Something failed inside the connection while a stream was sent (a bug, not the
   * server): the stream gets a gun_error, never silence, and the socket closes, since
   * what reached the server of that request is unknown.
   */
  #failed(stream: Stream, error: unknown): void {
    logCrash(this.#ctx.conn, error);
    if (!stream.reported && !stream.cancelled) {
      this.#ctx.reply(stream.replyTo, gunStreamError(this.#ctx.conn, stream.ref, ['stream_error', 'internal_error', String((error as Error)?.message ?? error)]));
    }
    stream.reported = true;
    this.#socketError ??= Object.assign(new Error('internal error'), { code: 'INTERNAL_ERROR' });
    this.#socket.destroy();
  }

  /**
   * A Node callback for `stream`, run inside the connection actor; whatever it throws is
   * reported as the stream's failure, never raised into Node.
   */
  #listener<A extends [unknown?]>(stream: Stream, fn: (...args: A) => void): (...args: A) => void {
    return inActor(this.#ctx, (...args: A) => {
      try {
        fn(...args);
      } catch (error) {
        this.#failed(stream, error);
      }
    });
  }

  #write(stream: Stream, r: OutgoingRequest): void {
    const ctx = this.#ctx;
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of r.headers) {
      const prev = headers[name];
      headers[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    headers.host ??= hostHeader(ctx.host, ctx.port, ctx.opts.transport);
    if (!this.#http10) headers.connection ??= 'keep-alive';
    // A whole body has a length; a body that is still to come (or carried half sent) goes chunked.
    if (r.body !== undefined && !r.bodyFollows && headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
      headers['content-length'] = String(r.body.length);
    }
    const socket = this.#socket;
    const options = { createConnection: () => socket, method: r.method, path: r.path, headers, setHost: false };
    const req = this.#http10 ? new Http10Request(options) : http.request(options);
    // One more than the limit, so that a response past it is seen as such, never cut silently.
    req.maxHeadersCount = ctx.opts.httpOpts.maxHeaders + 1;
    if (this.#http10 && stream.bodyFollows && headers['content-length'] === undefined) req.useChunkedEncodingByDefault = false;
    // Node renders an `expect` request's head in its constructor, and only then marks a request
    // without an agent as the socket's last: put back the keep-alive its head asks for.
    if (!stream.asksClose && req.getHeader('expect') !== undefined) req.shouldKeepAlive = true;
    stream.req = req;
    req.on('information', this.#listener(stream, (info: http.InformationEvent) => {
      if (this.#tooManyHeaders(stream, info.rawHeaders)) return;
      if (!stream.cancelled) ctx.reply(stream.replyTo, gunInform(ctx.conn, stream.ref, info.statusCode, fromRawHeaders(info.rawHeaders)));
    }));
    req.on('response', this.#listener(stream, (res: IncomingMessage) => this.#response(stream, res)));
    req.on('error', this.#listener(stream, (error: Error) => this.#requestError(stream, error)));
    for (const chunk of stream.pending) req.write(chunk);
    stream.pending = [];
    if (stream.fin) req.end();
    else req.flushHeaders();
  }

  /**
   * A response (or 1xx, or trailers) with more headers than httpOpts.maxHeaders: the stream
   * gets a gun_error and nothing more; its response is still read, to keep the socket in sync.
   */
  #tooManyHeaders(stream: Stream, raw: readonly string[]): boolean {
    const limit = this.#ctx.opts.httpOpts.maxHeaders;
    if (raw.length / 2 <= limit) return false;
    if (!stream.cancelled && !stream.reported) {
      this.#ctx.reply(stream.replyTo, gunStreamError(this.#ctx.conn, stream.ref, ['stream_error', 'too_many_headers', `The response has more than ${limit} headers (httpOpts.maxHeaders).`]));
    }
    stream.reported = true;
    stream.cancelled = true;
    return true;
  }

  #response(stream: Stream, res: IncomingMessage): void {
    const ctx = this.#ctx;
    const status = res.statusCode ?? 0;
    stream.res = res;
    this.#tooManyHeaders(stream, res.rawHeaders);
    const headers = fromRawHeaders(res.rawHeaders);
    res.on('error', () => {
      // A truncated body: the socket's close reports it (gun_error + gun_down).
    });
    // An announced close: nothing more goes on this socket; it is 'normal' once this response is whole.
    const announced = /\bclose\b/i.test(res.headers.connection ?? '') || (res.httpVersion === '1.0' && !/keep-alive/i.test(res.headers.connection ?? ''));
    if (announced) this.#lastOnSocket(stream);
    const fin = isBodyless(stream.method, status, res.headers['content-length']);
    // llhttp decides keep-alive before it learns that a HEAD (or 204/304) response has no body,
    // so Node would close the socket after one without content-length; Gun keeps it.
    if (fin && !announced && !stream.asksClose && stream.req !== undefined) stream.req.shouldKeepAlive = true;
    // A body with neither a length nor chunks ends with the connection (RFC 9112 §6.3).
    const closeDelimited = !fin && res.headers['content-length'] === undefined && !/\bchunked\b/i.test(res.headers['transfer-encoding'] ?? '');
    if (!stream.cancelled) ctx.reply(stream.replyTo, gunResponse(ctx.conn, stream.ref, fin ? 'fin' : 'nofin', status, headers));
    // Chunks go out as they come. The last one carries 'fin' when that is known in time: at
    // once when content-length is reached; otherwise when the end came in the same read
    // (HeldChunk). An end that comes later is an empty 'fin' chunk, as Gun sends for a
    // chunked body whose last chunk came on its own.
    const length = Number(res.headers['content-length']);
    let received = 0;
    let finSent = false;
    const held = new HeldChunk(ctx, (chunk) => {
      // Nothing after the stream's last word (a parse error) or from a connection that is gone.
      if (stream.cancelled || stream.reported || this.#gone) return;
      ctx.reply(stream.replyTo, gunData(ctx.conn, stream.ref, 'nofin', chunk));
      // Flow control: the socket stops being read once Node's buffer for the response is full.
      if (--stream.flow === 0) res.pause();
    }, () => stream.flow > 0);
    stream.held = held;
    res.on('data', this.#listener(stream, (chunk: Buffer) => {
      received += chunk.length;
      if (received >= length) {
        held.flush();
        finSent = true;
        if (!stream.cancelled) ctx.reply(stream.replyTo, gunData(ctx.conn, stream.ref, 'fin', chunk));
        return;
      }
      held.hold(chunk);
    }));
    res.on('end', this.#listener(stream, () => {
      // The close we asked for or were told of comes next: 'normal', as Gun reports it. A body
      // the close itself ended is reported as Gun does: the stream killed by a 'closed' socket.
      if (closeDelimited) this.#endedByClose.push(stream.ref);
      else if (stream.asksClose || announced) this.#expectClose = true;
      if (stream.command.$gun === 'request') this.#served++;
      // The server answered before the request body was finished (417 to an expect, an early
      // error): where the next request would start on the wire is unknown, so the socket ends here.
      if (!stream.fin) {
        this.#expectClose = true;
        this.#lastOnSocket(stream);
        this.#socket.end();
      }
      if (!fin && !finSent && !stream.cancelled && !this.#tooManyHeaders(stream, res.rawTrailers)) {
        if (res.rawTrailers.length > 0) {
          held.flush();
          ctx.reply(stream.replyTo, gunTrailers(ctx.conn, stream.ref, fromRawHeaders(res.rawTrailers)));
        } else {
          ctx.reply(stream.replyTo, gunData(ctx.conn, stream.ref, 'fin', held.take() ?? EMPTY));
        }
      }
      this.#end(stream);
    }));
  }

  #requestError(stream: Stream, error: unknown): void {
    const code = errorAtom(error);
    if (code.startsWith('hpe_')) {
      // The server sent something llhttp cannot parse; Node destroys the socket next.
      this.#socketError ??= error;
      stream.reported = true;
      this.#ctx.reply(stream.replyTo, gunStreamError(this.#ctx.conn, stream.ref, ['connection_error', 'protocol_error', (error as Error).message]));
    }
    // Anything else (hang up, reset) is the socket closing: #socketClosed reports it once.
  }

  #runUpgrade(stream: Stream, u: WsUpgradeRequest): Promise<void> {
    if (this.#gone || !this.#streams.has(stream.ref) || stream.seq > this.#lastSeq) return Promise.resolve();
    const ctx = this.#ctx;
    return new Promise((resolve) => {
      stream.finish = resolve;
      this.#onWire(stream);
      const scheme = ctx.opts.transport === 'tls' ? 'wss' : 'ws';
      const host = ctx.host.includes(':') ? `[${ctx.host}]` : ctx.host;
      const headers: Record<string, string> = {};
      for (const [name, value] of u.headers) headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
      try {
        const ws = new WsHandler(`${scheme}://${host}:${ctx.port}`, hostHeader(ctx.host, ctx.port, ctx.opts.transport), ctx, this.#socket, u, headers, this);
        this.#upgrading = { stream, upgrade: u, ws };
      } catch (error) {
        this.#failed(stream, error);
      }
    });
  }

  // Handshake: what the upgrade's WsHandler tells while it is not open.

  /** The upgrade under way, now settled one way or another (the first of upgraded/refused/failed wins). */
  #settleUpgrade(ws?: WsHandler): Upgrading | undefined {
    const upgrading = this.#upgrading;
    if (upgrading === undefined || (ws !== undefined && upgrading.ws !== ws)) return undefined;
    this.#upgrading = undefined;
    // Frames waiting for an upgrade learn its outcome (a refusal answers them badstate).
    if (ws === undefined) this.#ctx.changed(this);
    return upgrading;
  }

  awaitsUpgrade(): boolean {
    if (this.#upgrading !== undefined) return true;
    // A queued upgrade that has not run yet; a refused one carries its response (req) from then on.
    for (const stream of this.#streams.values()) if (stream.command.$gun === 'ws_upgrade' && stream.req === undefined && !stream.reported) return true;
    return false;
  }

  upgraded(ws: WsHandler, headers: Headers): void {
    const upgrading = this.#settleUpgrade(ws);
    if (upgrading === undefined) return;
    const { stream, upgrade } = upgrading;
    this.#streams.delete(stream.ref);
    this.#ctx.reply(upgrade.replyTo, gunUpgrade(this.#ctx.conn, upgrade.ref, headers));
    // Everything queued behind the upgrade can no longer be sent: the socket speaks Websocket.
    this.#pqueue?.clear();
    for (const other of this.#streams.values()) {
      this.#ctx.reply(other.replyTo, gunStreamError(this.#ctx.conn, other.ref, ['badstate', Sentences.wsOnly]));
    }
    const finish = stream.finish;
    this.destroy();
    this.#ctx.switchProtocol(this, ws);
    finish?.();
  }

  refused(req: ClientRequest, res: IncomingMessage): void {
    // Refused: an ordinary response on the same ref; the connection stays HTTP.
    const upgrading = this.#settleUpgrade();
    if (upgrading === undefined) return;
    const { stream } = upgrading;
    stream.req = req;
    req.on('error', this.#listener(stream, (error: Error) => this.#requestError(stream, error)));
    this.#response(stream, res);
  }

  failed(error: Error): void {
    // The handshake failed (bad accept key, unoffered subprotocol, unrequested extension…):
    // reported on the stream, then the connection goes down with 'normal', as Gun 2.x does.
    const upgrading = this.#settleUpgrade();
    if (upgrading === undefined) return;
    this.#expectClose = true;
    upgrading.stream.reported = true;
    this.#ctx.reply(upgrading.upgrade.replyTo, gunStreamError(this.#ctx.conn, upgrading.upgrade.ref, ['closed', ['ws_handshake', error.message]]));
  }

  /** No stream after `stream` goes on this socket: they wait for the next connection. */
  #lastOnSocket(stream: Stream): void {
    this.#lastSeq = Math.min(this.#lastSeq, stream.seq);
  }

  #end(stream: Stream): void {
    if (this.#current === stream) this.#current = undefined;
    this.#streams.delete(stream.ref);
    stream.finish?.();
  }

  #socketClosed(): void {
    if (this.#gone) return;
    const conn = this.#ctx.conn;
    const killed: StreamRef[] = [...this.#endedByClose];
    const unsent: Unsent[] = [];
    for (const stream of this.#streams.values()) stream.held?.flush();
    for (const stream of this.#streams.values()) {
      // A close that was announced (connection: close) leaves what still waits in the queue
      // unsent and safe to send again: it runs on the next connection instead of failing.
      if (stream.seq > this.#lastSeq && stream.finish === undefined) {
        if (!stream.cancelled) unsent.push(withPendingBody(stream));
        continue;
      }
      // A cancelled stream says nothing more, its loss included (Gun skips streams it no longer forwards).
      if (stream.cancelled) continue;
      killed.push(stream.ref);
      if (!stream.reported) this.#ctx.reply(stream.replyTo, gunStreamError(conn, stream.ref, ['closed', Sentences.connectionLost]));
    }
    const error = this.#socketError;
    const reason: DownReason = error !== undefined && !this.#expectClose ? ['error', errorAtom(error)]
      : error !== undefined && errorAtom(error).startsWith('hpe_') ? ['error', errorAtom(error)]
      : this.#expectClose ? 'normal' : 'closed';
    this.destroy();
    this.#ctx.down(this, reason, killed, unsent);
  }

  #armKeepalive(): void {
    const every = this.#ctx.opts.httpOpts.keepalive;
    if (every === Infinity) return;
    const clock = getClock();
    const tick = inActor(this.#ctx, (): void => {
      // Gun 1.3's HTTP "ping": a bare CRLF while no request is on the wire (RFC 9112 §2.2 allows it).
      if (this.#streams.size === 0 && !this.#socket.destroyed) this.#socket.write('\r\n');
      this.#keepalive = startTimer(every, tick, clock);
    });
    this.#keepalive = startTimer(every, tick, clock);
  }

  #disarmKeepalive(): void {
    this.#keepalive?.cancel();
    this.#keepalive = undefined;
  }
}

/** A response has no body for HEAD, 1xx, 204, 304 and a zero content-length (RFC 9112 §6.3). */
function isBodyless(method: string, status: number, contentLength: string | undefined): boolean {
  return method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200) || contentLength === '0';
}

