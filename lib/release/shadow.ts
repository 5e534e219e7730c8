import { IConstruct } from 'constructs';
import { _checkType, _invalid } from '../internal/errors';
import { _GATEWAY_API_LIMITS } from '../gateway/gateway-api-limits';
import { ErrorCode } from '../internal/configuration-error';
import type { IRelease, IReleaseOwner, _ReleasePlan } from '../workloads/release-track';
import { ReleaseTrackProps, _assertPercent, _resolveTrack } from './track-props';

/**
 * A shadow release: its track and the share of requests mirrored to it.
 */
export interface ShadowProps extends ReleaseTrackProps {
  /**
   * The percent of the gateway's routed requests copied to the shadow (Gateway API
   * `RequestMirror` with `percent`), a whole number from 1 to 100. The shadow's
   * responses are discarded; the stable track answers every request.
   */
  readonly percent: number;

  /**
   * Why mirroring is safe although the routes may carry requests that change state
   * (a route matches every method, so a POST is mirrored too): for example, the
   * shadow writes to a store of its own, or runs read-only. A mirrored write runs
   * twice.
   */
  readonly mirrorsWritesReason: string;
}

/**
 * A shadow: the new version runs as a track named `<service>-shadow`, receives a
 * copy of `percent` of the routed requests and answers nobody. No caller, in-cluster
 * or routed, ever reaches it otherwise. End it by removing the release.
 */
export class Shadow implements IRelease {
  public readonly strategy = 'shadow';

  /** @internal */
  constructor(private readonly props: ShadowProps) {}

  /** @internal */
  public _plan(owner: IReleaseOwner, prop: string): _ReleasePlan {
    const track = _resolveTrack(owner, prop, this.strategy, this.props);
    _assertPercent(owner, `${prop}.percent`, this.props.percent, 1, 'use a percent of the routed requests from 1 to 100, such as 5');
    _checkMirrorPercent(owner, `${prop}.percent`, this.props.percent, _GATEWAY_API_LIMITS);
    const reason = this.props.mirrorsWritesReason;
    _checkType(owner, `${prop}.mirrorsWritesReason`, reason, 'string',
      'say why running a mirrored request twice is safe, for example \'the shadow writes to its own store\'');
    if (reason.trim().length === 0) {
      throw _invalid(owner, `${prop}.mirrorsWritesReason`, reason, 'must not be empty: a mirrored request that writes runs twice',
        'say why that is safe, for example \'the shadow writes to its own store\'', ErrorCode.MISSING_REQUIRED);
    }
    return {
      strategy: this.strategy, track: 'shadow', ...track, serviceSelects: 'stable', needsRoute: true, routeWeight: 0, matches: [],
      mirrorPercent: this.props.percent,
    };
  }
}

/** What the mirror check reads of the pinned Gateway API CRDs. @internal */
export interface _MirrorLimits {
  readonly version: string;
  readonly httpRouteMirrorPercent: boolean;
  readonly grpcRouteMirrorPercent: boolean;
}

/**
 * Throws when `percent` is below 100 and the pinned Gateway API release's
 * RequestMirror has no `percent` (it mirrors every request, or is refused): 100 is
 * rendered without the field.
 * @internal
 */
export function _checkMirrorPercent(scope: IConstruct, prop: string, percent: number, limits: _MirrorLimits): void {
  const missing = [...(limits.httpRouteMirrorPercent ? [] : ['HTTPRoute']), ...(limits.grpcRouteMirrorPercent ? [] : ['GRPCRoute'])];
  if (percent < 100 && missing.length > 0) {
    throw _invalid(scope, prop, percent,
      `must be 100 with Gateway API ${limits.version}, whose ${missing.join(' and ')} RequestMirror has no 'percent': a share of the requests cannot be mirrored`,
      'mirror every request (percent 100), or pin a Gateway API release whose RequestMirror has percent (tools/crds.env)', ErrorCode.UNSUPPORTED_BY_IMPLEMENTATION);
  }
}
