import { IConstruct } from 'constructs';
import { ConfigurationError, ErrorCode, _fmt } from './configuration-error';

export { _fmt };

/**
 * Builds the error every construct throws for bad input. The message names where
 * (construct path), what (prop and value received), what was expected, and how to
 * fix it.
 *
 * @param code the class of mistake (default ErrorCode.INVALID_VALUE)
 * @example
 * orders/payments: 'maxReplicas' (1) must be greater than 'minReplicas' (2); raise maxReplicas or lower minReplicas
 */
export function _invalid(scope: IConstruct, prop: string, value: unknown, expected: string, fix: string,
  code: ErrorCode = ErrorCode.INVALID_VALUE): ConfigurationError {
  return new ConfigurationError({ path: scope.node.path, prop, value, expected, fix, code });
}

/**
 * The message of `_invalid`, for validations that return strings to cdk8s. Prefer
 * `_addValidation` with `_invalid`, which keeps the fields of each error.
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
  _checkType(scope, prop, value, 'string', 'pass a name');
  if (value.length > 63 || !DNS_1123_LABEL.test(value)) {
    throw _invalid(scope, prop, value,
      'must be a DNS-1123 label: at most 63 characters of lower-case letters, digits and \'-\', starting and ending with a letter or digit',
      'rename it, for example \'' + _suggestName(value) + '\'', ErrorCode.INVALID_NAME);
  }
}

/**
 * Throws unless `value` is a DNS-1035 label (Service names: they must start with a letter).
 */
export function _assertDns1035Label(scope: IConstruct, prop: string, value: string): void {
  _checkType(scope, prop, value, 'string', 'pass a name');
  if (value.length > 63 || !DNS_1035_LABEL.test(value)) {
    throw _invalid(scope, prop, value,
      'must be a DNS-1035 label (it becomes a Service name): at most 63 characters of lower-case letters, digits and \'-\', starting with a letter and ending with a letter or digit',
      'rename it, for example \'' + _suggestName(value) + '\'', ErrorCode.INVALID_NAME);
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
  _checkType(scope, prop, value, 'string', fix);
  if (value.length === 0 || value.length > 253 || !DNS_1123_SUBDOMAIN.test(value)) {
    throw _invalid(scope, prop, value,
      'must be an object name (a DNS-1123 subdomain): 1 to 253 characters of lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit',
      fix, ErrorCode.INVALID_NAME);
  }
}

/**
 * Throws unless `value` is a valid Kubernetes label value.
 */
export function _assertLabelValue(scope: IConstruct, prop: string, value: string): void {
  _checkType(scope, prop, value, 'string', 'pass a name');
  if (value.length === 0 || value.length > 63 || !LABEL_VALUE.test(value)) {
    throw _invalid(scope, prop, value,
      'must be a valid label value: 1 to 63 characters of letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit',
      'use a shorter or simpler name', ErrorCode.INVALID_NAME);
  }
}

/**
 * Throws unless `value` is a whole number in [min, max].
 */
export function _assertInteger(scope: IConstruct, prop: string, value: number, min: number, max: number, fix: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
    throw _invalid(scope, prop, value, `must be a whole number ${range}`, fix, typeof value === 'number' ? ErrorCode.OUT_OF_RANGE : ErrorCode.WRONG_TYPE);
  }
}

/** A class, public constructor or not (the enum-like classes have private ones). */
export type _Class<T> = Function & { readonly prototype: T };

/** The kinds `_checkType` tells apart. */
export type _TypeName = 'string' | 'number' | 'boolean' | 'function' | 'array' | 'object';

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function article(kind: string): string {
  return /^[aeiou]/i.test(kind) ? `an ${kind}` : `a ${kind}`;
}

/**
 * Throws `MISSING_REQUIRED` when a required prop is missing (`undefined` or `null`):
 * plain JavaScript and tsx do not type-check, and the prop would otherwise fail later
 * as a bare TypeError without the construct path.
 */
export function _requireProp<T>(scope: IConstruct, prop: string, value: T | undefined | null, fix: string): T {
  if (value === undefined || value === null) {
    throw _invalid(scope, prop, value, 'must be set', fix, ErrorCode.MISSING_REQUIRED);
  }
  return value;
}

