// ws's frame parser and writer, which ws exports but @types/ws does not declare: the part
// erlgun uses, typed. Websocket over HTTP/2 frames its streams with them (no codec of ours).
import type { Duplex } from 'node:stream';
import * as wsLib from 'ws';

interface Receiver {
  write(chunk: Buffer): boolean;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'ping' | 'pong', listener: (data: Buffer) => void): this;
  on(event: 'conclude', listener: (code: number, reason: Buffer) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}
interface Sender {
  send(data: string | Buffer, options: { binary: boolean; fin: boolean; mask: boolean; compress: boolean }): void;
  ping(data: string | Buffer, mask: boolean): void;
  pong(data: string | Buffer, mask: boolean): void;
  close(code: number | undefined, reason: string | Buffer, mask: boolean): void;
}
interface Framing {
  /** `isServer: false` expects unmasked frames (a client's side); `maxPayload` 0 is no limit. */
  Receiver: new (options: { isServer: boolean; maxPayload?: number; binaryType?: 'nodebuffer' }) => Receiver;
  /** Frames go to `stream`; `mask` on each call says which side writes them. */
  Sender: new (stream: Duplex, extensions: Record<string, never>) => Sender;
}

export const { Receiver, Sender } = wsLib as unknown as Framing;
