// An RFC 8441 server: node:http2 with SETTINGS_ENABLE_CONNECT_PROTOCOL, framing done by ws's
// own Receiver and Sender (server side: frames out unmasked, frames in must be masked).
import http2, { type Http2SecureServer, type Http2Server, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Receiver, Sender } from '../../src/gun/protocols/ws-framing.js';
import { testCert } from './certs.js';

interface WsH2Server {
  readonly port: number;
  /** What the server saw, in order: 'connect <path>', 'text <s>', 'binary <n>', 'close <code>', 'end', 'reset <code>' (a non-zero RST_STREAM), 'error <msg>'. */
  readonly log: string[];
  /** The headers of each CONNECT. */
  readonly connects: http2.IncomingHttpHeaders[];
  /** Resolves at the first log line matching `re` (at once if there is one). */
  seen(re: RegExp): Promise<string>;
  /** Resolves once `n` log lines match `re`. */
  seenTimes(re: RegExp, n: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Echoes text and binary messages. Text commands: 'close please' → the server closes (1000,
 * 'bye'); 'ping me' → a ping 'p'; 'big <n>' → a text message of n bytes; 'mute' → nothing more is answered; 'drop' → the whole HTTP/2 session is destroyed; 'reset' → RST_STREAM(INTERNAL_ERROR); 'hang up' → END_STREAM without a close frame. A CONNECT to /refuse
 * gets 403 with a body; an ordinary GET gets 'hello'.
 */
export async function startWsH2(opts: { tls?: boolean; enableConnectProtocol?: boolean } = {}): Promise<WsH2Server> {
  const settings = { enableConnectProtocol: opts.enableConnectProtocol ?? true };
  const cert = opts.tls === true ? testCert() : undefined;
  const server: Http2Server | Http2SecureServer = cert ? http2.createSecureServer({ key: cert.key, cert: cert.cert, settings }) : http2.createServer({ settings });
  const log: string[] = [];
  const connects: http2.IncomingHttpHeaders[] = [];
  const waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  const counters: { re: RegExp; n: number; resolve: () => void }[] = [];
  const note = (line: string): void => {
    log.push(line);
    for (const c of [...counters]) {
      if (log.filter((l) => c.re.test(l)).length >= c.n) {
        counters.splice(counters.indexOf(c), 1);
        c.resolve();
      }
    }
    for (const w of [...waiters]) {
      if (w.re.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (s: ServerHttp2Session) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream: ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    stream.on('error', (e: Error) => note(`error ${e.message}`));
    if (headers[':method'] !== 'CONNECT') {
      stream.respond({ ':status': 200 });
      stream.end('hello');
      return;
    }
    connects.push(headers);
    note(`connect ${headers[':path']}`);
    if (headers[':path'] === '/refuse') {
      stream.on('end', () => note('end /refuse'));
      stream.resume();
      stream.respond({ ':status': 403, 'content-type': 'text/plain' });
      stream.end('no websocket here');
      return;
    }
    stream.respond({ ':status': 200, ...(headers['sec-websocket-protocol'] !== undefined && { 'sec-websocket-protocol': String(headers['sec-websocket-protocol']).split(',')[0].trim() }) });
    const receiver = new Receiver({ isServer: true });
    const sender = new Sender(stream, {});
    let closeSent = false;
    // 'mute': the server reads on but answers nothing, not even a close.
    let muted = false;
    receiver.on('message', (data, isBinary) => {
      if (isBinary) {
        note(`binary ${data.length}`);
        sender.send(data, { binary: true, fin: true, mask: false, compress: false });
        return;
      }
      const text = data.toString();
      note(`text ${text}`);
      if (muted) return;
      if (text === 'mute') muted = true;
      else if (text === 'drop') stream.session?.destroy();
      else if (text === 'reset') stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      else if (text === 'hang up') stream.end();
      else if (text === 'close please') {
        closeSent = true;
        sender.close(1000, 'bye', false);
      } else if (text === 'ping me') sender.ping('p', false);
      else if (text.startsWith('big ')) sender.send('x'.repeat(Number(text.slice(4))), { binary: false, fin: true, mask: false, compress: false });
      else sender.send(text, { binary: false, fin: true, mask: false, compress: false });
    });
    receiver.on('ping', () => note('ping'));
    receiver.on('pong', (data) => note(`pong ${data.toString()}`));
    receiver.on('conclude', (code) => {
      note(`close ${code}`);
      if (muted) return;
      if (!closeSent) sender.close(code === 1005 ? undefined : code, '', false);
      stream.end();
    });
    receiver.on('error', (e) => note(`error ${e.message}`));
    stream.on('data', (chunk: Buffer) => receiver.write(chunk));
    stream.on('end', () => note('end'));
    stream.on('close', () => {
      if ((stream.rstCode ?? 0) !== 0) note(`reset ${stream.rstCode}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    log,
    connects,
    seen: (re) => {
      const found = log.find((l) => re.test(l));
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ re, resolve }));
    },
    seenTimes: (re, n) => {
      if (log.filter((l) => re.test(l)).length >= n) return Promise.resolve();
      return new Promise((resolve) => counters.push({ re, n, resolve }));
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of sessions) s.destroy();
      server.close(() => resolve());
    }),
  };
}
