import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import {
  ApiGateway, Environment, ErrorCode, GatewayTls, KubernetesVersion, RemoteRef, ResourceSizing, SecretSource, SecretStore, StatefulService, Worker,
  Image, Probe,
} from '../../lib';
import { find, microservice, objects, setup, storeProps, thrown } from '../_helpers';

/** A platform 'shop' for `env`, with a context 'catalog'. */
function envSetup(env: Environment, platformProps = {}) {
  return setup({}, { environment: env, ...platformProps });
}

describe('Environment', () => {
  test('defaults: nothing bounded, sized as declared, no hosts, no TLS issuer, no plain HTTP, no literal secrets, no stores, the newest Kubernetes', () => {
    const env = Environment.of('prod');
    expect(env.name).toBe('prod');
    expect(env.replicas).toBeUndefined();
    expect(env.resources).toBe(ResourceSizing.AS_DECLARED);
    expect(env.resources.toString()).toBe('as declared');
    expect(env.hosts).toEqual({});
    expect(env.quota).toEqual({});
    expect(env.secretStores).toEqual({});
    expect(env.tlsIssuer).toBeUndefined();
    expect(env.allowPlainHttp).toBe(false);
    expect(env.allowLiteralSecrets).toBe(false);
    expect(env.kubernetesVersion).toBe(KubernetesVersion.NEWEST);
    expect(env.exposure).toBeUndefined();
    expect(ResourceSizing.percent({}).toString()).toBe('as declared');
  });

  test('a build without an environment and one with an empty environment render the same', () => {
    const plain = setup();
    microservice(plain.context, 'products', { minReplicas: 3, maxReplicas: 9 });
    const withEnv = envSetup(Environment.of('prod'));
    microservice(withEnv.context, 'products', { minReplicas: 3, maxReplicas: 9 });
    expect(objects(withEnv.context)).toEqual(objects(plain.context));
    expect(objects(withEnv.platform)).toEqual(objects(plain.platform));
  });

  test('declared() is equal exactly when two environments declare the same', () => {
    const a = Environment.of('a', { replicas: { max: 2 }, hosts: { api: 'api.a.example.com' } });
    const b = Environment.of('b', { replicas: { max: 2 }, hosts: { api: 'api.a.example.com' } });
    const c = Environment.of('c', { replicas: { max: 3 }, hosts: { api: 'api.c.example.com' }, quota: { catalog: { pods: 5 } } });
    expect(a.declared()).toEqual(b.declared());
    expect(a.declared().replicas).toBe('min 1, max 2');
    expect(c.declared().replicas).not.toBe(a.declared().replicas);
    expect(c.declared().hosts).not.toBe(a.declared().hosts);
    expect(c.declared().quota).not.toBe(a.declared().quota);
    expect(Object.keys(a.declared())).toEqual(['replicas', 'resources', 'quota', 'hosts', 'tlsIssuer', 'allowPlainHttp', 'allowLiteralSecrets',
      'secretStores', 'kubernetesVersion', 'exposure']);
  });

  describe('replicas', () => {
    test('clamps autoscaler bounds into the environment bounds, keeping a range', () => {
      const { context } = envSetup(Environment.of('dev', { replicas: { max: 3 } }));
      const svc = microservice(context, 'products', { minReplicas: 3, maxReplicas: 12 });
      expect([svc.minReplicas, svc.maxReplicas]).toEqual([2, 3]);
      const hpa = find(objects(context), 'HorizontalPodAutoscaler', 'products');
      expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([2, 3]);
      const low = microservice(context, 'reviews', { minReplicas: 1, maxReplicas: 2 });
      expect([low.minReplicas, low.maxReplicas]).toEqual([1, 2]);
      // a range is kept only as far as the bounds allow
      const tight = envSetup(Environment.of('tight', { replicas: { min: 2, max: 2 } }));
      const pinned = microservice(tight.context, 'products', { minReplicas: 3, maxReplicas: 12 });
      expect([pinned.minReplicas, pinned.maxReplicas]).toEqual([2, 2]);
    });

    test('raises autoscaler bounds and fixed counts above 1 to min, never a singleton', () => {
      const { context } = envSetup(Environment.of('prod', { replicas: { min: 3 } }));
      const svc = microservice(context, 'products');
      expect([svc.minReplicas, svc.maxReplicas]).toEqual([3, 4]);
      const worker = new Worker(context, 'relay', { image: Image.fromTag('ghcr.io/acme/relay', '1.0.0'), readiness: Probe.exec(['ready']), liveness: Probe.exec(['alive']), replicas: 1 });
      expect(worker.replicas).toBe(1);
      const pair = new Worker(context, 'pair', { image: Image.fromTag('ghcr.io/acme/pair', '1.0.0'), readiness: Probe.exec(['ready']), liveness: Probe.exec(['alive']), replicas: 2 });
      expect(pair.replicas).toBe(3);
      const hpa = find(objects(context), 'HorizontalPodAutoscaler', 'pair').spec;
      expect([hpa.minReplicas, hpa.maxReplicas]).toEqual([3, 3]);
      expect(find(objects(context), 'HorizontalPodAutoscaler', 'relay').spec.maxReplicas).toBe(1);
    });

    test('bounds a store\'s replica count', () => {
      const { context } = envSetup(Environment.of('dev', { replicas: { max: 2 } }));
      const owner = microservice(context, 'products');
      const store = new StatefulService(context, 'cache', storeProps([owner], { replicas: 3 }));
      expect(store.replicas).toBe(2);
    });

    test('fails when the bounds are not whole numbers from 1, or max is below min', () => {
      expect(thrown(() => Environment.of('dev', { replicas: { max: 0 } })).message)
        .toBe('environment dev: \'replicas.max\' (0) must be a whole number from 1 to 10000; bound the replicas with a whole number of pods');
      expect(thrown(() => Environment.of('dev', { replicas: { min: 1.5 } })).code).toBe(ErrorCode.OUT_OF_RANGE);
      const e = thrown(() => Environment.of('dev', { replicas: { min: 3, max: 2 } }));
      expect(e.message).toBe('environment dev: \'replicas.max\' (2) must be at least replicas.min (3); raise replicas.max or lower replicas.min');
    });
  });

  describe('resources', () => {
    test('scales CPU and memory requests and limits, rounded up to whole millicores and mebibytes', () => {
      const { context } = envSetup(Environment.of('dev', { resources: ResourceSizing.percent({ cpu: 25, memory: 50 }) }));
      microservice(context, 'products', {
        resources: { cpu: { request: Cpu.millis(250), limit: Cpu.millis(1000) }, memory: { request: Size.mebibytes(385), limit: Size.mebibytes(385) } },
      });
      const c = find(objects(context), 'Deployment', 'products').spec.template.spec.containers[0].resources;
      expect(c.requests).toMatchObject({ cpu: '63m', memory: '193Mi' });
      expect(c.limits).toMatchObject({ cpu: '250m', memory: '193Mi' });
      expect(ResourceSizing.percent({ cpu: 25, memory: 50 }).toString()).toBe('cpu 25%, memory 50%');
    });

    test('fails when a percentage is out of range or the sizing is not a ResourceSizing', () => {
      expect(thrown(() => Environment.of('dev', { resources: ResourceSizing.percent({ cpu: 0 }) })).message)
        .toBe('environment dev: \'resources.cpu\' (0) must be a whole percentage from 1 to 1000; use 100 for the declared size, less for a smaller cluster');
      expect(thrown(() => Environment.of('dev', { resources: { cpuPercent: 50 } as unknown as ResourceSizing })).code).toBe(ErrorCode.WRONG_TYPE);
    });
  });

  describe('quota', () => {
    test('merges the environment\'s fields over the context\'s quota', () => {
      const { context } = envSetup(Environment.of('dev', { quota: { catalog: { pods: 12 } } }), {});
      const quota = find(objects(context), 'ResourceQuota', 'context-quota');
      expect(quota.spec.hard.pods).toBe('12');
      expect(quota.spec.hard['requests.cpu']).toBe('8');
    });

    test('fails at synth when a quota key names no context', () => {
      const { platform } = envSetup(Environment.of('dev', { quota: { shipping: { pods: 12 } } }));
      const e = thrown(() => objects(platform));
      expect(e.message).toContain('\'environment.quota.shipping\' (\'shipping\') must name a bounded context of the platform (known: catalog)');
    });
  });

  describe('hosts', () => {
    test('host(key) gives the environment\'s host name', () => {
      expect(Environment.of('dev', { hosts: { shop: 'shop.dev.example.com' } }).host('shop')).toBe('shop.dev.example.com');
    });

    test('fails when host(key) names a key the environment does not declare', () => {
      const e = thrown(() => Environment.of('dev', { hosts: { api: 'api.dev.example.com' } }).host('shop'));
      expect(e).toMatchObject({ code: ErrorCode.UNKNOWN_REFERENCE, prop: 'host(shop)' });
      expect(e.message).toBe('environment dev: \'host(shop)\' (\'shop\') must be a key of the environment\'s hosts (known: api); add shop to hosts of Environment.of(\'dev\'), or use a known key');
      expect(thrown(() => Environment.of('dev').host('api')).message).toContain('(known: none)');
    });

    test('fails when a host is not a DNS host name', () => {
      expect(thrown(() => Environment.of('dev', { hosts: { api: 'API' } })).code).toBe(ErrorCode.INVALID_NAME);
    });
  });

  describe('gateway: TLS issuer, plain HTTP and exposure', () => {
    const gateway = (env: Environment, extra = {}) => {
      const { app, platform, context } = envSetup(env);
      const g = new ApiGateway(app, 'gateway', { platform, hosts: ['api.example.com'], ...extra });
      g.addRoute({ host: 'api.example.com', path: '/catalog', service: microservice(context, 'products') });
      return g;
    };

    test('a gateway without tls takes the environment\'s issuer', () => {
      const g = gateway(Environment.of('prod', { tlsIssuer: 'letsencrypt-prod' }));
      expect(g.tls?.issuerName).toBe('letsencrypt-prod');
      expect(find(objects(g), 'Gateway', 'gateway').metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'letsencrypt-prod' });
    });

    test('a gateway in a plain-HTTP environment serves HTTP', () => {
      const g = gateway(Environment.of('dev', { allowPlainHttp: true }));
      expect(g.allowPlainHttp).toBe(true);
      expect(g.tls).toBeUndefined();
    });

    test('the exposure sets the source ranges and proxies', () => {
      const g = gateway(Environment.of('dev', { allowPlainHttp: true, exposure: { allowedSourceRanges: ['10.0.0.0/8'], proxyReplicas: 3 } }));
      expect(g.proxyReplicas).toBe(3);
      expect(find(objects(g), 'SecurityPolicy', 'gateway').spec.authorization.rules[0].principal.clientCIDRs).toEqual(['10.0.0.0/8']);
    });

    test('fails when the gateway\'s tls names another issuer than the environment', () => {
      const e = thrown(() => gateway(Environment.of('prod', { tlsIssuer: 'letsencrypt-prod' }), { tls: GatewayTls.certManager('other') }));
      expect(e).toMatchObject({ code: ErrorCode.CONFLICT, prop: 'tls' });
      expect(e.message).toBe('gateway: \'tls\' (\'GatewayTls.certManager(\'other\')\') must not differ from environment \'prod\', which declares tlsIssuer \'letsencrypt-prod\'; '
        + 'declare it in Environment.of(\'prod\') only, and remove tls from the gateway\'s props');
    });

    test('fails when the gateway sets tls or refuses plain HTTP in a plain-HTTP environment', () => {
      expect(thrown(() => gateway(Environment.of('dev', { allowPlainHttp: true }), { tls: GatewayTls.fromSecret('t') })).prop).toBe('tls');
      expect(thrown(() => gateway(Environment.of('dev', { allowPlainHttp: true }), { allowPlainHttp: false })).prop).toBe('allowPlainHttp');
    });

    test('fails when the gateway sets an exposure value that differs from the environment\'s', () => {
      const e = thrown(() => gateway(Environment.of('dev', { allowPlainHttp: true, exposure: { proxyReplicas: 3 } }), { proxyReplicas: 2 }));
      expect(e).toMatchObject({ code: ErrorCode.CONFLICT, prop: 'proxyReplicas' });
      expect(e.message).toContain('must not differ from the exposure of environment \'dev\' (3)');
      // the same value twice is accepted
      expect(gateway(Environment.of('dev', { allowPlainHttp: true, exposure: { proxyReplicas: 3 } }), { proxyReplicas: 3 }).proxyReplicas).toBe(3);
    });

    test('fails when an environment asks for both a TLS issuer and plain HTTP, or names a bad issuer', () => {
      const e = thrown(() => Environment.of('dev', { tlsIssuer: 'letsencrypt', allowPlainHttp: true }));
      expect(e).toMatchObject({ code: ErrorCode.CONFLICT, prop: 'allowPlainHttp' });
      expect(thrown(() => Environment.of('dev', { tlsIssuer: 'Lets Encrypt' })).code).toBe(ErrorCode.INVALID_NAME);
    });
  });

  describe('secrets', () => {
    const addDb = (env: Environment, platformProps = {}) => {
      const { context } = envSetup(env, platformProps);
      const svc = microservice(context, 'products');
      svc.addSecret('db', SecretSource.fromExternalSecret({ store: SecretStore.cluster('vault'), data: { password: RemoteRef.of('db/password') } }));
      return context;
    };

    test('an ExternalSecret reads from the store the environment puts in place of the one the code names', () => {
      const context = addDb(Environment.of('dev', { secretStores: { vault: SecretStore.cluster('vault-dev') } }));
      expect(find(objects(context), 'ExternalSecret', 'products-db').spec.secretStoreRef).toEqual({ name: 'vault-dev', kind: 'ClusterSecretStore' });
      const other = addDb(Environment.of('dev', { secretStores: { other: SecretStore.namespaced('x') } }));
      expect(find(objects(other), 'ExternalSecret', 'products-db').spec.secretStoreRef.name).toBe('vault');
    });

    test('fails when a secret store is not a store', () => {
      expect(thrown(() => Environment.of('dev', { secretStores: { vault: { name: 'v', kind: 'Vault' } } })).code).toBe(ErrorCode.WRONG_TYPE);
    });

    test('literal secrets follow the environment', () => {
      const { context, platform } = envSetup(Environment.of('local', { allowLiteralSecrets: true }));
      expect(platform.allowLiteralSecrets).toBe(true);
      microservice(context, 'products').addSecret('api', SecretSource.fromLiterals({ key: 'local-only' }));
      expect(find(objects(context), 'Secret', 'products-api').stringData).toEqual({ key: 'local-only' });
      expect(thrown(() => {
        const refused = envSetup(Environment.of('prod'));
        microservice(refused.context, 'products').addSecret('api', SecretSource.fromLiterals({ key: 'x' }));
        objects(refused.context);
      }).code).toBe(ErrorCode.PLAINTEXT_SECRET);
    });
  });

  describe('Platform props given both directly and through the environment', () => {
    test('the environment\'s kubernetesVersion is the platform\'s, and the same value given twice is accepted', () => {
      const env = Environment.of('old', { kubernetesVersion: KubernetesVersion.V1_33 });
      expect(envSetup(env).platform.kubernetesVersion).toBe(KubernetesVersion.V1_33);
      expect(envSetup(env, { kubernetesVersion: KubernetesVersion.V1_33 }).platform.kubernetesVersion).toBe(KubernetesVersion.V1_33);
      // undeclared in the environment: the platform's own prop
      expect(envSetup(Environment.of('x'), { kubernetesVersion: KubernetesVersion.V1_31 }).platform.kubernetesVersion).toBe(KubernetesVersion.V1_31);
    });

    test('fails when a Platform prop differs from the environment\'s', () => {
      const e = thrown(() => envSetup(Environment.of('old', { kubernetesVersion: KubernetesVersion.V1_33 }), { kubernetesVersion: KubernetesVersion.V1_31 }));
      expect(e).toMatchObject({ code: ErrorCode.CONFLICT, prop: 'kubernetesVersion' });
      expect(e.message).toBe('shop: \'kubernetesVersion\' (\'1.31\') must not differ from the environment \'old\', which declares \'1.33\'; '
        + 'declare kubernetesVersion in Environment.of(\'old\') only, and remove it from the Platform\'s props');
      expect(thrown(() => envSetup(Environment.of('dev', { allowLiteralSecrets: false }), { allowLiteralSecrets: true })).prop).toBe('allowLiteralSecrets');
    });

    test('fails when the environment is not an Environment', () => {
      expect(thrown(() => setup({}, { environment: { name: 'dev' } as unknown as Environment })).code).toBe(ErrorCode.WRONG_TYPE);
      expect(thrown(() => Environment.of('dev', { kubernetesVersion: '1.33' as unknown as KubernetesVersion })).code).toBe(ErrorCode.WRONG_TYPE);
    });
  });

  test('fails when the name is not a DNS label', () => {
    const e = thrown(() => Environment.of('Prod'));
    expect(e).toMatchObject({ code: ErrorCode.INVALID_NAME, prop: 'name' });
    expect(e.message).toBe('environment Prod: \'name\' (\'Prod\') must be a DNS label such as \'dev\', \'staging\' or \'prod\' (it names the output directory); use lower-case letters, digits and \'-\'');
  });
});
