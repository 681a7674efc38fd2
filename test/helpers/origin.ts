// A raw TCP "origin" for misbehaving Websocket peers: it reads the client's upgrade
// request and then writes hand-made bytes (RFC 6455 §5.2 framing, unmasked as a server's).
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { readUntil, startRaw, type Started } from './servers.js';
import type net from 'node:net';

interface UpgradeRequest {
  readonly socket: Socket;
  readonly key: string;
  readonly head: string;
  /** The header value (lowercase name), if any. */
  header(name: string): string | undefined;
}

function acceptKey(key: string): string {
  return createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
}

/** A 101 response; `extra` header lines are appended. */
export function switching(key: string, extra: string[] = [], accept = acceptKey(key)): string {
  return ['HTTP/1.1 101 Switching Protocols', 'upgrade: websocket', 'connection: Upgrade', `sec-websocket-accept: ${accept}`, ...extra, '', ''].join('\r\n');
}

/** A server frame: opcode 1 text, 2 binary, 8 close, 9 ping, 10 pong; `fin` false for a fragment; `rsv` bits 0-7. */
export function frame(opcode: number, payload: Buffer | string = Buffer.alloc(0), opts: { fin?: boolean; rsv?: number } = {}): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const first = ((opts.fin ?? true) ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | opcode;
  if (body.length < 126) return Buffer.concat([Buffer.from([first, body.length]), body]);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  return Buffer.concat([Buffer.from([first, 126]), len, body]);
}

/** Starts a raw origin; `onUpgrade` runs once per connection, after the request head is read. */
export function startWsOrigin(onUpgrade: (req: UpgradeRequest) => void): Promise<Started<net.Server>> {
  return startRaw((socket) => {
    socket.on('error', () => undefined);
    void readUntil(socket, (d) => d.includes('\r\n\r\n')).then((data) => {
      const head = data.toString('latin1');
      const header = (name: string): string | undefined => {
        const m = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head);
        return m?.[1].trim();
      };
      onUpgrade({ socket, key: header('sec-websocket-key') ?? '', head, header });
    });
  });
}

/** Decodes the client's masked frames (opcode and unmasked payload), enough to check what it sent. */
export function clientFrames(data: Buffer): { opcode: number; payload: Buffer }[] {
  const out: { opcode: number; payload: Buffer }[] = [];
  let i = 0;
  while (i + 2 <= data.length) {
    const opcode = data[i] & 0x0f;
    let len = data[i + 1] & 0x7f;
    let p = i + 2;
    if (len === 126) {
      len = data.readUInt16BE(p);
      p += 2;
    } else if (len === 127) {
      len = Number(data.readBigUInt64BE(p));
      p += 8;
    }
    const mask = data.subarray(p, p + 4);
    p += 4;
    if (p + len > data.length) break;
    const payload = Buffer.from(data.subarray(p, p + len));
    for (let k = 0; k < payload.length; k++) payload[k] ^= mask[k % 4];
    out.push({ opcode, payload });
    i = p + len;
  }
  return out;
}
