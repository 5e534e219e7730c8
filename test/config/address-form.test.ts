import { AddressForm, Port } from '../../lib';
import { find, microservice, objects, setup } from '../_helpers';

function callerAndCallee() {
  const { context } = setup();
  const cache = microservice(context, 'carts-db', { ports: [Port.tcp(6379, { name: 'redis' }), Port.http(8080, { name: 'metrics', servicePort: 80 })] });
  const checkout = microservice(context, 'checkout');
  return { context, cache, checkout };
}

describe('AddressForm', () => {
  test('hands over a URL by default', () => {
    const { cache, checkout } = callerAndCallee();

    const call = checkout.connectTo(cache);

    expect(call.address.name).toEqual('url');
    expect(call.envVars).toEqual({ CARTS_DB_URL: 'tcp://carts-db.catalog.svc.cluster.local:6379' });
  });

  test('hostPort() hands over host:port as <CALLEE>_ADDR, or the envVar given', () => {
    const { context, cache, checkout } = callerAndCallee();

    const call = checkout.connectTo(cache, { address: AddressForm.hostPort() });
    const metrics = checkout.connectTo(cache, { port: 'metrics', address: AddressForm.hostPort(), envVar: 'CACHE_METRICS' });

    expect(call.envVar).toEqual('CARTS_DB_ADDR');
    expect(checkout.env).toEqual({ CARTS_DB_ADDR: 'carts-db.catalog.svc.cluster.local:6379', CACHE_METRICS: 'carts-db.catalog.svc.cluster.local:80' });
    expect(metrics.envVars).toEqual({ CACHE_METRICS: 'carts-db.catalog.svc.cluster.local:80' });
    expect(find(objects(context), 'NetworkPolicy', 'checkout').spec.egress).toHaveLength(2);
  });

  test('hostAndPort() hands over two variables, named after the callee and a non-first port, or as told', () => {
    const { cache, checkout } = callerAndCallee();

    const redis = checkout.connectTo(cache, { address: AddressForm.hostAndPort() });
    const metrics = checkout.connectTo(cache, { port: 'metrics', address: AddressForm.hostAndPort({ hostVar: 'METRICS_HOST', portVar: 'METRICS_PORT' }) });

    expect(redis.envVar).toBeUndefined();
    expect(redis.envVars).toEqual({ CARTS_DB_HOST: 'carts-db.catalog.svc.cluster.local', CARTS_DB_PORT: '6379' });
    expect(metrics.envVars).toEqual({ METRICS_HOST: 'carts-db.catalog.svc.cluster.local', METRICS_PORT: '80' });
    expect(Object.keys(checkout.env)).toEqual(['CARTS_DB_HOST', 'CARTS_DB_PORT', 'METRICS_HOST', 'METRICS_PORT']);
  });

  test('hostAndPort() defaults name the protocol of a port called by name', () => {
    const { cache, checkout } = callerAndCallee();

    expect(checkout.connectTo(cache, { port: 'metrics', address: AddressForm.hostAndPort() }).envVars)
      .toEqual({ CARTS_DB_HTTP_HOST: 'carts-db.catalog.svc.cluster.local', CARTS_DB_HTTP_PORT: '80' });
  });

  test('none() declares the call, network policy on both sides, and sets no variable', () => {
    const { context, cache, checkout } = callerAndCallee();

    const call = checkout.connectTo(cache, { address: AddressForm.none() });

    expect(call.envVars).toEqual({});
    expect(call.envVar).toBeUndefined();
    expect(checkout.env).toEqual({});
    expect(checkout.configuration.hasConfigMap).toBe(false);
    const out = objects(context);
    expect(find(out, 'NetworkPolicy', 'checkout').spec.egress).toHaveLength(1);
    expect(find(out, 'NetworkPolicy', 'carts-db').spec.ingress).toHaveLength(1);
  });

  test('fails when envVar is given with a form that names its variables itself, or has none', () => {
    const { cache, checkout } = callerAndCallee();

    expect(() => checkout.connectTo(cache, { address: AddressForm.hostAndPort(), envVar: 'CACHE' }))
      .toThrow(/^catalog\/checkout: 'connectTo\(envVar\)' \('CACHE'\) must not be set with AddressForm.hostAndPort\(\), which names its two variables itself; remove envVar and pass hostVar and portVar to AddressForm.hostAndPort\(\)$/);
    expect(() => checkout.connectTo(cache, { address: AddressForm.none(), envVar: 'CACHE' }))
      .toThrow(/^catalog\/checkout: 'connectTo\(envVar\)' \('CACHE'\) must not be set with AddressForm.none\(\), which sets no variable; remove envVar$/);
  });

  test('fails when a repeated call asks for another form', () => {
    const { cache, checkout } = callerAndCallee();
    checkout.connectTo(cache, { address: AddressForm.hostPort() });

    expect(checkout.connectTo(cache, { address: AddressForm.hostPort() }).envVar).toEqual('CARTS_DB_ADDR');
    expect(() => checkout.connectTo(cache, { address: AddressForm.url() }))
      .toThrow(/^catalog\/checkout: 'connectTo\(address\)' \('url'\) must hand over the address as the call to catalog\/carts-db port 'redis' declared before does \(CARTS_DB_ADDR\); declare each call once, with the address form and variables you want$/);
  });

  test('fails when the address is not an AddressForm', () => {
    const { cache, checkout } = callerAndCallee();

    expect(() => checkout.connectTo(cache, { address: 'url' as unknown as AddressForm }))
      .toThrow(/^catalog\/checkout: 'connectTo\(address\)' \('url'\) must be an AddressForm; use AddressForm.url\(\), hostPort\(\), hostAndPort\(\) or none\(\)$/);
  });

  test('fails when a host-and-port variable collides with another variable', () => {
    const { cache, checkout } = callerAndCallee();
    checkout.addEnv('CARTS_DB_PORT', '1');

    expect(() => checkout.connectTo(cache, { address: AddressForm.hostAndPort() }))
      .toThrow(/^catalog\/checkout: 'env' \('CARTS_DB_PORT'\) must be set once, but is set twice/);
  });
});
