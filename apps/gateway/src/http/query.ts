import type { z } from 'zod';

export interface ParameterIssue {
  parameter: string;
  message: string;
}

/**
 * One query-string parameter: how it is validated and how it is documented, from the same schema.
 *
 * `schema` receives a string (a list parameter: the array of its values) or `undefined` when the
 * parameter is absent, so it is `.optional()` or has a `.default()`. Its input JSON Schema is the
 * parameter's schema in the OpenAPI document.
 */
export interface QueryParameter<S extends z.ZodType = z.ZodType> {
  schema: S;
  description: string;
  /**
   * Repeated (`a=1&a=2`) or comma-separated (`a=1,2`) values, at most `max` of them; the schema
   * receives them as an array.
   */
  list?: { max: number };
  /**
   * Spelled in decimal digits. Checked before the schema, because coercion (`Number()`) would also
   * take `0x10`, `1e1` or an empty string.
   */
  integer?: boolean;
  example?: string;
}

export type QueryParameters = Record<string, QueryParameter>;

export type QueryValues<P extends QueryParameters> = { [K in keyof P]: z.output<P[K]['schema']> };

export type ParsedQuery<P extends QueryParameters> =
  { ok: true; values: QueryValues<P> } | { ok: false; issues: ParameterIssue[] };

const DECIMAL_INTEGER = /^[+-]?\d+$/;

/**
 * Validates a query string parsed by Express's `simple` parser (Node's querystring), where a
 * repeated key arrives as an array and a bracketed key (`q[]`, `q[a]`) as a key of its own.
 *
 * Every issue names the parameter it is about, by its name without brackets, once.
 */
export function parseQuery<P extends QueryParameters>(
  parameters: P,
  query: Record<string, unknown>,
): ParsedQuery<P> {
  const issues = new Map<string, string>();
  const report = (parameter: string, message: string) => {
    if (!issues.has(parameter)) issues.set(parameter, message);
  };
  const values: Record<string, unknown> = {};

  for (const [key, raw] of Object.entries(query)) {
    const name = parameterName(key);
    if (!Object.hasOwn(parameters, name)) {
      report(name, 'unknown parameter');
      continue;
    }
    const spec = parameters[name] as QueryParameter;
    if (key !== name) {
      report(name, `${name} is a plain parameter (${name}=value), not ${key}`);
      continue;
    }
    const strings = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : null;
    if (strings === null || !strings.every((s): s is string => typeof s === 'string')) {
      report(name, `${name} must be a string`);
      continue;
    }
    const parsed = spec.list ? parseList(name, spec, strings) : parseScalar(name, spec, strings);
    if (parsed.ok) values[name] = parsed.value;
    else report(name, parsed.message);
  }

  for (const [name, spec] of Object.entries(parameters)) {
    if (Object.hasOwn(values, name) || issues.has(name)) continue;
    const absent = spec.schema.safeParse(undefined);
    if (absent.success) values[name] = absent.data;
    else report(name, `${name} is required`);
  }

  if (issues.size > 0)
    return { ok: false, issues: [...issues].map(([parameter, message]) => ({ parameter, message })) };
  return { ok: true, values: values as QueryValues<P> };
}

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

function parseScalar(name: string, spec: QueryParameter, strings: string[]): Parsed {
  if (strings.length !== 1) return { ok: false, message: `${name} must be given once` };
  const value = strings[0] as string;
  if (spec.integer && !DECIMAL_INTEGER.test(value.trim())) {
    return { ok: false, message: `${name} must be an integer` };
  }
  return check(name, spec.schema, value);
}

function parseList(name: string, spec: QueryParameter, strings: string[]): Parsed {
  const items = strings.flatMap((s) => s.split(',')).map((s) => s.trim());
  if (items.some((s) => s === '')) return { ok: false, message: `${name} has an empty value` };
  const max = spec.list?.max ?? Infinity;
  if (items.length > max) return { ok: false, message: `${name} takes at most ${max} values` };
  if (spec.integer && !items.every((s) => DECIMAL_INTEGER.test(s))) {
    return { ok: false, message: `${name} must be integers` };
  }
  return check(name, spec.schema, items);
}

function check(name: string, schema: z.ZodType, value: unknown): Parsed {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, message: messageOf(name, result.error) };
}

/** The first issue, worded to start with the parameter's name. */
export function messageOf(name: string, error: z.ZodError): string {
  const message = error.issues[0]?.message ?? 'is invalid';
  return message.startsWith(name) ? message : `${name}: ${message}`;
}

function parameterName(key: string): string {
  const bracket = key.indexOf('[');
  return bracket > 0 ? key.slice(0, bracket) : key;
}

/** A 400 message naming every issue. */
export function describeIssues(issues: ParameterIssue[]): string {
  return issues
    .map((i) => (i.message.startsWith(i.parameter) ? i.message : `${i.parameter}: ${i.message}`))
    .join('; ');
}
