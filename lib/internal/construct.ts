import { Construct } from 'constructs';
import { ConfigurationError, ErrorCode, _fmt } from './configuration-error';

/** What a construct must be created in, for `_checkScope`. */
export interface _ScopeRule {
  /** The kind of scope, as users know it: 'BoundedContext', 'Platform', 'a cdk8s App or Chart'. */
  readonly name: string;
  /** Whether `scope` is one. */
  readonly test: (scope: Construct) => boolean;
  /** A call that shows the right scope, for the fix. */
  readonly example: string;
}

/** Any construct: an App, a Chart, a Platform, ... */
export const _ANY_SCOPE: _ScopeRule = { name: 'construct scope (a cdk8s App or Chart)', test: () => true, example: 'new App()' };

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Construct.isConstruct(value)) return `${value.constructor.name} '${value.node.path || '(the app)'}'`;
  return typeof value === 'object' ? `a ${(value as object).constructor?.name ?? 'object'}` : _fmt(value);
}

/**
 * Checks, before the constructs library sees them, the scope and id a construct of
 * kind `kind` is created with, so that a wrong call fails with the construct path,
 * what was received and how to fix it (the constructs library's own messages name
 * none of these, and `npm run synth` runs through tsx, which does not type-check):
 * the scope must be a construct of the expected kind; the id a non-empty name
 * without '/'; unique among the scope's children.
 *
 * @returns the id, for `super(scope, _checkScope(...))`
 */
export function _checkScope(kind: string, scope: unknown, id: unknown, rule: _ScopeRule): string {
  const where = Construct.isConstruct(scope) ? scope.node.path : '';
  const at = (name: unknown) => (where ? `${where}/${String(name)}` : String(name));
  if (!Construct.isConstruct(scope) || !rule.test(scope)) {
    throw new ConfigurationError({ path: at(id), prop: 'scope', value: scope, shown: describe(scope), expected: `must be a ${rule.name} to create a ${kind} in`,
      fix: `pass it as the first argument, for example ${rule.example}`, code: ErrorCode.WRONG_SCOPE });
  }
  if (typeof id !== 'string' || id.length === 0 || id.includes('/')) {
    throw new ConfigurationError({ path: where || '(the app)', prop: 'id', value: id,
      expected: `of a ${kind} must be a non-empty name without '/'`, fix: 'name it after what it is, for example \'catalog\' or \'products\'',
      code: typeof id === 'string' ? ErrorCode.INVALID_NAME : id === undefined || id === null ? ErrorCode.MISSING_REQUIRED : ErrorCode.WRONG_TYPE });
  }
  const existing = scope.node.tryFindChild(id);
  if (existing) {
    throw new ConfigurationError({ path: at(id), prop: 'id', value: id, expected: `must be unique in ${where ? `'${where}'` : 'the app'}, but ${describe(existing)} has it already`,
      fix: 'rename one of the two', code: ErrorCode.DUPLICATE });
  }
  return id;
}

/**
 * Checks that a prop holds an object of the expected kind (tsx does not type-check:
 * a plain object or a missing value would otherwise fail later as a bare TypeError).
 * `test` is the kind's brand check: `instanceof` cannot tell cdk8s Charts apart
 * (Chart's Symbol.hasInstance answers true for every Chart).
 */
export function _checkInstance<T>(path: string, prop: string, value: unknown, kind: string, test: (v: unknown) => v is T, fix: string): T {
  if (!test(value)) {
    throw new ConfigurationError({ path, prop, value, shown: describe(value), expected: `must be a ${kind}`, fix,
      code: value === undefined || value === null ? ErrorCode.MISSING_REQUIRED : ErrorCode.WRONG_TYPE });
  }
  return value;
}

/**
 * Marks `obj` as an instance of the library kind `brand`, for `_isBranded`: the
 * `instanceof` of a cdk8s Chart subclass is true for every Chart.
 */
export function _brand(obj: object, brand: string): void {
  Object.defineProperty(obj, Symbol.for(`cdk8s-microservices.${brand}`), { value: true });
}

/** Whether `value` was marked with `_brand(value, brand)`. */
export function _isBranded(value: unknown, brand: string): boolean {
  return typeof value === 'object' && value !== null && Symbol.for(`cdk8s-microservices.${brand}`) in value;
}

/**
 * The checks of a chart created in an app with a `platform` prop (BoundedContext,
 * ApiGateway, IngressGateway): scope, id, and that `props.platform` is a Platform.
 * @returns the id
 */
export function _checkPlatformChart(kind: string, scope: unknown, id: unknown, props: { platform?: unknown } | undefined, example: string): string {
  _checkScope(kind, scope, id, _ANY_SCOPE);
  const where = (scope as Construct).node.path;
  _checkInstance(`${where ? `${where}/` : ''}${String(id)}`, 'platform', props?.platform, 'Platform', (v): v is object => _isBranded(v, 'Platform'),
    `create the Platform first and pass it: ${example}`);
  return id as string;
}
