// Request header input forms, header-injection checks, and response headers as Gun's lists.
import { InvalidHeaderError } from '../runtime/errors.js';
import type { Headers } from './messages.js';

/** Request headers: a list of `[name, value]` pairs (order and duplicates kept) or an object. */
export type RequestHeaders = Headers | Readonly<Record<string, string | number | readonly string[]>>;

// RFC 9110 token for names; values may not carry CR, LF or NUL (header injection).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\r\n\0]/;
const BAD_PATH = /[^\u0021-\u00ff]/;

/** Normalises to lowercase `[name, value]` pairs; throws `InvalidHeaderError` on CR/LF or a bad name. */
export function normalizeHeaders(headers: RequestHeaders | undefined): [string, string][] {
  const out: [string, string][] = [];
  if (headers === undefined) return out;
  const pairs: readonly (readonly [string, unknown])[] = Array.isArray(headers)
    ? (headers as Headers)
    : Object.entries(headers as Record<string, unknown>).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x] as const) : [[k, v] as const]));
  for (const pair of pairs) {
    if (!Array.isArray(pair) || pair.length !== 2) throw new InvalidHeaderError(String(pair), `Invalid header ${JSON.stringify(pair)}: expected a [name, value] pair`);
    const [name, raw] = pair;
    if (typeof name !== 'string' || !TOKEN.test(name)) throw new InvalidHeaderError(String(name), `Invalid header name ${JSON.stringify(name)}`);
    const value = typeof raw === 'number' ? String(raw) : raw;
    if (typeof value !== 'string') throw new InvalidHeaderError(name, `Invalid value for header \`${name}\`: expected a string`);
    if (BAD_VALUE.test(value)) throw new InvalidHeaderError(name, `Invalid value for header \`${name}\`: CR, LF and NUL are not allowed (header injection)`);
    out.push([name.toLowerCase(), value]);
  }
  return out;
}

/** Throws `InvalidHeaderError` for a path with spaces, CR/LF or control characters. */
export function checkPath(path: unknown): string {
  if (typeof path !== 'string' || path === '' || BAD_PATH.test(path)) {
    throw new InvalidHeaderError(':path', `Invalid request path ${JSON.stringify(path)}: it must be non-empty, without spaces, CR/LF or control characters`);
  }
  return path;
}

export function hasHeader(headers: readonly (readonly [string, string])[], name: string): boolean {
  return headers.some(([n]) => n === name);
}

/** Node's `rawHeaders` (name, value, name, value…) as Gun's list: lowercase names, order and duplicates kept. */
export function fromRawHeaders(raw: readonly string[]): Headers {
  const out: (readonly [string, string])[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push(Object.freeze([raw[i].toLowerCase(), raw[i + 1]] as const));
  return Object.freeze(out);
}

/** Gun's host header: the port is left out for 80 over tcp and 443 over tls; IPv6 in brackets. */
export function hostHeader(host: string, port: number, transport: 'tcp' | 'tls'): string {
  const name = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const isDefault = (transport === 'tcp' && port === 80) || (transport === 'tls' && port === 443);
  return isDefault ? name : `${name}:${port}`;
}