/**
 * Throws `WRONG_TYPE` (or `MISSING_REQUIRED` for a missing value) unless `value` is
 * of the JavaScript type `type`.
 */
export function _checkType(scope: IConstruct, prop: string, value: unknown, type: 'string', fix: string): asserts value is string;
export function _checkType(scope: IConstruct, prop: string, value: unknown, type: 'number', fix: string): asserts value is number;
export function _checkType(scope: IConstruct, prop: string, value: unknown, type: 'boolean', fix: string): asserts value is boolean;
export function _checkType(scope: IConstruct, prop: string, value: unknown, type: 'array', fix: string): asserts value is unknown[];
export function _checkType(scope: IConstruct, prop: string, value: unknown, type: _TypeName, fix: string): void;
export function _checkType(scope: IConstruct, prop: string, value: unknown, type: _TypeName, fix: string): void {
  const actual = typeOf(value);
  if (actual === type || (type === 'object' && actual === 'object')) {
    return;
  }
  if (value === undefined || value === null) {
    throw _invalid(scope, prop, value, `must be set (${article(type)})`, fix, ErrorCode.MISSING_REQUIRED);
  }
  throw new ConfigurationError({ path: scope.node.path, prop, value, shown: _describe(value), expected: `must be ${article(type)}`, fix, code: ErrorCode.WRONG_TYPE });
}

/**
 * Throws `WRONG_TYPE` (or `MISSING_REQUIRED` for a missing value) unless `value` is an
 * instance of `type` (a Duration, a Size, a Probe, ...).
 */
export function _instanceOf<T>(scope: IConstruct, prop: string, value: unknown, type: _Class<T>, fix: string): T {
  if (value instanceof type) {
    return value as T;
  }
  if (value === undefined || value === null) {
    throw _invalid(scope, prop, value, `must be set (${article(type.name)})`, fix, ErrorCode.MISSING_REQUIRED);
  }
  throw new ConfigurationError({ path: scope.node.path, prop, value, shown: _describe(value), expected: `must be ${article(type.name)}`, fix, code: ErrorCode.WRONG_TYPE });
}

/**
 * The constants of an enum-like class (`ConcurrencyPolicy.FORBID`, ...): its static
 * fields that hold instances of it.
 */
function constants<T>(type: _Class<T>): Array<[string, T]> {
  return Object.entries(type).filter((e): e is [string, T] => e[1] instanceof type);
}

/**
 * Throws `UNKNOWN_OPTION` unless `value` is one of the constants of the enum-like class
 * `type` (a string such as `'Allow'`, from plain JavaScript or tsx, would otherwise be
 * dropped silently). The message lists the constants and the Kubernetes value each
 * renders.
 */
export function _oneOf<T extends object>(scope: IConstruct, prop: string, value: unknown, type: _Class<T>): T {
  const options = constants(type);
  if (options.some(([, v]) => v === value)) {
    return value as T;
  }
  const spell = (v: T) => {
    const k = (v as { value?: unknown; name?: unknown }).value ?? (v as { name?: unknown }).name;
    return typeof k === 'string' ? ` ('${k}')` : '';
  };
  const listed = options.map(([k, v]) => `${type.name}.${k}${spell(v)}`).join(', ');
  const near = typeof value === 'string'
    ? options.find(([k, v]) => [k, (v as { value?: unknown }).value, (v as { name?: unknown }).name]
      .some(s => typeof s === 'string' && s.toLowerCase() === value.toLowerCase()))
    : undefined;
  throw new ConfigurationError({ path: scope.node.path, prop, value, shown: _describe(value),
    expected: `must be one of ${listed}`,
    fix: near ? `use ${type.name}.${near[0]}` : `use one of the ${type.name} constants`,
    code: ErrorCode.UNKNOWN_OPTION });
}

/** Describes a value for a message about its type: the class name of an object, else `_fmt`. */
export function _describe(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const ctor = (value as object).constructor?.name;
    return ctor && ctor !== 'Object' ? `a ${ctor}` : _fmt(value);
  }
  return typeof value === 'function' ? `function ${(value as { name?: string }).name || '(anonymous)'}` : _fmt(value);
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
