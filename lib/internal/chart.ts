import { ApiObject, Chart, DependencyGraph } from 'cdk8s';
import { IConstruct, IValidation } from 'constructs';
import { ConfigurationError, ConfigurationErrors, ErrorCode, ValidationFinding } from './configuration-error';

/**
 * The base of the library's charts (Platform, BoundedContext, ApiGateway).
 *
 * cdk8s' `Chart.toJson()` prepares the whole app before it renders one chart: it
 * resolves the dependencies of every construct of the app and validates every
 * construct of the app, and `App.synth()` calls it once per chart after doing the
 * same once itself. With one chart per bounded context that is (charts + 1) passes
 * over the app: synthesis time grows with the square of its size (measured: 1,000
 * services took 7.7 s, 2,000 took 22 s).
 *
 * Here a chart renders from its own subtree: it validates only its own constructs
 * and orders only its own objects. That is all a chart's output depends on: the
 * dependencies cdk8s infers across charts never order objects inside a chart (its
 * dependency graph skips edges that leave the chart), and `App.synth()` still
 * resolves and validates the whole app once, before it writes anything. So every
 * construct is validated at most twice in a synth, whatever the number of charts.
 * @internal
 */
export class _Chart extends Chart {
  public override toJson(): any[] {
    _validateSubtree(this);
    return new DependencyGraph(this.node).topology()
      .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === this)
      .map(o => o.toJson());
  }
}

/**
 * A validation whose errors keep their fields: cdk8s gets their messages, and
 * `_validationErrors` gets the errors themselves.
 */
class StructuredValidation implements IValidation {
  /** The errors of the last run. */
  public last: ConfigurationError[] = [];

  public constructor(private readonly check: () => ConfigurationError[]) {}

  public validate(): string[] {
    this.last = this.check();
    return this.last.map(e => e.message);
  }
}

const STRUCTURED = new WeakMap<IConstruct, StructuredValidation[]>();

/**
 * Adds a validation to `scope` that cdk8s runs at synth. `check` returns the errors it
 * finds (built with `_invalid`); cdk8s sees their messages, and `_validationErrors` and
 * `_throwIfInvalid` the errors with their fields.
 */
export function _addValidation(scope: IConstruct, check: () => ConfigurationError[]): void {
  const v = new StructuredValidation(check);
  scope.node.addValidation(v);
  STRUCTURED.set(scope, [...(STRUCTURED.get(scope) ?? []), v]);
}

/**
 * Runs the validations of `root` and the constructs below it, like cdk8s' app-wide
 * validation, and returns what they find, in cdk8s' order. A message from a
 * validation that returns plain strings (one of cdk8s, or of the user) becomes a
 * ConfigurationError with code INVALID_VALUE whose message is that string.
 */
export function _validationFindings(root: IConstruct): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  for (const c of root.node.findAll()) {
    const messages = c.node.validate();
    if (messages.length === 0) continue;
    const ours = (STRUCTURED.get(c) ?? []).flatMap(v => v.last);
    for (const message of messages) {
      const i = ours.findIndex(e => e.message === message);
      const error = i >= 0 ? ours.splice(i, 1)[0] : _foreign(c, message);
      findings.push({ validatedAt: c.node.path, error });
    }
  }
  return findings;
}

/** The errors the validations of `root` and the constructs below it find. */
export function _validationErrors(root: IConstruct): ConfigurationError[] {
  return _validationFindings(root).map(f => f.error);
}

/**
 * Throws a `ConfigurationErrors` holding every error the validations of `root` and
 * the constructs below it find, with cdk8s' message
 * (`Validation failed with the following errors:\n  [path] message...`).
 */
export function _throwIfInvalid(root: IConstruct): void {
  const findings = _validationFindings(root);
  if (findings.length > 0) {
    throw new ConfigurationErrors(findings);
  }
}

/** Runs the validations of `root` and the constructs below it, like cdk8s' app-wide validation. */
export function _validateSubtree(root: IConstruct): void {
  _throwIfInvalid(root);
}

/** A message of a validation that returns plain strings, as a ConfigurationError whose message is that string. */
function _foreign(c: IConstruct, message: string): ConfigurationError {
  const e = new ConfigurationError({ path: c.node.path, prop: '', value: undefined, expected: message, fix: '', code: ErrorCode.INVALID_VALUE });
  Object.defineProperty(e, 'message', { value: message, writable: true, configurable: true, enumerable: false });
  return e;
}
