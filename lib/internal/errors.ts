import { IConstruct } from 'constructs';

/**
 * Formats a value for an error message as the user wrote it: strings are quoted,
 * numbers JSON cannot hold (`Infinity`, `NaN`) as JavaScript writes them, everything
 * else as compact JSON.
 */
export function _fmt(value: unknown): string {
  if (typeof value === 'string') {
    return `'${value}'`;
  }
  if (value === undefined || (typeof value === 'number' && !Number.isFinite(value))) {
    return String(value);
  }
  if (Array.isArray(value) && value.some(v => typeof v === 'number' && !Number.isFinite(v))) {
    return `[${value.map(_fmt).join(',')}]`;
  }
  return JSON.stringify(value);
}

/**
 * Builds the error every construct throws for bad input. The message names where
 * (construct path), what (prop and value received), what was expected, and how to
 * fix it.
 *
 * @example
 * orders/payments: 'maxReplicas' (1) must be greater than 'minReplicas' (2); raise maxReplicas or lower minReplicas
 */
export function _invalid(scope: IConstruct, prop: string, value: unknown, expected: string, fix: string): Error {
  return new Error(_message(scope.node.path, prop, value, expected, fix));
}

/**
 * The message of `_invalid`, for validations that return strings to cdk8s.
 */
export function _message(path: string, prop: string, value: unknown, expected: string, fix: string): string {
  return `${path}: '${prop}' (${_fmt(value)}) ${expected}; ${fix}`;
}

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * Throws unless `value` is a DNS-1123 label (namespaces, most object names).
 */
export function _assertDns1123Label(scope: IConstruct, prop: string, value: string): void {
  if (value.length > 63 || !DNS_1123_LABEL.test(value)) {
    throw _invalid(scope, prop, value,
      'must be a DNS-1123 label: at most 63 characters of lower-case letters, digits and \'-\', starting and ending with a letter or digit',
      'rename it, for example \'' + _suggestName(value) + '\'');
  }
}

/**
 * Throws unless `value` is a DNS-1035 label (Service names: they must start with a letter).
 */
export function _assertDns1035Label(scope: IConstruct, prop: string, value: string): void {
  if (value.length > 63 || !DNS_1035_LABEL.test(value)) {
    throw _invalid(scope, prop, value,
      'must be a DNS-1035 label (it becomes a Service name): at most 63 characters of lower-case letters, digits and \'-\', starting with a letter and ending with a letter or digit',
      'rename it, for example \'' + _suggestName(value) + '\'');
  }
}

const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Throws unless `value` is a DNS-1123 subdomain (the names of Secrets, ConfigMaps,
 * secret stores, issuers and most other objects a reference points at). An empty
 * reference renders, and the API server or the operator's CRD schema rejects it only
 * at apply time: here it fails at synth.
 */
export function _assertDns1123Subdomain(scope: IConstruct, prop: string, value: string, fix: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253 || !DNS_1123_SUBDOMAIN.test(value)) {
    throw _invalid(scope, prop, value,
      'must be an object name (a DNS-1123 subdomain): 1 to 253 characters of lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit',
      fix);
  }
}

/**
 * Throws unless `value` is a valid Kubernetes label value.
 */
export function _assertLabelValue(scope: IConstruct, prop: string, value: string): void {
  if (value.length === 0 || value.length > 63 || !LABEL_VALUE.test(value)) {
    throw _invalid(scope, prop, value,
      'must be a valid label value: 1 to 63 characters of letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit',
      'use a shorter or simpler name');
  }
}

/**
 * Throws unless `value` is a whole number in [min, max].
 */
export function _assertInteger(scope: IConstruct, prop: string, value: number, min: number, max: number, fix: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
    throw _invalid(scope, prop, value, `must be a whole number ${range}`, fix);
  }
}

function _suggestName(value: string): string {
  const s = value.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '').slice(0, 63).replace(/-+$/, '');
  return s.length > 0 ? s : 'my-name';
}

/**
 * Orders strings by UTF-16 code units, the same on every machine and locale (unlike
 * `localeCompare`), so that rendered YAML does not depend on where it is synthesized.
 */
export function _compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
