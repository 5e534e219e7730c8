import { ApiObject, Chart, DependencyGraph } from 'cdk8s';
import { IConstruct } from 'constructs';

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

/** Runs the validations of `root` and the constructs below it, like cdk8s' app-wide validation. */
export function _validateSubtree(root: IConstruct): void {
  const errors: string[] = [];
  for (const c of root.node.findAll()) {
    for (const e of c.node.validate()) {
      errors.push(`[${c.node.path}] ${e}`);
    }
  }
  if (errors.length > 0) {
    throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  }
}
