import { _invalid } from '../internal/errors';
import { ErrorCode } from '../internal/configuration-error';
import type { IRelease, IReleaseOwner, _ReleasePlan } from '../workloads/release-track';
import { ReleaseTrackProps, _resolveTrack } from './track-props';
import { VariantMatch } from './variant-match';

/**
 * An A/B release: its variant track and the requests that go to it.
 */
export interface AbTestProps extends ReleaseTrackProps {
  /**
   * The requests the gateway sends to the variant: any one of these matches (on the
   * paths and headers each route matches already). Every other request, and every
   * in-cluster call, goes to the stable track.
   */
  readonly matches: VariantMatch[];
}

/**
 * An A/B test: the variant runs as a track named `<service>-variant`, and the
 * gateway's routes send it the requests that match. Promote by setting the
 * service's `image` to the variant's and removing the release; end the test by
 * removing the release.
 */
export class AbTest implements IRelease {
  public readonly strategy = 'a/b';

  /** @internal */
  constructor(private readonly props: AbTestProps) {}

  /** @internal */
  public _plan(owner: IReleaseOwner, prop: string): _ReleasePlan {
    const track = _resolveTrack(owner, prop, this.strategy, this.props);
    const list = this.props.matches;
    if (!Array.isArray(list) || list.length === 0) {
      throw _invalid(owner, `${prop}.matches`, Array.isArray(list) ? '[]' : String(list), 'must list at least one VariantMatch: an A/B test sends the requests that match to the variant',
        'add VariantMatch.header(\'X-Variant\', \'b\'), VariantMatch.cookie(name, value) or VariantMatch.query(name, value)', ErrorCode.MISSING_REQUIRED);
    }
    // each match becomes one HTTPRoute match beside the rule's own (Gateway API allows 64 per rule)
    if (list.length > 8) {
      throw _invalid(owner, `${prop}.matches`, list.length, 'must list at most 8 matches', 'match a single header or cookie that marks the variant\'s users', ErrorCode.OUT_OF_RANGE);
    }
    const matches = list.map((m, i) => {
      if (!(m instanceof VariantMatch)) {
        throw _invalid(owner, `${prop}.matches[${i}]`, String(m), 'must be a VariantMatch', 'use VariantMatch.header(name, value), VariantMatch.cookie(name, value) or VariantMatch.query(name, value)', ErrorCode.WRONG_TYPE);
      }
      return m._check(owner, `${prop}.matches[${i}]`);
    });
    return {
      strategy: this.strategy, track: 'variant', ...track, serviceSelects: 'stable', needsRoute: true, routeWeight: 0, matches,
    };
  }
}
