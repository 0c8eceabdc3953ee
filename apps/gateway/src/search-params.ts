import { SearchParamsSchema, type SearchParams } from '@paperwire/schema';

export interface ParameterIssue {
  parameter: string;
  message: string;
}

export type ParsedSearchParams = { ok: true; params: SearchParams } | { ok: false; issues: ParameterIssue[] };

const INTEGER_PARAMETERS = new Set(['limit', 'offset']);
// `Number()` would also accept `0x10`, `1e1` or an empty string; a query string spells integers in decimal.
const DECIMAL_INTEGER = /^-?\d{1,16}$/;

/**
 * Validates a parsed query string against `SearchParamsSchema`.
 *
 * Whatever query parser produced `query`, each parameter must arrive exactly once as a plain
 * string: a repeated key (`q=a&q=b`) becomes an array under Express's parsers and a bracketed
 * key (`q[]=x`, `q[a]=x`) an array, an object or a key of its own, depending on the parser.
 * Every issue names the parameter it is about, by its name without brackets.
 */
export function parseSearchParams(query: Record<string, unknown>): ParsedSearchParams {
  const issues = new Map<string, string>();
  const values: Record<string, string> = {};
  const report = (parameter: string, message: string) => {
    if (!issues.has(parameter)) issues.set(parameter, message);
  };

  for (const [key, value] of Object.entries(query)) {
    const parameter = parameterName(key);
    if (!isKnown(parameter)) report(parameter, 'unknown parameter');
    else if (key !== parameter || typeof value !== 'string')
      report(parameter, `${parameter} must be a single string`);
    else if (INTEGER_PARAMETERS.has(parameter) && !DECIMAL_INTEGER.test(value.trim()))
      report(parameter, `${parameter} must be an integer`);
    else {
      const field = SearchParamsSchema.shape[parameter].safeParse(value);
      if (field.success) values[parameter] = value;
      else report(parameter, field.error.issues[0]?.message ?? `${parameter} is invalid`);
    }
  }
  // Cross-parameter rules only make sense once every parameter is valid on its own.
  if (issues.size > 0) return { ok: false, issues: toList(issues) };

  const result = SearchParamsSchema.safeParse(values);
  if (result.success) return { ok: true, params: result.data };
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') for (const key of issue.keys) report(key, 'unknown parameter');
    else report(String(issue.path[0] ?? 'query'), issue.message);
  }
  return { ok: false, issues: toList(issues) };
}

type KnownParameter = keyof typeof SearchParamsSchema.shape;

function isKnown(name: string): name is KnownParameter {
  return Object.hasOwn(SearchParamsSchema.shape, name);
}

function parameterName(key: string): string {
  const bracket = key.indexOf('[');
  return bracket > 0 ? key.slice(0, bracket) : key;
}

function toList(issues: Map<string, string>): ParameterIssue[] {
  return [...issues].map(([parameter, message]) => ({ parameter, message }));
}
