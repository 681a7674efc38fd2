// Type-level tests: `npm test` runs tsc first, so a wrong narrowing fails the suite.
import { test } from 'node:test';
import { _, anyNumber, anyString, makeRef, on, self, when, type DownMessage, type ExitMessage, type GunDown, type GunDown2, type GunMessage13, type GunMessage2, type GunMessageOf, type GunError, type GunUpgrade, type GunWs, type Headers, type Matched, type Pid, type Ref, type StreamRef, type GenServer, type Server, genServer, matches, type GenStatem, genStatem, ok } from '../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

const pid = self();
const ref = makeRef();
const down = ['DOWN', ref, 'process', pid, _] as const;
const exitP = ['EXIT', pid, _] as const;

const gunWs = ['gun_ws', pid, ref, _] as const;
const gunWsText = ['gun_ws', pid, ref, ['text', _]] as const;
const gunDown = ['gun_down', pid, _, _, _, _] as const;
const gunDown2 = ['gun_down', pid, _, _, _] as const;
const gunErr3 = ['gun_error', pid, _] as const;
const gunUpgrade = ['gun_upgrade', pid, ref, ['websocket'], _] as const;

// Exported so that noUnusedLocals lets it be: tsc checks it, nothing imports it.
// ts-unused-exports:disable-next-line
export type Cases = [
  Expect<Equal<Matched<typeof gunWs>, GunWs>>,
  Expect<Equal<Matched<typeof gunWsText>, readonly ['gun_ws', Pid, StreamRef, readonly ['text', string]]>>,
  Expect<Equal<Matched<typeof gunDown>, GunDown>>,
  Expect<Equal<Matched<typeof gunDown2>, GunDown2>>,
  Expect<Equal<GunMessageOf<'1.3'>, GunMessage13>>,
  Expect<Equal<Extract<GunMessageOf<'2'>, readonly ['gun_down', ...unknown[]]>, GunDown2>>,
  Expect<Equal<Extract<GunMessage2, GunDown>, never>>,
  Expect<Equal<Matched<typeof gunErr3>, Extract<GunError, readonly [unknown, unknown, unknown]>>>,
  Expect<Equal<Matched<typeof gunUpgrade>, GunUpgrade>>,
  Expect<Equal<Matched<typeof down>, DownMessage>>,
  Expect<Equal<Matched<typeof exitP>, ExitMessage>>,
  Expect<Equal<Matched<'hello'>, 'hello'>>,
  Expect<Equal<Matched<readonly ['tick', typeof anyNumber]>, readonly ['tick', number]>>,
  Expect<Equal<Matched<readonly ['who', Pid, typeof anyString]>, readonly ['who', Pid, string]>>,
  Expect<Equal<Matched<typeof _>, unknown>>,
  Expect<Equal<Matched<{ readonly kind: 'a'; readonly n: typeof anyNumber }>, { readonly kind: 'a'; readonly n: number }>>,
];

test('handlers get the narrowed message (checked by tsc)', () => {
  on(['DOWN', ref, 'process', pid, _], (msg) => {
    const r: Ref = msg[1];
    const reason: unknown = msg[4];
    return [r, reason];
  });
  on(['tick', when(anyNumber, (n) => n > 0)], ([, n]) => n.toFixed(1));
  on(['gun_ws', pid, ref, ['text', _]], ([, , , [, text]]) => text.toUpperCase());
  on(['gun_upgrade', pid, ref, ['websocket'], _], ([, , , , headers]) => {
    const h: Headers = headers;
    return h.length;
  });
});

