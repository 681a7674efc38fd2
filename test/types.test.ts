// Type-level tests: `npm test` runs tsc first, so a wrong narrowing fails the suite.
import { test } from 'node:test';
import { _, anyNumber, anyString, makeRef, on, self, when, type DownMessage, type ExitMessage, type Matched, type Pid, type Ref } from '../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

const pid = self();
const ref = makeRef();
const down = ['DOWN', ref, 'process', pid, _] as const;
const exitP = ['EXIT', pid, _] as const;

export type Cases = [
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
});
