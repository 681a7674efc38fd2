// Request input checks made at the call (header names and values through Node's own
// validators, origin-form paths, body framing), and response headers as Gun's lists.
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { InvalidHeaderError } from '../runtime/errors.js';
import type { Headers } from './messages.js';

/** Request headers: a list of `[name, value]` pairs (order and duplicates kept) or an object. */
export type RequestHeaders = Headers | Readonly<Record<string, string | number | readonly string[]>>;

/** RFC 9110's token (methods, header names, subprotocol names), by Node's own header-name check. */
export function isToken(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    validateHeaderName(value);
    return true;
  } catch {
    return false;
  }
}
// Origin-form (RFC 9112 §3.2.1): visible ASCII and Latin-1 bytes as Node writes them, no fragment.
const BAD_PATH_BYTE = /[^\u0021-\u00ff]|#/;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);

/**
 * Normalises to lowercase `[name, value]` pairs. Throws `InvalidHeaderError` when the
 * headers are not a list of pairs or an object, or when Node's `validateHeaderName` /
 * `validateHeaderValue` refuse a name or a value (CR, LF, NUL, other control bytes, non-Latin-1).
 */
export function normalizeHeaders(headers: unknown): [string, string][] {
  const out: [string, string][] = [];
  if (headers === undefined) return out;
  let pairs: readonly unknown[];
  if (Array.isArray(headers)) pairs = headers;
  else if (isPlainObject(headers)) pairs = Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x: unknown) => [k, x]) : [[k, v]]));
  else throw new InvalidHeaderError('headers', `Invalid headers ${describe(headers)}: expected a list of [name, value] pairs or an object`);
  for (const pair of pairs) {
    if (!Array.isArray(pair) || pair.length !== 2) throw new InvalidHeaderError(describe(pair), `Invalid header ${describe(pair)}: expected a [name, value] pair`);
    const [name, raw] = pair as [unknown, unknown];
    const value = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
    if (typeof name !== 'string') throw new InvalidHeaderError(describe(name), `Invalid header name ${describe(name)}: expected a string`);
    if (typeof value !== 'string') throw new InvalidHeaderError(name, `Invalid value for header \`${name}\`: expected a string`);
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch (error) {
      throw new InvalidHeaderError(name, `${(error as Error).message} (refused at the call: a header may not carry control characters or bytes outside Latin-1)`);
    }
    out.push([name.toLowerCase(), value]);
  }
  return out;
}

/**
 * Throws `InvalidHeaderError` unless `path` is origin-form: it starts with `/` (or is `*`
 * for OPTIONS), holds no space, control character or fragment. A path can then never
 * change the request's authority or line.
 */
export function checkPath(path: unknown, method: string): string {
  const originForm = typeof path === 'string' && (path.startsWith('/') || (path === '*' && method === 'OPTIONS'));
  if (!originForm || BAD_PATH_BYTE.test(path)) {
    throw new InvalidHeaderError(':path', `Invalid request path ${describe(path)}: it must start with "/" (or be "*" for OPTIONS), without spaces, control characters or a fragment`);
  }
  return path;
}

const isFramingHeader = ([name]: readonly [string, string]): boolean => name === 'content-length' || name === 'transfer-encoding';

/**
 * The body decides the framing (Gun's send_request): with a whole body, the caller's
 * `content-length` and `transfer-encoding` are replaced by the body's length, so no
 * header can make the server read part of the body as another request.
 */
export function framedByBody(headers: readonly [string, string][], body: Buffer): [string, string][] {
  const out = headers.filter((h) => !isFramingHeader(h));
  out.push(['content-length', String(body.length)]);
  return out;
}

/**
 * Checks the framing headers of a request whose body follows through `gun.data`: at most
 * one `content-length`, a decimal one; a `transfer-encoding` that ends in `chunked`;
 * never both. Throws `InvalidHeaderError` otherwise: the server would read a different
 * body than the one sent.
 */
export function checkFollowingFraming(headers: readonly [string, string][]): void {
  const lengths = headers.filter(([name]) => name === 'content-length');
  const codings = headers.filter(([name]) => name === 'transfer-encoding').flatMap(([, v]) => v.split(',')).map((c) => c.trim().toLowerCase());
  if (lengths.length > 1) throw new InvalidHeaderError('content-length', 'Invalid header `content-length`: given more than once');
  if (lengths.length === 1 && !/^\d{1,15}$/.test(lengths[0][1])) throw new InvalidHeaderError('content-length', `Invalid header \`content-length\`: ${describe(lengths[0][1])} is not a decimal length`);
  if (codings.length > 0 && lengths.length > 0) throw new InvalidHeaderError('transfer-encoding', 'Invalid headers: `transfer-encoding` and `content-length` together make the body length ambiguous');
  if (codings.length > 0 && codings[codings.length - 1] !== 'chunked') throw new InvalidHeaderError('transfer-encoding', 'Invalid header `transfer-encoding`: a request body must end with the chunked coding');
}

/** Throws `InvalidHeaderError` for a request that sends no body but announces one (`content-length` other than 0, `transfer-encoding`). */
export function checkNoBody(headers: readonly [string, string][]): void {
  for (const [name, value] of headers) {
    if ((name === 'content-length' && value.trim() !== '0') || name === 'transfer-encoding') {
      throw new InvalidHeaderError(name, `Invalid header \`${name}\`: this request sends no body (give a body, or use gun.request/gun.post and gun.data)`);
    }
  }
}

export function hasHeader(headers: readonly (readonly [string, string])[], name: string): boolean {
  return headers.some(([n]) => n === name);
}

/**
 * Node's `rawHeaders` (name, value, name, value…) as Gun's list: lowercase names, order and
 * duplicates kept; HTTP/2's pseudo-headers (`:status`) left out, as Gun leaves them.
 */
export function fromRawHeaders(raw: readonly string[]): Headers {
  const out: (readonly [string, string])[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i][0] !== ':') out.push(Object.freeze([raw[i].toLowerCase(), raw[i + 1]] as const));
  return Object.freeze(out);
}

/** Gun's host header: the port is left out for 80 over tcp and 443 over tls; IPv6 in brackets. */
export function hostHeader(host: string, port: number, transport: 'tcp' | 'tls'): string {
  const name = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const isDefault = (transport === 'tcp' && port === 80) || (transport === 'tls' && port === 443);
  return isDefault ? name : `${name}:${port}`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
