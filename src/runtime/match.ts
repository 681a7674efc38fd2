// Matching a value already in hand with receive's clauses: Erlang's `case`, and the
// clause heads of a `handle_info` written as one function.
import { BadArgError, CaseClauseError } from './errors.js';
import { formatTerm } from './format.js';
import type { Clause } from './receive.js';

type HandlerResult<C extends readonly Clause<unknown>[]> = C[number] extends Clause<infer R> ? R : never;

/**
 * Applies the first clause whose pattern matches `value` and returns its handler's result
 * (Erlang's `case Value of … end`); throws `CaseClauseError` when none matches.
 * The same `on()` clauses as `receive`, so a receive loop's clauses serve both.
 * @example const text = match(msg, [on(['gun_ws', conn, _, ['text', _]], ([, , , [, t]]) => t), on(_, () => '')]);
 */
export function match<const C extends readonly Clause<unknown>[]>(value: unknown, clauses: C): HandlerResult<C>;
export function match(value: unknown, clauses: readonly Clause<unknown>[]): unknown {
  if (!Array.isArray(clauses) || clauses.length === 0) throw new BadArgError('match: expected a non-empty array of clauses made with on()');
  for (const clause of clauses) {
    if (typeof (clause as Partial<Clause<unknown>> | null)?.test !== 'function') {
      throw new BadArgError(`match: ${formatTerm(clause)} is not a clause; make clauses with on(pattern, handler)`);
    }
    if (clause.test(value)) return clause.handler(value as never);
  }
  throw new CaseClauseError(value);
}
