// Websocket over one HTTP/2 stream (RFC 8441). `ws`'s own Receiver and Sender do the framing
// (client side: outgoing frames masked, incoming expected unmasked); this module applies
// Gun's message and close rules to one stream. Ending it ends only this stream: the HTTP/2
// connection and its other streams stay up.
import http2, { type ClientHttp2Stream } from 'node:http2';
import { startTimer, type Timer } from '../../runtime/clock.js';
import type { Pid } from '../../runtime/pid.js';
import { logCrash } from '../../runtime/log.js';
import {
  gunConnError, gunStreamError, gunWs, Sentences,
  type StreamRef, type WsFrame, type WsSendFrame,
} from '../messages.js';
import { DEFAULT_CLOSING_TIMEOUT, type WsOptions } from '../options.js';
import { websocketClosed } from '../diagnostics.js';
import { inActor, type ConnectionContext } from '../protocol.js';
import { closeCodeOf, DEFAULT_MAX_PAYLOAD } from './ws.js';
import { Receiver, Sender } from './ws-framing.js';

const { NGHTTP2_CANCEL } = http2.constants;
const EMPTY = Buffer.alloc(0);

/** The sentence for a Websocket stream the server ended without a close frame. */
const ENDED = 'The Websocket stream ended without a close frame.';
const NO_CLOSE_REPLY = 'The server did not answer the close frame within closingTimeout.';

export class WsH2Stream {
  readonly #ctx: ConnectionContext;
  readonly #ref: StreamRef;
  readonly #replyTo: Pid;
  readonly #opts: WsOptions;
  readonly #h2: ClientHttp2Stream;
  readonly #sender: InstanceType<typeof Sender>;
  readonly #onEnd: () => void;
  readonly #receiver: InstanceType<typeof Receiver>;
  /** The stream's session, kept: Node drops it from a stream once the stream is destroyed. */
  readonly #session: ClientHttp2Stream['session'];
  #flow: number;
  #closeSent = false;
  #closeReceived = false;
  /** The close frame that ended the Websocket (1006: none came), for diagnostics. */
  #closeCode = 1006;
  #closeReason = '';
  #ended = false;
  #closingTimer: Timer | undefined = undefined;
  #keepalive: Timer | undefined = undefined;

