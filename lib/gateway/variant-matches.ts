import * as gw from '../imports/gateway.networking.k8s.io';
import type { _TrackMatch } from '../workloads/release-track';

/**
 * The HTTPRoute matches that send a request to an A/B release's variant: the rule's
 * own match (`base`: path and headers) with one header, cookie or query parameter
 * more, one match per variant match (any of them sends the request to the variant).
 * @internal
 */
export function _variantHttpMatches(base: gw.HttpRouteSpecRulesMatches, matches: readonly _TrackMatch[]): gw.HttpRouteSpecRulesMatches[] {
  return matches.map(m => {
    switch (m.type) {
      case 'query':
        return { ...base, queryParams: [...(base.queryParams ?? []), { type: gw.HttpRouteSpecRulesMatchesQueryParamsType.EXACT, name: m.name, value: m.value }] };
      case 'cookie':
        return { ...base, headers: [...(base.headers ?? []), { type: gw.HttpRouteSpecRulesMatchesHeadersType.REGULAR_EXPRESSION, name: 'Cookie', value: _cookieRegex(m.name, m.value) }] };
      default:
        return { ...base, headers: [...(base.headers ?? []), { type: gw.HttpRouteSpecRulesMatchesHeadersType.EXACT, name: m.name, value: m.value }] };
    }
  });
}

/**
 * A regular expression (RE2) for the Cookie header that matches when cookie `name`
 * has exactly `value`. @internal
 */
export function _cookieRegex(name: string, value: string): string {
  const quote = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `(^|;\\s*)${quote(name)}=${quote(value)}(;|$)`;
}
