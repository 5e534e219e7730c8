import { BackingService } from '../../lib';
import { find, microservice, objects, resolvedEnv, setup } from '../_helpers';

const DB = 'postgresql://orders-db.internal/orders?sslmode=verify-full';

describe('backing services', () => {
  test('the URL is configuration and egress opens to its networks on the scheme default port', () => {
    const { context } = setup();
    const svc = microservice(context, 'orders');
    const db = BackingService.fromUrl(DB, { cidrs: ['10.20.3.0/24', '10.20.4.0/24'] });
    svc.addBackingService('DATABASE_URL', db);
    expect(svc.backingServices).toEqual({ DATABASE_URL: db });
    const out = objects(context);
    expect(resolvedEnv(out, find(out, 'Deployment', 'orders'))).toEqual([{ name: 'DATABASE_URL', value: DB }]);
    expect(find(out, 'NetworkPolicy', 'orders').spec.egress).toEqual([{
      to: [{ ipBlock: { cidr: '10.20.3.0/24' } }, { ipBlock: { cidr: '10.20.4.0/24' } }],
      ports: [{ protocol: 'TCP', port: 5432 }],
    }]);
  });

  test.each([
    ['redis://cache.internal', 6379],
    ['amqps://broker.internal/vhost', 5671],
    ['https://api.provider.example/v2', 443],
    ['mongodb://docs.internal:27018/db', 27018],
  ])('%s opens port %d', (url, port) => {
    const { context } = setup();
    microservice(context, 'orders').addBackingService('URL', BackingService.fromUrl(url, { cidrs: ['10.0.0.1/32'] }));
    expect(find(objects(context), 'NetworkPolicy', 'orders').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port }]);
  });

  test('calls to services come before backing services in the egress rules', () => {
    const { context } = setup();
    const reviews = microservice(context, 'reviews');
    const svc = microservice(context, 'orders');
    svc.addBackingService('DATABASE_URL', BackingService.fromUrl(DB, { cidrs: ['fd00::/64'] }));
    svc.connectTo(reviews);
    const egress = find(objects(context), 'NetworkPolicy', 'orders').spec.egress;
    expect(egress.map((r: { to: Array<{ ipBlock?: unknown }> }) => (r.to[0].ipBlock ? 'ipBlock' : 'service'))).toEqual(['service', 'ipBlock']);
  });

  describe('bad input', () => {
    const add = (url: string, cidrs: string[]) => {
      const { context } = setup();
      return () => microservice(context, 'orders').addBackingService('DATABASE_URL', BackingService.fromUrl(url, { cidrs }));
    };

    test('fails when the URL carries a password, without printing it', () => {
      const run = add('postgresql://orders:s3cret@db.internal/orders', ['10.0.0.0/8']);
      expect(run).toThrow(/^catalog\/orders: 'addBackingService\(DATABASE_URL\).url' \('\(value not shown\)'\) must not carry a password; remove the credentials from the URL/);
      expect(run).not.toThrow(/s3cret/);
    });

    test('fails on an unparsable URL without printing its credentials', () => {
      const run = add('postgresql://u:S3cretPw@db:54x2/db', ['10.0.0.0/8']);
      expect(run).toThrow(/'addBackingService\(DATABASE_URL\).url' \('postgresql:\/\/\*\*\*@db:54x2\/db'\) must be an absolute URL/);
      expect(run).not.toThrow(/S3cretPw/);
    });

    test('fails when the URL is not absolute or its port cannot be known', () => {
      // without '//' it would parse with 'db.internal' as its scheme
      expect(add('db.internal:5432', ['10.0.0.0/8'])).toThrow(/'addBackingService\(DATABASE_URL\).url' \('db.internal:5432'\) must be an absolute URL with a scheme and a host, such as 'postgresql:\/\/orders-db.internal:5432\/orders'; write the URL as scheme:\/\/host:port\/path$/);
      expect(add('postgresql:orders', ['10.0.0.0/8'])).toThrow(/must be an absolute URL with a scheme and a host/);
      expect(add('not a url', ['10.0.0.0/8'])).toThrow(/'addBackingService\(DATABASE_URL\).url' \('not a url'\) must be an absolute URL/);
      expect(add('custom://db.internal/x', ['10.0.0.0/8'])).toThrow(/must name its port: the scheme 'custom' has no default this library knows; add the port to the URL/);
    });

    test('fails when the networks are missing, malformed or everything', () => {
      expect(add(DB, [])).toThrow(/'addBackingService\(DATABASE_URL\).cidrs' \(\[\]\) must name at least one network/);
      expect(add(DB, ['10.0.0.300/24'])).toThrow(/\('10.0.0.300\/24'\) must be an IPv4 or IPv6 network in CIDR notation/);
      expect(add(DB, ['10.0.0.0'])).toThrow(/\('10.0.0.0'\) must be an IPv4 or IPv6 network/);
      expect(add(DB, ['10.0.0.0/33'])).toThrow(/must be an IPv4 or IPv6 network/);
      expect(add(DB, ['0.0.0.0/0'])).toThrow(/\('0.0.0.0\/0'\) must be narrower than every address/);
      expect(add(DB, ['::/0'])).toThrow(/must be narrower than every address/);
      expect(add(DB, ['10.20.0.5/16'])).toThrow(/'addBackingService\(DATABASE_URL\).cidrs' \('10.20.0.5\/16'\) must not have host bits set: .*; write '10.20.0.0\/16' for the network, or '10.20.0.5\/32' for the one address$/);
    });

    test('fails when the variable is already set', () => {
      const { context } = setup();
      const svc = microservice(context, 'orders', { env: { DATABASE_URL: DB } });
      expect(() => svc.addBackingService('DATABASE_URL', BackingService.fromUrl(DB, { cidrs: ['10.0.0.0/8'] })))
        .toThrow(/'env' \('DATABASE_URL'\) must be set once, but is set twice/);
    });
  });
});
