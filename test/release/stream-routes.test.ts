import { ApiGateway, IRelease, Image, Microservice, Port, Probe, Release, VariantMatch } from '../../lib';
import { find, objects, setup, thrown } from '../_helpers';

const NEXT = Image.fromTag('ghcr.io/acme/ledger', '2.0.0');

/** A TCP service 'ledger' with `release`, routed by a TCP route on port 7000 (and TLS passthrough on ledger.example.com). */
function build(release: IRelease) {
  const { app, platform, context } = setup();
  const ledger = new Microservice(context, 'ledger', {
    image: Image.fromTag('ghcr.io/acme/ledger', '1.0.0'), ports: [Port.tcp(7000, { name: 'ledger' })], readiness: Probe.tcp(), liveness: Probe.exec(['true']), release,
  });
  const gateway = new ApiGateway(app, 'public', { platform, allowPlainHttp: true });
  return { context, gateway, add: () => {
    gateway.addTcpRoute({ listenerPort: 7000, service: ledger });
    gateway.addTlsPassthroughRoute({ host: 'ledger.example.com', service: ledger });
  } };
}

describe('TCP and TLS passthrough routes', () => {
  test('a canary splits their connections by weight; the route counts as the route a canary needs', () => {
    const b = build(Release.canary({ image: NEXT, weight: 20 }));
    b.add();
    const out = [...objects(b.context), ...objects(b.gateway)];
    const refs = [{ group: '', kind: 'Service', name: 'ledger-stable', port: 7000, weight: 80 }, { group: '', kind: 'Service', name: 'ledger-canary', port: 7000, weight: 20 }];
    expect(out.filter(m => m.kind === 'TCPRoute' || m.kind === 'TLSRoute').map(m => m.spec.rules[0].backendRefs)).toEqual([refs, refs]);
  });

  test.each([
    ['an A/B', Release.abTest({ image: NEXT, matches: [VariantMatch.header('X-Variant', 'b')] }), 'matches'],
    ['a shadow', Release.shadow({ image: NEXT, percent: 10, mirrorsWritesReason: 'read-only' }), 'mirrors'],
  ])('fails for %s release, which works on requests', (_what, release, verb) => {
    const e = thrown(() => build(release).add());
    expect(e.prop).toBe('addTcpRoute(service)');
    expect(e.message).toMatch(new RegExp(`must not be a service whose .* release ${verb} requests: a TLS passthrough or TCP route forwards connections`));
  });

  test('without a release, the route names the service', () => {
    const b = build(undefined as unknown as IRelease);
    b.add();
    expect(find(objects(b.gateway), 'TCPRoute', 'public-ledger-tcp-7000').spec.rules[0].backendRefs).toEqual([{ group: '', kind: 'Service', name: 'ledger', port: 7000 }]);
  });
});