test('a started server types call and cast by its callbacks (checked by tsc)', () => {
  type Call = readonly ['get'] | readonly ['add', number];
  type Cast = readonly ['reset'];
  const counter: GenServer<number, Call, number, Cast> = {
    init: () => ['ok', 0],
    handleCall: (req, _from, n) => (req[0] === 'add' ? ['reply', n + req[1], n + req[1]] : ['reply', n, n]),
    handleCast: (req, n) => {
      const tag: 'reset' = req[0];
      return tag === 'reset' ? ['noreply', 0] : ['noreply', n];
    },
  };
  const check = (server: Server<Call, number, Cast>): void => {
    const reply: Promise<number> = genServer.call(server, ['add', 1]);
    void reply;
    // @ts-expect-error a request the server does not take
    void genServer.call(server, ['mul', 2]);
    // @ts-expect-error a cast the server does not take
    genServer.cast(server, ['stop']);
    const value: unknown = ['ok', 1];
    if (matches(['ok', anyNumber], value)) {
      const n: number = value[1];
      void n;
    }
  };
  void counter;
  void check;
});

test("a gen_statem's event type narrows its content, and its pid types call and cast (checked by tsc)", () => {
  type Call = readonly ['get'];
  type Cast = readonly ['set', number];
  const machine: GenStatem<'idle' | 'busy', number, Call, number, Cast, 'tick', undefined> = {
    callbackMode: 'state_functions',
    stateEnter: true,
    init: () => ['ok', 'idle', 0],
    states: {
      idle(type, content, data) {
        if (type === 'cast') return ['next_state', 'busy', content[1]];
        if (type === 'info') {
          const tick: 'tick' = content;
          void tick;
          return 'keep_state_and_data';
        }
        if (type === 'enter') {
          const old: 'idle' | 'busy' = content;
          void old;
          return 'keep_state_and_data';
        }
        if (typeof type === 'object') {
          const req: Call = content;
          return ['keep_state_and_data', [['reply', type[1], req.length + data]]];
        }
        return 'keep_state_and_data';
      },
      busy: (_type, _content, _data) => ['keep_state_and_data', ['postpone']],
    },
  };
  const other: GenStatem<{ phase: number }, null, never, unknown, never, unknown, undefined, 'retry'> = {
    callbackMode: 'handle_event_function',
    init: () => ['ok', { phase: 0 }, null, [[['timeout', 'retry'], 100, 'again']]],
    handleEvent: (type, _content, state, data) => {
      if (typeof type === 'object' && type[0] === 'timeout') {
        const name: 'retry' = type[1];
        void name;
      }
      return ['next_state', { phase: state.phase + 1 }, data];
    },
  };
  const check = (): void => {
    const pid = ok(genStatem.start(machine, undefined));
    const reply: Promise<number> = genStatem.call(pid, ['get']);
    void reply;
    // @ts-expect-error a request the machine does not take
    void genStatem.call(pid, ['put']);
    // @ts-expect-error a cast the machine does not take
    genStatem.cast(pid, ['set', 'x']);
  };
  // @ts-expect-error the state must be one of the machine's
  const bad: genStatem.EventHandlerResult<'idle' | 'busy', number> = ['next_state', 'gone', 0];
  void bad;
  void other;
  void check;
});

test('a pattern that no known message of its tag can match is a type error (checked by tsc)', () => {
  // @ts-expect-error gun_down has six elements (dialect '1.3') or five (dialect '2'), never four.
  on(['gun_down', pid, _, _], () => 'never matches');
  // @ts-expect-error nor seven.
  on(['gun_down', pid, _, _, _, _, _], () => 'never matches');
  // @ts-expect-error a gun_down reason is never a number, in either dialect.
  on(['gun_down', pid, _, 42, _], () => 'never matches');
  // Both dialects' gun_down are valid patterns, each narrowed to its own shape.
  on(['gun_down', pid, _, _, _], ([, , protocol, , killed]) => [protocol, killed.length]);
  on(['gun_down', pid, 'ws', 'closed', [], []], ([, , , reason]) => reason);
  // @ts-expect-error the status is a number, not a string.
  on(['gun_response', pid, ref, _, '200', _], () => 'never matches');
  // @ts-expect-error a text frame carries a string.
  on(['gun_ws', pid, ref, ['text', anyNumber]], () => 'never matches');
  // Patterns of unknown tags, and known tags used rightly, are fine.
  on(['gun_response', pid, ref, _, 200, _], ([, , , fin]) => fin);
  on(['tick', anyNumber], ([, n]) => n);
  on([_, pid], (m) => m);
});
