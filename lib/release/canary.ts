import type { IRelease, IReleaseOwner, _ReleasePlan } from '../workloads/release-track';
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
   */
  readonly weight: number;
}

/**
 * A canary: the new version runs as a track named `<service>-canary` beside the
 * stable one, and the gateway's routes split requests between the two by `weight`.
 * Promote by setting the service's `image` to the canary's and removing the
 * release; roll back by removing the release.
 */
export class Canary implements IRelease {
  public readonly strategy = 'canary';

  /** @internal */
  constructor(private readonly props: CanaryProps) {}

  /** @internal */
  public _plan(owner: IReleaseOwner, prop: string): _ReleasePlan {
    const track = _resolveTrack(owner, prop, this.strategy, this.props);
    _assertPercent(owner, `${prop}.weight`, this.props.weight, 0, 'use a percent of the routed requests from 0 to 100, such as 10');
    return {
      strategy: this.strategy, track: 'canary', ...track, serviceSelects: 'all', needsRoute: true,
      routeWeight: this.props.weight, matches: [],
    };
  }
}
