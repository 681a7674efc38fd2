// A protocol module's world without sockets, as Gun tests its modules: a fake connection
// context that records what the module tells its connection, and an in-memory duplex
// stream standing in for the socket, on which a test reads what the module wrote and
// writes what the "server" answers.
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { self } from '../../src/index.js';
import { checkOptions, type Options } from '../../src/gun/options.js';
import type { ConnectionContext, ProtocolHandler } from '../../src/gun/protocol.js';
import type { GunMessage } from '../../src/gun/messages.js';

interface FakeWire {
  readonly socket: Socket;
  /** Everything the module wrote so far, as latin1 text. */
  written(): string;
  /** Resolves once what the module wrote satisfies `predicate`. */
  until(predicate: (text: string) => boolean): Promise<string>;
  /** Bytes from the server. */
  push(data: string | Buffer): void;
  /** The server closes its side. */
  end(): void;
}

export function fakeWire(): FakeWire {
  let text = '';
  const waiting: (() => void)[] = [];
  const duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('latin1');
      for (const wake of waiting.splice(0)) wake();
      done();
    },
  });
  // What ws and Node's client call on a net.Socket; nothing to do in memory.
  Object.assign(duplex, { setNoDelay: () => duplex, setTimeout: () => duplex, setKeepAlive: () => duplex, bytesRead: 0 });
  return {
    socket: duplex as unknown as Socket,
    written: () => text,
    until: (predicate) => new Promise((resolve) => {
      const check = (): void => {
        if (predicate(text)) resolve(text);
        else waiting.push(check);
      };
      check();
    }),
    push: (data) => duplex.push(data),
    end: () => duplex.push(null),
  };
}

type Told =
  | readonly ['reply', GunMessage]
  | readonly ['switch', ProtocolHandler]
  | readonly ['changed']
  | readonly ['down', unknown, readonly unknown[], readonly unknown[]];

interface FakeContext extends ConnectionContext {
  /** What the module told the connection, in order. */
  readonly told: Told[];
  /** Resolves with everything told once at least `count` things have been. */
  atLeast(count: number): Promise<Told[]>;
}

export function fakeContext(opts: Options = {}, host = 'example.org', port = 80): FakeContext {
  const told: Told[] = [];
  const waiting: (() => void)[] = [];
  const tell = (t: Told): void => {
    told.push(t);
    for (const wake of waiting.splice(0)) wake();
  };
  return {
    conn: self(),
    owner: self(),
    host,
    port,
    opts: checkOptions(host, port, opts),
    told,
    // No actor here: events are handled as they come.
    run: (fn, a, b, c, d) => fn(a, b, c, d),
    reply: (_to, msg) => tell(['reply', msg]),
    switchProtocol: (_from, to) => tell(['switch', to]),
    changed: () => tell(['changed']),
    down: (_from, reason, killed, unsent = []) => tell(['down', reason, killed, unsent]),
    atLeast: (count) => new Promise((resolve) => {
      const check = (): void => {
        if (told.length >= count) resolve(told);
        else waiting.push(check);
      };
      check();
    }),
  };
}
