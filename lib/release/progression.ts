import { ApiObject, Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { _assertInteger, _checkType, _instanceOf, _invalid } from '../internal/errors';
import { _wholeSeconds } from '../internal/duration';
import { ErrorCode } from '../internal/configuration-error';
import type { _ProgressionTarget, _ReleaseProgression } from '../workloads/release-track';
import { ProgressionAnalysis, _ResolvedAnalysis } from './progression-analysis';
import { _ResolvedStep, _renderArgoRollout } from './argo-rollouts';

/**
 * One step of an automated progression, which the controller takes in order.
 */
export class ProgressionStep {
  /** Sends `percent` (1 to 100) of the routed requests to the canary; each such step raises the share. */
  public static setWeight(percent: number): ProgressionStep {
    return new ProgressionStep('setWeight', percent);
  }

  /** Waits `duration` (a whole number of seconds, at least 1), then goes on. */
  public static pause(duration: Duration): ProgressionStep {
    return new ProgressionStep('pause', duration);
  }

  /** Waits until someone promotes the rollout (`kubectl argo rollouts promote <service> -n <context>`). */
  public static pauseUntilPromoted(): ProgressionStep {
    return new ProgressionStep('pauseUntilPromoted');
  }

  /** Runs the progression's analysis, and goes on when it passes (the release is aborted when it fails). */
  public static analysis(): ProgressionStep {
    return new ProgressionStep('analysis');
  }

  private constructor(
    /** The step's kind: setWeight, pause, pauseUntilPromoted or analysis. */
    public readonly kind: string,
    private readonly value?: number | Duration,
  ) {}

  /** The step, checked and resolved. @internal */
  public _resolve(scope: IConstruct, prop: string): _ResolvedStep {
    switch (this.kind) {
      case 'setWeight':
        _assertInteger(scope, prop, this.value as number, 1, 100, 'use ProgressionStep.setWeight(percent) with a percent of the routed requests from 1 to 100');
        return { setWeight: this.value as number };
      case 'pause': {
        const d = _instanceOf(scope, prop, this.value, Duration, 'use ProgressionStep.pause(Duration.minutes(n)), or ProgressionStep.pauseUntilPromoted() to wait for a person');
        const seconds = d.toMilliseconds() > 0 ? _wholeSeconds(scope, prop, d, 1, 'Argo Rollouts pauses for whole seconds') : 0;
        if (seconds <= 0) {
          throw _invalid(scope, prop, `${d.toMilliseconds() / 1000}s`, 'must be a positive duration',
            'use ProgressionStep.pause(Duration.minutes(n)), or ProgressionStep.pauseUntilPromoted() to wait until someone promotes the rollout', ErrorCode.OUT_OF_RANGE);
        }
        return { pause: { duration: `${seconds}s` } };
      }
      case 'pauseUntilPromoted':
        return { pause: {} };
      default:
        return { analysis: true };
    }
  }
}

/**
 * How Argo Rollouts moves a canary.
 */
export interface ArgoRolloutsProps {
  /**
   * The steps the controller takes, in order, each time the release's image changes:
   * `setWeight` steps (increasing), pauses and analyses. After the last step the
   * canary becomes the stable version.
   *
   * @example [ProgressionStep.setWeight(10), ProgressionStep.pause(Duration.minutes(5)), ProgressionStep.analysis(), ProgressionStep.setWeight(50), ProgressionStep.pauseUntilPromoted()]
   */
  readonly steps: ProgressionStep[];

  /**
   * The analysis that `ProgressionStep.analysis()` steps run.
   *
   * @default - no analysis: the steps move on time and promotions alone
   */
  readonly analysis?: ProgressionAnalysis;
}

/**
 * A canary's automated progression: a controller in the cluster, not a code change,
 * moves the canary through its steps.
 *
 * @example
 * Release.canary({
 *   image: Image.fromTag('ghcr.io/acme/products', '1.9.0'),
 *   progression: Progression.argoRollouts({
 *     steps: [ProgressionStep.setWeight(10), ProgressionStep.pause(Duration.minutes(10)), ProgressionStep.setWeight(50), ProgressionStep.pauseUntilPromoted()],
 *   }),
 * });
 */
export class Progression {
  /**
   * Argo Rollouts with its Gateway API traffic router plugin (`argoproj-labs/gatewayAPI`):
   * a `Rollout` whose workloadRef is the service's Deployment, moving the weights of the
   * HTTPRoutes and GRPCRoutes that reach the service.
   */
  public static argoRollouts(props: ArgoRolloutsProps): Progression {
    return new Progression('Argo Rollouts', props);
  }

  private constructor(
    /** The controller that moves the canary. */
    public readonly controller: string,
    private readonly props: ArgoRolloutsProps,
  ) {}

  /**
   * The progression, checked against the service (`scope`, naming `prop` in errors) and
   * ready to render.
   * @internal
   */
  public _plan(scope: IConstruct, prop: string): _ReleaseProgression {
    const p = this.props;
    if (p === undefined || p === null || typeof p !== 'object') {
      throw _invalid(scope, prop, String(p), 'must be the props of an Argo Rollouts progression', 'pass { steps: [ProgressionStep.setWeight(10), ...] }', ErrorCode.WRONG_TYPE);
    }
    _checkType(scope, `${prop}.steps`, p.steps, 'array', 'list the steps, such as [ProgressionStep.setWeight(10), ProgressionStep.pause(Duration.minutes(5))]');
    if (p.steps.length === 0) {
      throw _invalid(scope, `${prop}.steps`, '[]', 'must hold at least one step: without steps the controller sends every request to the new version at once',
        'add steps, such as ProgressionStep.setWeight(10) and ProgressionStep.pauseUntilPromoted()', ErrorCode.MISSING_REQUIRED);
    }
    const analysis = p.analysis === undefined ? undefined
      : _instanceOf(scope, `${prop}.analysis`, p.analysis, ProgressionAnalysis, 'use ProgressionAnalysis.errorRatio({ prometheusAddress, query, maxErrorRatio })')._resolve(scope, `${prop}.analysis`);
    let weight = 0;
    const steps = p.steps.map((step, i) => {
      const at = `${prop}.steps[${i}]`;
      const resolved = _instanceOf(scope, at, step, ProgressionStep,
        'use ProgressionStep.setWeight(percent), .pause(duration), .pauseUntilPromoted() or .analysis()')._resolve(scope, at);
      if (resolved.setWeight !== undefined) {
        if (resolved.setWeight <= weight) {
          throw _invalid(scope, at, `setWeight(${resolved.setWeight})`, `must raise the weight above the step before's (${weight}): a progression only moves forward`,
            'order the setWeight steps by increasing weight; to go back, abort the rollout', ErrorCode.CONFLICT);
        }
        weight = resolved.setWeight;
      }
      if (resolved.analysis && !analysis) {
        throw _invalid(scope, at, 'analysis()', `must have an analysis to run: '${prop}.analysis' is not set`,
          'declare analysis: ProgressionAnalysis.errorRatio({ prometheusAddress, query, maxErrorRatio }), or remove the step', ErrorCode.MISSING_REQUIRED);
      }
      return resolved;
    });
    return new _ArgoRolloutsPlan(this.controller, steps, analysis);
  }
}

/** An Argo Rollouts progression, resolved. @internal */
class _ArgoRolloutsPlan implements _ReleaseProgression {
  public readonly scaleTarget = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout' };

  constructor(public readonly controller: string, private readonly steps: _ResolvedStep[], private readonly analysis?: _ResolvedAnalysis) {}

  public _render(target: _ProgressionTarget): ApiObject {
    return _renderArgoRollout(target, this.steps, this.analysis);
  }
}
