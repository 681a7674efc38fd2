// A response body on its way to the reply-to, for the HTTP/1.1 and HTTP/2 modules alike.
// Gun marks a chunk 'fin' when the end came in the same read. A chunk is held for one turn of
// the event loop: an end that came in the same read (node:http2 raises it from a later
// callback of that read, after a microtask checkpoint) makes it the last chunk; otherwise it goes out 'nofin'.
import { nextTurn } from '../../runtime/microtask.js';
import { inActor, type ConnectionContext } from '../protocol.js';

export class HeldChunk {
  /** Sends a chunk 'nofin' (the caller checks the stream may still speak, and counts it for flow control). */
  readonly #sendNofin: (chunk: Buffer) => void;
  /** False once flow control stopped the stream: a held chunk then waits for `flush` (gun.updateFlow) or the end. */
  readonly #flowing: () => boolean;
  readonly #flushNextTurn: () => void;
  #held: Buffer | undefined = undefined;
  #scheduled = false;

  constructor(ctx: ConnectionContext, sendNofin: (chunk: Buffer) => void, flowing: () => boolean) {
    this.#sendNofin = sendNofin;
    this.#flowing = flowing;
    this.#flushNextTurn = inActor(ctx, () => {
      this.#scheduled = false;
      if (this.#flowing()) this.flush();
    });
  }

  /** A chunk came: the one held before it goes out first, and this one is held. */
  hold(chunk: Buffer): void {
    this.flush();
    this.#held = chunk;
    if (!this.#scheduled && this.#flowing()) {
      this.#scheduled = true;
      nextTurn(this.#flushNextTurn);
    }
  }

  /** Sends the held chunk 'nofin', if there is one. */
  flush(): void {
    const chunk = this.#held;
    if (chunk === undefined) return;
    this.#held = undefined;
    this.#sendNofin(chunk);
  }

  /** The end came: the held chunk (to send as the last one), if any. */
  take(): Buffer | undefined {
    const chunk = this.#held;
    this.#held = undefined;
    return chunk;
  }
}