  constructor(ctx: ConnectionContext, h2: ClientHttp2Stream, ref: StreamRef, replyTo: Pid, opts: WsOptions, onEnd: () => void) {
    this.#ctx = ctx;
    this.#h2 = h2;
    this.#ref = ref;
    this.#replyTo = replyTo;
    this.#opts = opts;
    this.#onEnd = onEnd;
    this.#flow = opts.flow ?? Infinity;
    this.#sender = new Sender(h2, {});
    const receiver = new Receiver({ isServer: false, maxPayload: opts.maxPayload ?? DEFAULT_MAX_PAYLOAD, binaryType: 'nodebuffer' });
    // Inside the actor (the stream's data is handled there) these run inline; a frame that
    // ends a compressed read later still comes back through the actor.
    receiver.on('message', inActor(ctx, (data: Buffer, isBinary: boolean) => this.#deliver(isBinary ? ['binary', data] : ['text', data.toString()])));
    receiver.on('ping', inActor(ctx, (data: Buffer) => {
      if (!this.#closeSent) this.#sender.pong(data, true);
      if (this.#opts.silencePings === false) this.#deliver(data.length === 0 ? 'ping' : ['ping', data]);
    }));
    receiver.on('pong', inActor(ctx, (data: Buffer) => {
      if (this.#opts.silencePings === false) this.#deliver(data.length === 0 ? 'pong' : ['pong', data]);
    }));
    receiver.on('conclude', inActor(ctx, (code: number, reason: Buffer) => this.#concluded(code, reason)));
    receiver.on('error', inActor(ctx, (error: Error) => this.#failed(error)));
    this.#receiver = receiver;
    this.#session = h2.session;
    if (this.#flow <= 0) h2.pause();
    this.#armKeepalive();
  }

  get ended(): boolean {
    return this.#ended;
  }

  // The stream's events, handed over by the HTTP/2 module (inside the actor, in order).

  streamData(chunk: Buffer): void {
    if (!this.#ended) this.#receiver.write(chunk);
  }

  /**
   * The server's END_STREAM after its close frame ends the handshake. Before it, the stream is
   * lost: our side ends too, and 'close' tells a plain end from a reset (Node sets the reset's code only by then).
   */
  streamEnd(): void {
    if (this.#closeReceived) this.#finish(undefined);
    else if (!this.#h2.writableEnded) this.#h2.end();
  }

  /** A stream cut by the session's end is reported with the connection's loss (killed in gun_down). */
  streamClosed(): void {
    const session = this.#session;
    const h2 = this.#h2;
    if (this.#closeReceived) this.#finish(undefined);
    else if (!(session === undefined || session.destroyed || session.closed)) this.#finish((h2.rstCode ?? 0) === 0 ? ENDED : `${ENDED} (code ${h2.rstCode})`);
  }

  #deliver(frame: WsFrame): void {
    if (this.#ended) return;
    this.#ctx.reply(this.#replyTo, gunWs(this.#ctx.conn, this.#ref, frame));
    // Pausing the stream stops node:http2 from sending WINDOW_UPDATE for it: the server stops too.
    if (--this.#flow === 0) this.#h2.pause();
  }

  updateFlow(n: number): void {
    this.#flow += n;
    if (this.#flow > 0 && this.#h2.isPaused()) this.#h2.resume();
  }

  /** Sends `frames` in order; a list stops at its close frame (Gun 2.x). */
  send(frames: readonly WsSendFrame[], caller: Pid): void {
    for (const frame of frames) {
      const isClose = frame === 'close' || frame[0] === 'close';
      if (this.#closeSent || this.#ended) {
        if (!isClose) this.#ctx.reply(caller, gunConnError(this.#ctx.conn, ['badstate', Sentences.wsClosing]));
        return;
      }
      this.#sendOne(frame);
      if (isClose) return;
    }
  }

  #sendOne(frame: WsSendFrame): void {
    if (typeof frame === 'string') {
      if (frame === 'close') this.close(undefined, '');
      else if (frame === 'ping') this.#sender.ping(EMPTY, true);
      else this.#sender.pong(EMPTY, true);
      return;
    }
    switch (frame[0]) {
      case 'text':
        this.#sender.send(frame[1], { binary: false, fin: true, mask: true, compress: false });
        return;
      case 'binary':
        this.#sender.send(frame[1], { binary: true, fin: true, mask: true, compress: false });
        return;
      case 'close':
        this.close(frame[1], frame[2]);
        return;
      case 'ping':
        this.#sender.ping(frame[1], true);
        return;
      case 'pong':
        this.#sender.pong(frame[1], true);
        return;
    }
  }

  /** Our close frame, then our END_STREAM; the server's close and END_STREAM are awaited up to closingTimeout. */
  close(code: number | undefined, reason: string): void {
    if (this.#closeSent || this.#ended) return;
    this.#closeSent = true;
    this.#disarmKeepalive();
    this.#sender.close(code, reason, true);
    if (this.#closeReceived) {
      this.#h2.end();
      return;
    }
    const timeout = this.#opts.closingTimeout ?? DEFAULT_CLOSING_TIMEOUT;
    if (timeout !== Infinity) this.#closingTimer = startTimer(timeout, inActor(this.#ctx, () => this.#reset(NO_CLOSE_REPLY)));
  }

  #concluded(code: number, reason: Buffer): void {
    this.#closeReceived = true;
    this.#closeCode = code;
    this.#closeReason = reason.toString();
    // Also the reply to our own close, as on HTTP/1.1.
    this.#deliver(code === 1005 ? 'close' : ['close', code, reason.toString()]);
    // The server closed first: answered with its code, as RFC 6455 §5.5.1 asks (Gun 2.4.1 sends nothing here).
    if (!this.#closeSent) this.close(code === 1005 ? undefined : code, '');
    else this.#h2.end();
  }

  /** A frame ws refused (bad UTF-8, too large…): ws's close code goes out, the owner gets ws_error. */
  #failed(error: Error): void {
    if (this.#ended) return;
    const code = closeCodeOf(error);
    this.#ctx.reply(this.#replyTo, gunStreamError(this.#ctx.conn, this.#ref, ['ws_error', code, error.message]));
    if (!this.#closeSent) {
      this.#closeSent = true;
      this.#sender.close(code, '', true);
    }
    // Nothing more is read from a stream whose framing broke: the server's close is not awaited.
    this.#h2.end();
    this.#reset(undefined);
  }

  #reset(error: string | undefined): void {
    if (!this.#h2.destroyed) this.#h2.close(NGHTTP2_CANCEL);
    this.#finish(error);
  }

  /** The stream is over: an error only when it ended without a close handshake. Nothing else is sent (no gun_down). */
  #finish(error: string | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#disarmKeepalive();
    this.#closingTimer?.cancel();
    const ctx = this.#ctx;
    try {
      if (error !== undefined) ctx.reply(this.#replyTo, gunStreamError(ctx.conn, this.#ref, ['closed', error]));
      if (!this.#h2.destroyed && !this.#h2.writableEnded) this.#h2.close(NGHTTP2_CANCEL);
      websocketClosed(ctx, this.#ref, this.#closeCode, this.#closeReason, error === undefined ? 'normal' : 'closed');
    } catch (e) {
      logCrash(ctx.conn, e);
    }
    this.#onEnd();
  }

  /** The session is gone: the connection reports this stream; only the timers stop here. */
  abandon(): void {
    this.#ended = true;
    this.#disarmKeepalive();
    this.#closingTimer?.cancel();
  }

  /** The connection goes away (shutdown, owner down): close 1001, as Gun 2.x. */
  closing(): void {
    this.close(1001, '');
  }

  #armKeepalive(): void {
    const every = this.#opts.keepalive ?? Infinity;
    if (every === Infinity) return;
    const tick = inActor(this.#ctx, (): void => {
      if (this.#ended || this.#closeSent) return;
      this.#sender.ping(EMPTY, true);
      this.#keepalive = startTimer(every, tick);
    });
    this.#keepalive = startTimer(every, tick);
  }

  #disarmKeepalive(): void {
    this.#keepalive?.cancel();
    this.#keepalive = undefined;
  }
}
