import { Release } from '../../lib';
import { _GATEWAY_API_LIMITS } from '../../lib/gateway/gateway-api-limits';
import { _checkMirrorPercent } from '../../lib/release/shadow';
import { find, thrown } from '../_helpers';
import { NEXT, buildRelease, rendered } from './_release';

const ROUTE = 'public-products-https-api-example-com';

describe('shadow', () => {
  const shadow = (percent = 5, reason = 'the shadow writes to a store of its own') => Release.shadow({ image: NEXT, percent, mirrorsWritesReason: reason });

  test('a share of the routed requests is mirrored; the stable track answers all of them', () => {
    const out = rendered(buildRelease(shadow(5)));
    const [rule] = find(out, 'HTTPRoute', ROUTE).spec.rules;
    expect(rule.filters).toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: { group: '', kind: 'Service', name: 'products-shadow', port: 8080 }, percent: 5 } }]);
    expect(rule.backendRefs).toEqual([{ group: '', kind: 'Service', name: 'products-stable', port: 8080 }]);
    const [grpc] = find(out, 'GRPCRoute', ROUTE).spec.rules;
    expect(grpc.filters).toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: { group: '', kind: 'Service', name: 'products-shadow', port: 9090 }, percent: 5 } }]);
    // no caller reaches the shadow otherwise
    expect(find(out, 'Service', 'products').spec.selector['app.kubernetes.io/instance']).toBe('products');
  });

  describe('bad input', () => {
    test.each([0, 101, 2.5])('fails when the percent is %p', percent => {
      expect(thrown(() => buildRelease(shadow(percent))).message).toMatch(/'release.percent' .* must be a whole number between 1 and 100/);
    });

    test('fails without a reason to mirror requests that may write', () => {
      expect(thrown(() => buildRelease(shadow(5, ' '))).message)
        .toBe("catalog/products: 'release.mirrorsWritesReason' (' ') must not be empty: a mirrored request that writes runs twice; say why that is safe, for example 'the shadow writes to its own store'");
      expect(thrown(() => buildRelease(Release.shadow({ image: NEXT, percent: 5 } as any))).code).toBe('MISSING_REQUIRED');
    });
  });
});

test('a shadow of every request renders RequestMirror without percent', () => {
  const [rule] = find(rendered(buildRelease(Release.shadow({ image: NEXT, percent: 100, mirrorsWritesReason: 'read-only' }))), 'HTTPRoute', ROUTE).spec.rules;
  expect(rule.filters).toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: { group: '', kind: 'Service', name: 'products-shadow', port: 8080 } } }]);
});

describe('a Gateway API release whose RequestMirror has no percent', () => {
  const old = { version: 'v1.1.0', httpRouteMirrorPercent: false, grpcRouteMirrorPercent: false };
  const scope = buildRelease(undefined).products;

  test('fails for a share below 100', () => {
    const e = thrown(() => _checkMirrorPercent(scope, 'release.percent', 5, old));
    expect(e.message).toBe("catalog/products: 'release.percent' (5) must be 100 with Gateway API v1.1.0, whose HTTPRoute and GRPCRoute RequestMirror has no 'percent': "
      + 'a share of the requests cannot be mirrored; mirror every request (percent 100), or pin a Gateway API release whose RequestMirror has percent (tools/crds.env)');
    expect(e.code).toBe('UNSUPPORTED_BY_IMPLEMENTATION');
  });

  test('mirrors every request', () => {
    expect(() => _checkMirrorPercent(scope, 'release.percent', 100, old)).not.toThrow();
  });

  test('the pinned release has percent on both routes', () => {
    expect(() => _checkMirrorPercent(scope, 'release.percent', 5, _GATEWAY_API_LIMITS)).not.toThrow();
    expect(_GATEWAY_API_LIMITS).toMatchObject({ httpRouteMirrorPercent: true, grpcRouteMirrorPercent: true });
  });
});
