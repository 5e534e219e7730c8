import { _invalid, _oneOf } from '../internal/errors';
import { ErrorCode } from '../internal/configuration-error';
import type { IRelease, IReleaseOwner, _ReleasePlan } from '../workloads/release-track';
import { ReleaseTrackProps, _resolveTrack } from './track-props';

/**
 * A colour of a blue-green pair. Blue is the service's stable Deployment (named
 * after the service, running its `image`); green is the release's track (named
 * `<service>-green`, running `release.image`).
 */
export class Colour {
  /** The stable Deployment, named after the service. */
  public static readonly BLUE = new Colour('blue');
  /** The release's track, `<service>-green`. */
  public static readonly GREEN = new Colour('green');

  private constructor(
    /** The colour's name. */
    public readonly name: string,
  ) {}
}

/**
 * How the idle green track runs while blue takes the traffic.
 */
export class IdleScale {
  /** With its own autoscaler between its minReplicas and maxReplicas, ready to take the traffic at once. */
  public static readonly WARM = new IdleScale('warm');
  /** At zero replicas (no autoscaler): no cost while idle; scale it WARM, wait for its pods, then switch. */
  public static readonly ZERO = new IdleScale('zero');

  private constructor(
    /** The mode's name. */
    public readonly name: string,
  ) {}
}

/**
 * A blue-green release: which colour takes the traffic, and how the idle one runs.
 */
export interface BlueGreenProps extends ReleaseTrackProps {
  /**
   * The colour that takes all traffic: the service's own Service (what in-cluster
   * callers call) and the gateway's routes select its pods alone. Switching is a
   * change of this one prop.
   */
  readonly active: Colour;

  /**
   * How the green track runs while blue is active. Blue, the stable Deployment,
   * always keeps its own autoscaler: while green is active it is the rollback.
   *
   * @default IdleScale.WARM
   */
  readonly idle?: IdleScale;
}

/**
 * A blue-green release: the new version runs as `<service>-green` beside the stable
 * (blue) Deployment, and all traffic goes to one colour. Promote by switching
 * `active` to GREEN, then setting the service's `image` to green's (blue rolls to
 * it while green serves: the one step where both colours may run the same image),
 * then removing the release (the Service selects blue again, now on the new
 * version); roll back by switching to BLUE.
 */
export class BlueGreen implements IRelease {
  public readonly strategy = 'blue-green';

  /** @internal */
  constructor(private readonly props: BlueGreenProps) {}

  /** @internal */
  public _plan(owner: IReleaseOwner, prop: string): _ReleasePlan {
    const track = _resolveTrack(owner, prop, this.strategy, this.props);
    const active = _oneOf(owner, `${prop}.active`, this.props.active, Colour);
    const idle = _oneOf(owner, `${prop}.idle`, this.props.idle ?? IdleScale.WARM, IdleScale);
    if (idle === IdleScale.ZERO && active === Colour.GREEN) {
      throw _invalid(owner, `${prop}.idle`, 'IdleScale.ZERO', 'must not scale green to zero while green is active: it takes all the traffic',
        'use IdleScale.WARM, or switch active to Colour.BLUE first', ErrorCode.CONFLICT);
    }
    const scaling = idle === IdleScale.ZERO ? { minReplicas: 0, maxReplicas: 0 } : track.scaling;
    return {
      strategy: this.strategy, track: 'green', ...track, scaling, serviceSelects: active === Colour.GREEN ? 'track' : 'stable',
      needsRoute: false, routeWeight: active === Colour.GREEN ? 100 : 0, matches: [],
      ...(active === Colour.GREEN ? { sameImage: 'blue rolls to the new version while green serves' } : {}),
    };
  }
}
