import { Release } from '../../lib';
import { find, thrown } from '../_helpers';
import { NEXT, buildRelease, rendered } from './_release';

const ROUTE = 'public-products-https-api-example-com';

describe('shadow', () => {
  const shadow = (percent = 5, reason = 'the shadow writes to a store of its own') => Release.shadow({ image: NEXT, percent, mirrorsWritesReason: reason });

  test('a share of the routed requests is mirrored; the stable track answers all of them', () => {
    const out = rendered(buildRelease(shadow(5)));
    const [rule] = find(out, 'HTTPRoute', ROUTE).spec.rules;
    expect(rule.filters).toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'products-shadow', port: 8080 }, percent: 5 } }]);
    expect(rule.backendRefs).toEqual([{ name: 'products-stable', port: 8080 }]);
    const [grpc] = find(out, 'GRPCRoute', ROUTE).spec.rules;
    expect(grpc.filters).toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'products-shadow', port: 9090 }, percent: 5 } }]);
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
