import { Release, VariantMatch } from '../../lib';
import { find, thrown } from '../_helpers';
import { NEXT, buildRelease, rendered } from './_release';

const ROUTE = 'public-products-https-api-example-com';

describe('A/B test', () => {
  const ab = (...matches: VariantMatch[]) => Release.abTest({ image: NEXT, matches });

  test('requests that match go to the variant; every other request and in-cluster call to the stable track', () => {
    const out = rendered(buildRelease(ab(VariantMatch.header('X-Variant', 'b'), VariantMatch.cookie('variant', 'b'), VariantMatch.query('variant', 'b'))));
    const [variant, rest] = find(out, 'HTTPRoute', ROUTE).spec.rules;
    const path = { type: 'PathPrefix', value: '/products' };
    expect(variant.matches).toEqual([
      { path, headers: [{ type: 'Exact', name: 'X-Variant', value: 'b' }] },
      { path, headers: [{ type: 'RegularExpression', name: 'Cookie', value: '(^|;\\s*)variant=b(;|$)' }] },
      { path, queryParams: [{ type: 'Exact', name: 'variant', value: 'b' }] },
    ]);
    expect(variant.backendRefs).toEqual([{ group: '', kind: 'Service', name: 'products-variant', port: 8080 }]);
    expect(rest.matches).toEqual([{ path }]);
    expect(rest.backendRefs).toEqual([{ group: '', kind: 'Service', name: 'products-stable', port: 8080, weight: 100 }, { group: '', kind: 'Service', name: 'products-variant', port: 8080, weight: 0 }]);
    expect(find(out, 'Service', 'products').spec.selector).toEqual({ 'app.kubernetes.io/name': 'products', 'app.kubernetes.io/instance': 'products' });
    expect(find(out, 'Deployment', 'products-variant').spec.template.metadata.labels['cdk8s-microservices.io/track']).toBe('variant');
  });

  test('gRPC routes match the headers', () => {
    const out = rendered(buildRelease(ab(VariantMatch.header('x-variant', 'b'), VariantMatch.query('variant', 'b'))));
    const [variant, rest] = find(out, 'GRPCRoute', ROUTE).spec.rules;
    expect(variant.matches).toEqual([{ headers: [{ type: 'Exact', name: 'x-variant', value: 'b' }] }]);
    expect(variant.backendRefs).toEqual([{ group: '', kind: 'Service', name: 'products-variant', port: 9090 }]);
    expect(rest.backendRefs.map((b: any) => b.weight)).toEqual([100, 0]);
  });

  describe('bad input', () => {
    test('fails when a header name is not an HTTP header name', () => {
      const e = thrown(() => buildRelease(ab(VariantMatch.header('X Variant', 'b'))));
      expect(e.path).toBe('catalog/products');
      expect(e.prop).toBe('release.matches[0].name');
      expect(e.message).toMatch(/'release.matches\[0\].name' \('X Variant'\) must be an HTTP header name/);
      expect(e.code).toBe('INVALID_NAME');
    });

    test('fails when a cookie name or value is not one', () => {
      expect(thrown(() => buildRelease(ab(VariantMatch.cookie('a=b', 'b')))).prop).toBe('release.matches[0].name');
      expect(thrown(() => buildRelease(ab(VariantMatch.cookie('variant', 'b;c')))).prop).toBe('release.matches[0].value');
    });

    test('fails without matches', () => {
      const e = thrown(() => buildRelease(ab()));
      expect(e.message).toMatch(/'release.matches' \('\[\]'\) must list at least one VariantMatch/);
    });

    test('fails without a route', () => {
      const b = buildRelease(ab(VariantMatch.header('X-Variant', 'b')), { routed: false });
      expect(() => rendered(b)).toThrow(/'release' \('a\/b'\) must be on a service that a gateway routes/);
    });
  });
});

test('fails when a gRPC route cannot match any of the variant\'s matches', () => {
  expect(() => buildRelease(Release.abTest({ image: NEXT, matches: [VariantMatch.query('variant', 'b')] })))
    .toThrow("public: 'addGrpcRoute(service)' ('catalog/products') must not be a service whose a/b release matches only cookies or query parameters, which a GRPCRoute cannot match: its gRPC calls would never reach the variant; add a VariantMatch.header(...) to the release, or route the service's HTTP port only");
});
