// What gun.wsSend accepts, checked at the call: a frame the wire cannot carry is refused
// with a typed error before anything is sent or any state changes.
import { InvalidFrameError } from '../runtime/errors.js';
import type { WsSendFrame } from './messages.js';

// RFC 6455 §7.4: the codes an endpoint may send (1004–1006 and 1015 are reserved, 1016–2999 unassigned).
const isSendableCloseCode = (code: unknown): boolean =>
  Number.isInteger(code) && (((code as number) >= 1000 && (code as number) <= 1003) || ((code as number) >= 1007 && (code as number) <= 1014) || ((code as number) >= 3000 && (code as number) <= 4999));

const isBytes = (v: unknown): boolean => Buffer.isBuffer(v) || v instanceof Uint8Array;
const isTextOrBytes = (v: unknown): boolean => typeof v === 'string' || isBytes(v);
const byteLength = (v: string | Uint8Array): number => (typeof v === 'string' ? Buffer.byteLength(v) : v.byteLength);

/** Why `frame` cannot be sent, or `undefined` when it can. */
function refusal(frame: unknown): string | undefined {
  if (frame === 'close' || frame === 'ping' || frame === 'pong') return undefined;
  if (!Array.isArray(frame) || typeof frame[0] !== 'string') return "a frame is 'close', 'ping', 'pong' or a tuple such as ['text', data]";
  const [kind, a, b] = frame as unknown[];
  switch (kind) {
    case 'text':
      return frame.length === 2 && isTextOrBytes(a) ? undefined : "['text', data] takes a string or a Buffer";
    case 'binary':
      return frame.length === 2 && isBytes(a) ? undefined : "['binary', data] takes a Buffer or a Uint8Array";
    case 'ping':
    case 'pong':
      if (frame.length !== 2 || !isTextOrBytes(a)) return `['${kind}', data] takes a string or a Buffer`;
      return byteLength(a as string | Uint8Array) <= 125 ? undefined : `a ${kind} payload is at most 125 bytes (RFC 6455 §5.5)`;
    case 'close':
      if (frame.length < 2 || frame.length > 3) return "a close frame is 'close', ['close', code] or ['close', code, reason]";
      if (!isSendableCloseCode(a)) return 'a close code is 1000–1003, 1007–1014 or 3000–4999 (RFC 6455 §7.4)';
      if (b !== undefined && typeof b !== 'string') return 'a close reason is a string';
      return b === undefined || Buffer.byteLength(b) <= 123 ? undefined : 'a close reason is at most 123 bytes of UTF-8 (RFC 6455 §5.5)';
    default:
      return `unknown frame type ${JSON.stringify(kind)}`;
  }
}

/**
 * One frame or a list of frames, as a list, every frame checked. A frame is a string or a
 * tuple whose first element is a string; anything else that is an array is a list.
 * Throws `InvalidFrameError` naming the first bad frame; nothing is sent then.
 */
export function checkFrames(frames: unknown): readonly WsSendFrame[] {
  const list = Array.isArray(frames) && (frames.length === 0 || typeof frames[0] !== 'string') ? (frames as unknown[]) : [frames];
  for (const frame of list) {
    const why = refusal(frame);
    if (why !== undefined) throw new InvalidFrameError(frame, why);
  }
  return list as readonly WsSendFrame[];
}
