import { formatTerm, isError } from './format.js';

/** Stable codes of the errors erlgun throws for API misuse. Listed in the README's "Error codes". */
export type ErlgunErrorCode =
  | 'ERR_BADARG'
  | 'ERR_BADMATCH'
  | 'ERR_CASE_CLAUSE'
  | 'ERR_INVALID_OPTION'
  | 'ERR_INVALID_HEADER'
  | 'ERR_INVALID_FRAME'
  | 'ERR_EXIT';

/** Base class of every error erlgun throws. Check with `isErlgunError(e)` and `e.code`. */
export class ErlgunError extends Error {
  override name = 'ErlgunError';
  readonly code: ErlgunErrorCode;
  constructor(code: ErlgunErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** A function got an argument it cannot use (Erlang's `badarg`). */
export class BadArgError extends ErlgunError {
  override name = 'BadArgError';
  constructor(message: string) {
    super('ERR_BADARG', message);
  }
}

/** `ok(result)` got an `['error', reason]` (the TypeScript form of `{ok, X} = …`). */
export class BadMatchError extends ErlgunError {
  override name = 'BadMatchError';
  readonly value: unknown;
  constructor(value: unknown, message = 'no match of right hand side value') {
    super('ERR_BADMATCH', message);
    this.value = value;
  }
}

/** `match(value, clauses)`: no clause matched `value` (Erlang's `case_clause`). */
export class CaseClauseError extends ErlgunError {
  override name = 'CaseClauseError';
  readonly value: unknown;
  constructor(value: unknown) {
    super('ERR_CASE_CLAUSE', `no case clause matching ${formatTerm(value)}`);
    this.value = value;
  }
}

/** An option failed validation; `option` is its camelCase path, e.g. `wsOpts.keepalive`. */
export class InvalidOptionError extends ErlgunError {
  override name = 'InvalidOptionError';
  readonly option: string;
  readonly value: unknown;
  constructor(option: string, expected: string, value: unknown) {
    super('ERR_INVALID_OPTION', `Invalid option \`${option}\`: expected ${expected}, got \`${describe(value)}\` (${typeOf(value)})`);
    this.option = option;
    this.value = value;
  }
}

/** A request header name, value or path carries CR/LF or another byte HTTP forbids (header injection). */
export class InvalidHeaderError extends ErlgunError {
  override name = 'InvalidHeaderError';
  readonly header: string;
  constructor(header: string, message: string) {
    super('ERR_INVALID_HEADER', message);
    this.header = header;
  }
}

/** `gun.wsSend` got a frame the wire cannot carry; `frame` is the first such frame. Nothing was sent. */
export class InvalidFrameError extends ErlgunError {
  override name = 'InvalidFrameError';
  readonly frame: unknown;
  constructor(frame: unknown, why: string) {
    super('ERR_INVALID_FRAME', `Invalid Websocket frame \`${describe(frame)}\`: ${why}`);
    this.frame = frame;
  }
}

/**
 * Thrown out of `receive` in a process that was killed while it waited (and into the
 * top-level script when the shell process is killed by a link). `reason` is the exit reason.
 */
export class ExitError extends ErlgunError {
  override name = 'ExitError';
  readonly reason: unknown;
  constructor(reason: unknown) {
    super('ERR_EXIT', `exception exit: ${typeof reason === 'string' ? reason : formatTerm(reason)}`);
    this.reason = reason;
    // Test runners print an error's cause: the crash's own stack then shows under the exit.
    if (isError(reason)) this.cause = reason;
  }

  /**
   * @internal The error a killed process's pending receive rejects with. Made without a stack:
   * it would show the killer's frames, not the victim's, and costs microseconds per exit.
   */
  static signal(reason: unknown): ExitError {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return new ExitError(reason);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}

const CODES: ReadonlySet<string> = new Set<ErlgunErrorCode>([
  'ERR_BADARG', 'ERR_BADMATCH', 'ERR_CASE_CLAUSE', 'ERR_INVALID_OPTION', 'ERR_INVALID_HEADER', 'ERR_INVALID_FRAME', 'ERR_EXIT',
]);

/** True for errors erlgun threw, also when they come from another copy of the library (checks `code`). */
export function isErlgunError(value: unknown): value is ErlgunError {
  return value instanceof ErlgunError || (isError(value) && CODES.has(String((value as { code?: unknown }).code)));
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'function') return '[function]';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
