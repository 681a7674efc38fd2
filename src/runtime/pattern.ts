// Receive patterns compiled once into predicates. The matcher is loosely typed on
// purpose; narrowing lives in pattern-types.ts (ts-pattern's split).
import { inspect } from 'node:util';
import { Pid, Ref } from './pid.js';
import type { Matched } from './pattern-types.js';

// Symbol.for, so two copies of the library recognise each other's wildcards and matchers.
const MATCHER = Symbol.for('erlgun/matcher');

/** A pattern element that tests a value with a predicate. `T` is what a match guarantees. */
export interface Matcher<T> {
  readonly [MATCHER]: (value: unknown) => boolean;
  /** @internal phantom type: what a match guarantees */
  readonly __matches?: T;
}

/** The wildcard: matches any value, binds nothing (Erlang's `_`). */
export type Wildcard = Matcher<unknown> & { readonly __wildcard: true };

export const _: Wildcard = Object.freeze({ [MATCHER]: () => true, __wildcard: true as const, [inspect.custom]: () => '_' });

/** Any string. */
export const anyString: Matcher<string> = matcher((v): v is string => typeof v === 'string', 'anyString');
/** Any number. */
export const anyNumber: Matcher<number> = matcher((v): v is number => typeof v === 'number', 'anyNumber');
/** Any Buffer. */
export const anyBuffer: Matcher<Buffer> = matcher((v): v is Buffer => Buffer.isBuffer(v), 'anyBuffer');
/** Any Pid. */
export const anyPid: Matcher<Pid> = matcher((v): v is Pid => v instanceof Pid, 'anyPid');
/** Any Ref. */
export const anyRef: Matcher<Ref> = matcher((v): v is Ref => v instanceof Ref, 'anyRef');

/**
 * A guard (Erlang's `when`). `when(pred)` matches values the predicate accepts;
 * `when(pattern, pred)` first matches `pattern`, then calls `pred` with the narrowed value.
 * @example on(['temp', when(anyNumber, (t) => t > 30)], ([, t]) => alarm(t))
 */
export function when<T>(guard: (value: unknown) => value is T): Matcher<T>;
export function when(pred: (value: unknown) => boolean): Matcher<unknown>;
export function when<const P>(pattern: P, pred: (value: Matched<P>) => boolean): Matcher<Matched<P>>;
export function when(first: unknown, pred?: (value: never) => boolean): Matcher<unknown> {
  if (pred === undefined) {
    if (typeof first !== 'function') throw new TypeError('when(pred): pred must be a function');
    return matcher(first as (value: unknown) => boolean, `when(${first.name || 'guard'})`);
  }
  const test = compilePattern(first);
  const guard = pred as (value: unknown) => boolean;
  return matcher((v) => test(v) && guard(v), `when(${inspect(first)}, ${guard.name || 'guard'})`);
}

function matcher<T>(test: (value: unknown) => boolean, label: string): Matcher<T> {
  return Object.freeze({ [MATCHER]: test, [inspect.custom]: () => label });
}

/** Compiles a pattern into a predicate. Called once per clause, never per message. */
export function compilePattern(pattern: unknown): (value: unknown) => boolean {
  if (pattern === null || (typeof pattern !== 'object' && typeof pattern !== 'function')) {
    return (v) => v === pattern;
  }
  const test = (pattern as Partial<Matcher<unknown>>)[MATCHER];
  if (typeof test === 'function') return test;
  if (pattern instanceof Pid || pattern instanceof Ref) return (v) => v === pattern;
  if (Buffer.isBuffer(pattern)) {
    return (v) => Buffer.isBuffer(v) && v.equals(pattern);
  }
  if (Array.isArray(pattern)) return compileTuple(pattern);
  if (isPlainObject(pattern)) return compileObject(pattern as Record<string, unknown>);
  return (v) => v === pattern;
}

