import { Testing } from 'cdk8s';
import { AccessRule, ApiGateway, BoundedContext, ClusterAccess, Image, IngressGateway, Microservice, Platform, Port, Probe, Subject, Worker } from '../../lib';

// `npm run synth` runs through tsx, which does not type-check: these calls are what a
// user's untyped mistakes look like at run time.
/* eslint-disable @typescript-eslint/no-explicit-any */
const untyped = (v: unknown) => v as any;

describe('construct scopes and ids', () => {
  test('fails when an id is empty or holds \'/\', naming the scope and the fix', () => {
    const app = Testing.app();
    expect(() => new Platform(app, '')).toThrow(/^\(the app\): 'id' \(''\) of a Platform must be a non-empty name without '\/'; name it after what it is/);
    const platform = new Platform(app, 'shop');
    expect(() => new BoundedContext(app, 'a/b', { platform, team: 'x' })).toThrow(/^\(the app\): 'id' \('a\/b'\) of a BoundedContext must be a non-empty name without '\/'/);
    expect(() => new BoundedContext(app, untyped(undefined), { platform, team: 'x' })).toThrow(/'id' \(undefined\) of a BoundedContext must be a non-empty name/);
  });

  test('fails when an id repeats, naming what has it already', () => {
    const app = Testing.app();
    const platform = new Platform(app, 'shop');
    new BoundedContext(app, 'catalog', { platform, team: 'catalog-team' });

    expect(() => new BoundedContext(app, 'catalog', { platform, team: 'other-team' }))
      .toThrow(/^catalog: 'id' \('catalog'\) must be unique in the app, but BoundedContext 'catalog' has it already; rename one of the two$/);
    expect(() => new BoundedContext(app, 'shop', { platform, team: 'x' })).toThrow(/^shop: 'id' \('shop'\) must be unique in the app, but Platform 'shop' has it already/);
  });

  test('fails when created in the wrong scope, naming what was passed', () => {
    const app = Testing.app();
    const platform = new Platform(app, 'shop');
    const context = new BoundedContext(app, 'catalog', { platform, team: 'catalog-team' });
    const props = { subjects: [Subject.group('sre')], rules: [AccessRule.read('', ['nodes'])], reason: 'SREs inspect node conditions' };

    expect(() => new ClusterAccess(untyped(context), 'nodes', props))
      .toThrow(/^catalog\/nodes: 'scope' \(BoundedContext 'catalog'\) must be a Platform to create a ClusterAccess in; pass it as the first argument, for example new ClusterAccess\(platform, 'node-readers', \{ \.\.\. \}\)$/);
    expect(() => new Platform(untyped({}), 'shop2')).toThrow(/^shop2: 'scope' \(a Object\) must be a construct scope/);
    expect(() => new ClusterAccess(platform, 'nodes', props)).not.toThrow();
  });

  test('fails when a bounded context is given no Platform, or something else', () => {
    const app = Testing.app();
    expect(() => new BoundedContext(app, 'catalog', untyped({ team: 'catalog-team' })))
      .toThrow(/^catalog: 'platform' \(undefined\) must be a Platform; create the Platform first and pass it/);
    expect(() => new BoundedContext(app, 'orders', untyped({ platform: 'shop', team: 'x' }))).toThrow(/^orders: 'platform' \('shop'\) must be a Platform/);
    expect(() => new BoundedContext(app, 'orders', untyped(undefined))).toThrow(/^orders: 'platform' \(undefined\) must be a Platform/);
  });

  test('isPlatform and isBoundedContext tell the charts apart (instanceof cannot: every Chart passes it)', () => {
    const app = Testing.app();
    const platform = new Platform(app, 'shop');
    const context = new BoundedContext(app, 'catalog', { platform, team: 'catalog-team' });

    expect(context instanceof Platform).toBe(true); // cdk8s Chart's Symbol.hasInstance
    expect([Platform.isPlatform(platform), Platform.isPlatform(context), Platform.isPlatform({})]).toEqual([true, false, false]);
    expect([BoundedContext.isBoundedContext(context), BoundedContext.isBoundedContext(platform), BoundedContext.isBoundedContext(undefined)]).toEqual([true, false, false]);
  });
});

describe('workload scopes', () => {
  test('fails when a workload is created outside a bounded context, naming what was passed and how to fix it', () => {
    const app = Testing.app();
    const platform = new Platform(app, 'shop');
    const props = { image: Image.fromTag('ghcr.io/acme/products', '1.0.0'), ports: [Port.http(8080)], readiness: Probe.http('/ready'), liveness: Probe.http('/live') };

    expect(() => new Microservice(untyped(platform), 'products', props))
      .toThrow(/^shop\/products: 'scope' \(Platform 'shop'\) must be a BoundedContext to create a Microservice in; pass it as the first argument, for example new Microservice\(catalog, 'products', \{ \.\.\. \}\), where catalog = new BoundedContext\(app, 'catalog', \{ platform, team \}\)$/);
    expect(() => new Worker(untyped(app), 'relay', { ...props, ports: [] })).toThrow(/^relay: 'scope' \(App '\(the app\)'\) must be a BoundedContext to create a Worker in/);
    const context = new BoundedContext(app, 'catalog', { platform, team: 'catalog-team' });
    expect(() => new Microservice(context, '', props)).toThrow(/^catalog: 'id' \(''\) of a Microservice must be a non-empty name without '\/'/);
  });
});

describe('gateway scopes', () => {
  test('fails when a gateway is given no Platform, or a repeated id', () => {
    const app = Testing.app();
    const platform = new Platform(app, 'shop');
    expect(() => new ApiGateway(app, 'gateway', untyped({ hosts: ['api.example.com'] })))
      .toThrow(/^gateway: 'platform' \(undefined\) must be a Platform; create the Platform first and pass it: new ApiGateway\(app, 'gateway', \{ platform, hosts: \['api.example.com'\], tls \}\)$/);
    expect(() => new IngressGateway(app, 'shop', untyped({ platform, hosts: ['api.example.com'] })))
      .toThrow(/^shop: 'id' \('shop'\) must be unique in the app, but Platform 'shop' has it already; rename one of the two$/);
  });
});
