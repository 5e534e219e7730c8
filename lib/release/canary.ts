import { _instanceOf, _invalid } from '../internal/errors';
import { ErrorCode } from '../internal/configuration-error';
import { UpdateStrategy } from '../workloads/update-strategy';
import type { IRelease, IReleaseOwner, _ReleasePlan } from '../workloads/release-track';
import { Progression } from './progression';
import { ReleaseTrackProps, _assertPercent, _resolveTrack } from './track-props';

/**
 * A canary release: its track and the share of routed requests it gets.
 */
export interface CanaryProps extends ReleaseTrackProps {
  /**
   * The percent of the gateway's routed requests (HTTPRoute and GRPCRoute) sent to
   * the canary, a whole number from 0 to 100; the stable track gets the rest. Each
   * step of a release is a change of this number.
   *
   * In-cluster callers keep calling the service's own Service, which selects the
   * pods of both tracks: a Service balances connections over pods, not by weight, so
   * the canary gets about `canary pods / (stable pods + canary pods)` of east-west
   * traffic whatever this weight says (unless a mesh route splits it).
   *
   * @default - required without `progression`; with one, its steps set the weight and this is not set
   */
  readonly weight?: number;

  /**
   * A controller that moves the canary through its steps in the cluster
   * (`Progression.argoRollouts(...)`), instead of a code change per step. The service's
   * Deployment becomes the template of the controller's workload and runs
   * `image`; the controller makes the canary's pods itself.
   *
   * @default - no controller: each step is a change of `weight` in code
   */
  readonly progression?: Progression;
}

/**
 * A canary: the new version runs as a track named `<service>-canary` beside the
 * stable one, and the gateway's routes split requests between the two by `weight`.
 * Promote by setting the service's `image` to the canary's and removing the
 * release; roll back by removing the release.
 *
 * With a `progression`, a controller runs the canary instead: see
 * `Progression.argoRollouts(...)`.
 */
export class Canary implements IRelease {
  public readonly strategy = 'canary';

  /** @internal */
  constructor(private readonly props: CanaryProps) {}

  /** @internal */
  public _plan(owner: IReleaseOwner, prop: string): _ReleasePlan {
    const track = _resolveTrack(owner, prop, this.strategy, this.props);
    if (this.props.progression !== undefined) {
      return this.planProgression(owner, prop, track);
    }
    _assertPercent(owner, `${prop}.weight`, this.props.weight as number, 0, 'use a percent of the routed requests from 0 to 100, such as 10');
    return {
      strategy: this.strategy, track: 'canary', ...track, serviceSelects: 'all', needsRoute: true,
      routeWeight: this.props.weight as number, matches: [],
    };
  }

  /** A canary that a controller moves: its steps set the weight, and it may run the stable image (adopted, or at rest). */
  private planProgression(owner: IReleaseOwner, prop: string, track: ReturnType<typeof _resolveTrack>): _ReleasePlan {
    const progression = _instanceOf(owner, `${prop}.progression`, this.props.progression, Progression, 'use Progression.argoRollouts({ steps: [...] })');
    if (this.props.weight !== undefined) {
      throw _invalid(owner, `${prop}.weight`, this.props.weight, `must not be set with '${prop}.progression': ${progression.controller} sets the weight by its steps`,
        'remove weight, or remove progression and move the weight in code', ErrorCode.CONFLICT);
    }
    for (const field of ['minReplicas', 'maxReplicas'] as const) {
      if (this.props[field] !== undefined) {
        throw _invalid(owner, `${prop}.${field}`, this.props[field], `must not be set with '${prop}.progression': ${progression.controller} sizes the canary by the weight of its step, from the service's own replicas`,
          `remove ${field}; the service's minReplicas and maxReplicas bound both versions`, ErrorCode.CONFLICT);
      }
    }
    if (owner.updateStrategy === UpdateStrategy.RECREATE) {
      throw _invalid(owner, `${prop}.progression`, progression.controller, 'must not move a service whose updateStrategy is UpdateStrategy.RECREATE, which never runs two versions at once, as a canary does',
        'use UpdateStrategy.SURGE or UpdateStrategy.REPLACE, or remove the progression', ErrorCode.CONFLICT);
    }
    return {
      strategy: this.strategy, track: 'canary', ...track, serviceSelects: 'all', needsRoute: true,
      // at rest: the controller leaves every request on the stable Service
      routeWeight: 0, matches: [],
      sameImage: `${progression.controller} adopts the running version, or holds it at rest between releases`,
      progression: progression._plan(owner, `${prop}.progression`),
    };
  }
}