// A tuple test splits the elements into identity checks (literals, pids, refs) and
// nested predicates, and skips wildcards, so it costs close to a hand-written `&&` chain.
function compileTuple(pattern: readonly unknown[]): (value: unknown) => boolean {
  const length = pattern.length;
  const eqIdx: number[] = [];
  const eqVal: unknown[] = [];
  const subIdx: number[] = [];
  const subTest: ((value: unknown) => boolean)[] = [];
  for (let i = 0; i < length; i++) {
    const p = pattern[i];
    if (p === _) continue;
    if (isIdentityPattern(p)) {
      eqIdx.push(i);
      eqVal.push(p);
    } else {
      subIdx.push(i);
      subTest.push(compilePattern(p));
    }
  }
  const nEq = eqIdx.length;
  const nSub = subIdx.length;
  const unrolled = nSub === 0 ? unrolledEq(length, eqIdx, eqVal) : nSub === 1 ? unrolledEqSub(length, eqIdx, eqVal, subIdx[0], subTest[0]) : undefined;
  if (unrolled !== undefined) return unrolled;
  return (v) => {
    if (!Array.isArray(v) || v.length !== length) return false;
    for (let k = 0; k < nEq; k++) if (v[eqIdx[k]] !== eqVal[k]) return false;
    for (let k = 0; k < nSub; k++) if (!subTest[k](v[subIdx[k]])) return false;
    return true;
  };
}

// Unrolled shapes for the common cases (a tag, a pid, a ref, and at most one nested
// pattern, as in ['gun_ws', conn, ref, ['text', _]]): straight-line code with no loop over
// index arrays, about as fast as a hand-written `&&` chain.
type Test = (value: unknown) => boolean;

function unrolledEq(length: number, idx: readonly number[], val: readonly unknown[]): Test | undefined {
  const [i0, i1, i2, i3] = idx;
  const [v0, v1, v2, v3] = val;
  switch (idx.length) {
    case 0: return (v) => Array.isArray(v) && v.length === length;
    case 1: return (v) => Array.isArray(v) && v.length === length && v[i0] === v0;
    case 2: return (v) => Array.isArray(v) && v.length === length && v[i0] === v0 && v[i1] === v1;
    case 3: return (v) => Array.isArray(v) && v.length === length && v[i0] === v0 && v[i1] === v1 && v[i2] === v2;
    case 4: return (v) => Array.isArray(v) && v.length === length && v[i0] === v0 && v[i1] === v1 && v[i2] === v2 && v[i3] === v3;
    default: return undefined;
  }
}

function unrolledEqSub(length: number, idx: readonly number[], val: readonly unknown[], j: number, sub: Test): Test | undefined {
  const [i0, i1, i2, i3] = idx;
  const [v0, v1, v2, v3] = val;
  switch (idx.length) {
    case 0: return (v) => Array.isArray(v) && v.length === length && sub(v[j]);
    case 1: return (v) => Array.isArray(v) && v.length === length && v[i0] === v0 && sub(v[j]);
    case 2: return (v) => Array.isArray(v) && v.length === length && v[i0] === v0 && v[i1] === v1 && sub(v[j]);
    case 3: return (v) => Array.isArray(v) && v.length === length && v[i0] === v0 && v[i1] === v1 && v[i2] === v2 && sub(v[j]);
    case 4: return (v) => Array.isArray(v) && v.length === length && v[i0] === v0 && v[i1] === v1 && v[i2] === v2 && v[i3] === v3 && sub(v[j]);
    default: return undefined;
  }
}

function compileObject(pattern: Record<string, unknown>): (value: unknown) => boolean {
  const keys = Object.keys(pattern);
  const tests = keys.map((k) => compilePattern(pattern[k]));
  return (v) => {
    // An object pattern is a map pattern: like Elixir's %{}, it never matches a tuple (or a pid, ref or Buffer).
    if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Pid || v instanceof Ref || ArrayBuffer.isView(v)) return false;
    const o = v as Record<string, unknown>;
    for (let k = 0; k < keys.length; k++) {
      if (!(keys[k] in o) || !tests[k](o[keys[k]])) return false;
    }
    return true;
  };
}

function isIdentityPattern(p: unknown): boolean {
  return p === null || (typeof p !== 'object' && typeof p !== 'function') || p instanceof Pid || p instanceof Ref;
}

function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * True when `value` matches `pattern`, and then `value` is narrowed as a receive clause's
 * message is. Compiles the pattern each call: in a loop, prefer `on` clauses with `match`.
 * @example if (matches(['gun_down', conn, _, _, _, _], msg)) drop(msg[1]);
 */
export function matches<const P>(pattern: P, value: unknown): value is Matched<P> {
  return compilePattern(pattern)(value);
}
