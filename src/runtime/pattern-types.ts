// Type-level narrowing of a mailbox message from a receive pattern. Kept apart from the
// runtime matcher (pattern.ts), as ts-pattern keeps src/types apart from src/match.ts.
import type { Pid, Ref } from './pid.js';
import type { Matcher, Wildcard } from './pattern.js';

/**
 * The messages erlgun knows the shape of. Each area adds its own by declaration merging
 * (the runtime adds `DOWN`/`EXIT`, `erlgun`'s gun namespace adds the `gun_*` messages);
 * applications may add theirs:
 * @example
 * declare module 'erlgun' { interface KnownMessages { app: readonly ['tick', number] } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface KnownMessages {}

/** The union of every known message shape. */
export type KnownMessage = KnownMessages[keyof KnownMessages];

type Primitive = string | number | boolean | bigint | null | undefined;

/** The type of the values a pattern matches, read off the pattern alone. */
export type PatternType<P> =
  P extends Wildcard ? unknown
  : P extends Matcher<infer T> ? T
  : P extends Primitive ? P
  : P extends Pid ? Pid
  : P extends Ref ? Ref
  : P extends Buffer ? Buffer
  : P extends readonly unknown[] ? { readonly [K in keyof P]: PatternType<P[K]> }
  : P extends object ? { readonly [K in keyof P]: PatternType<P[K]> }
  : unknown;

type HasNever<T extends readonly unknown[]> =
  true extends { [K in keyof T]: [T[K]] extends [never] ? true : false }[number] ? true : false;

/** The part of known type `M` that pattern type `P` can match; `never` if none. Distributes over `M`. */
type Intersect<M, P> =
  M extends unknown
    ? [M] extends [P] ? M
    : [P] extends [M] ? P
    : M extends readonly unknown[]
      ? P extends readonly unknown[]
        ? M['length'] extends P['length']
          ? P['length'] extends M['length']
            ? IntersectTuple<M, P>
            : never
          : never
        : never
      : never
    : never;

type IntersectTuple<M extends readonly unknown[], P extends readonly unknown[]> =
  { readonly [K in keyof M]: Intersect<M[K], K extends keyof P ? P[K] : never> } extends infer R extends readonly unknown[]
    ? HasNever<R> extends true ? never : R
    : never;

/** The first elements of the known message shapes that are tuples tagged with a string (`'gun_ws'`, `'DOWN'`…). */
type KnownTag = KnownMessage extends infer M ? (M extends readonly [infer T extends string, ...unknown[]] ? T : never) : never;

/**
 * A pattern is checked against the known messages of its tag: one that starts with a known
 * tag but can match no known message of that tag (the wrong arity, `'200'` where the status
 * is a number) is a type error at the pattern instead of a clause that never matches.
 * Patterns with other first elements, or with a wildcard first, are left alone.
 */
export type ValidPattern<P> =
  PatternType<P> extends readonly [infer T, ...unknown[]]
    ? [T] extends [KnownTag]
      ? [Intersect<KnownMessage, PatternType<P>>] extends [never]
        ? { readonly 'no known message of this tag matches the pattern (check its arity and element types)': never }
        : unknown
      : unknown
    : unknown;

/**
 * What a receive clause hands its handler: the known message shapes the pattern can
 * match (so `['gun_ws', conn, ref, _]` gives a `GunWs`, and `['gun_ws', conn, ref, ['text', _]]`
 * a `GunWs` whose frame is a text frame), or else the pattern's own type.
 */
export type Matched<P> =
  unknown extends PatternType<P> ? unknown
  : [Intersect<KnownMessage, PatternType<P>>] extends [never] ? PatternType<P>
  : Intersect<KnownMessage, PatternType<P>>;
