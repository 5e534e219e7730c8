import { BoundedContext, Microservice, MicroserviceProps, Probe, RemoteRef, SecretSource, SecretStore } from '../../lib';
import { find, Manifest, microservice, objects, resolvedEnv, setup } from '../_helpers';

function service(context: BoundedContext, extra: Partial<MicroserviceProps> = {}, id = 'products'): Microservice {
  return microservice(context, id, extra);
}

const configMaps = (out: Manifest[]) => out.filter(o => o.kind === 'ConfigMap');

describe('configuration', () => {
  test('env and files live in one immutable ConfigMap named after a hash of its content', () => {
    const { context } = setup();
    const svc = service(context, { env: { LOG_FORMAT: 'json' }, configFiles: { 'app.yaml': 'a: 1\n' } });
    expect(svc.configDir).toBe('/etc/config');
    expect(svc.configFiles).toEqual({ 'app.yaml': 'a: 1\n' });
    const out = objects(context);
    const [cm] = configMaps(out);
    expect(cm.metadata.name).toMatch(/^products-config-[0-9a-f]{10}$/);
    expect(cm.immutable).toBe(true);
    expect(cm.metadata.labels['cdk8s-microservices.io/config-of']).toBe('products');
    expect(cm.data).toEqual({ 'LOG_FORMAT': 'json', 'app.yaml': 'a: 1\n' });
    const pod = find(out, 'Deployment', 'products').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'config', configMap: { name: cm.metadata.name, items: [{ key: 'app.yaml', path: 'app.yaml' }] } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/config', readOnly: true });
    expect(pod.containers[0].env).toEqual([{ name: 'LOG_FORMAT', valueFrom: { configMapKeyRef: { name: cm.metadata.name, key: 'LOG_FORMAT' } } }]);
  });

  test('a ConfigMap or Secret added after the workload comes before its Deployment, so one apply creates it before the pods need it', () => {
    const { context } = setup();
    const svc = service(context);
    svc.addEnv('LOG_FORMAT', 'json');
    svc.addSecret('db', SecretSource.fromExternalSecret({ store: SecretStore.cluster('vault'), data: { password: RemoteRef.of('products/db') } }),
      { env: { DB_PASSWORD: 'password' } });
    const order = objects(context).map(o => o.kind);
    expect(order.indexOf('ConfigMap')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('ConfigMap')).toBeLessThan(order.indexOf('Deployment'));
    expect(order.indexOf('ExternalSecret')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('ExternalSecret')).toBeLessThan(order.indexOf('Deployment'));
  });

  test('a change of content renames the ConfigMap, so the pods roll and old ReplicaSets keep theirs', () => {
    const name = (value: string) => {
      const { context } = setup();
      service(context, { env: { LOG_LEVEL: value } });
      return configMaps(objects(context))[0].metadata.name;
    };
    expect(name('info')).toBe(name('info'));
    expect(name('info')).not.toBe(name('debug'));
  });

  test('values added after construction (addEnv, connectTo, addConfigFile) are in the ConfigMap and its hash', () => {
    const { context } = setup();
    const reviews = service(context, {}, 'reviews');
    const svc = service(context);
    svc.addEnv('FEATURE_FLAGS', 'beta');
    svc.addConfigFile('rules.json', '{}');
    svc.connectTo(reviews);
    const out = objects(context);
    const cm = configMaps(out).find(c => c.metadata.name.startsWith('products-config-'))!;
    expect(cm.data).toEqual({ 'FEATURE_FLAGS': 'beta', 'REVIEWS_URL': 'http://reviews.catalog.svc.cluster.local:8080', 'rules.json': '{}' });
    expect(resolvedEnv(out, find(out, 'Deployment', 'products')).map(e => e.name)).toEqual(['FEATURE_FLAGS', 'REVIEWS_URL']);
  });

  test('a service without configuration gets no ConfigMap, env or config volume', () => {
    const { context } = setup();
    service(context);
    const out = objects(context);
    expect(configMaps(out)).toEqual([]);
    const pod = find(out, 'Deployment', 'products').spec.template.spec;
    expect(pod.containers[0].env).toBeUndefined();
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
  });

  test('configDir moves the mounted files', () => {
    const { context } = setup();
    service(context, { configFiles: { 'a.conf': 'x' }, configDir: '/app/config' });
    const container = find(objects(context), 'Deployment', 'products').spec.template.spec.containers[0];
    expect(container.volumeMounts).toContainEqual({ name: 'config', mountPath: '/app/config', readOnly: true });
  });

  describe('bad input', () => {
    test.each([
      ['a private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEow...'],
      ['a JSON Web Token', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
      ['an AWS access key id', 'AKIAIOSFODNN7EXAMPLE'],
      ['a GitHub token', 'ghp_' + 'a'.repeat(36)],
      ['a Slack token', 'xoxb-1234567890-abcdefghij'],
      ['a Stripe key', 'sk_live_' + 'a'.repeat(24)],
      ['a Google API key', 'AIza' + 'b'.repeat(35)],
      ['a bearer token', 'Bearer abcdefghijklmnopqrstuvwxyz'],
      ['a URL with a password', 'postgresql://orders:s3cr3t@db:5432/orders'],
    ])('fails when an env value looks like %s, without printing it', (kind, value) => {
      const { context } = setup();
      const run = () => service(context, { env: { SOME_SETTING: value } });
      expect(run).toThrow(new RegExp(`^catalog/products: 'env.SOME_SETTING' \\('\\(value not shown\\)'\\) looks like ${kind}, which must not be stored in plaintext.*addSecret`));
      expect(run).not.toThrow(value);
    });

    test.each(['DB_PASSWORD', 'API_TOKEN', 'CLIENT_SECRET', 'bearer_auth'])('fails when a configuration variable is named like a credential (%s)', (name) => {
      const { context } = setup();
      expect(() => service(context, { env: { [name]: 'x' } }))
        .toThrow(new RegExp(`^catalog/products: 'env' \\('${name}'\\) reads as a credential.*use addSecret\\(id, source, \\{ env \\}\\)`));
    });

    test('fails when a password or token is assigned in a value or a config file', () => {
      const { context } = setup();
      expect(() => service(context, { env: { DSN: 'host=db password=hunter2' } })).toThrow(/looks like a password, secret or token assignment/);
      expect(() => service(context, { configFiles: { 'app.yaml': 'db:\n  password: hunter22\n' } }, 'other')).toThrow(/contains a password, secret or token assignment/);
    });

    test('fails when command or args carry a credential, without printing it', () => {
      const { context } = setup();
      const run = () => service(context, { args: ['--listen=:8080', '--db-url=postgresql://app:hunter2@db/app'] });
      expect(run).toThrow(/^catalog\/products: 'args\[1\]' \('\(value not shown\)'\) looks like a URL with a password, which must not be written into the pod spec/);
      expect(run).not.toThrow(/hunter2/);
      expect(() => service(context, { command: ['app', '--token=abcd1234'] }, 'other')).toThrow(/'command\[1\]' .*looks like a password, secret or token assignment/);
    });

    test('fails when an exec probe carries a credential', () => {
      const { context } = setup();
      expect(() => service(context, { liveness: Probe.exec(['check', '--password=hunter22']) }))
        .toThrow(/^catalog\/products: 'liveness.command\[1\]' \('\(value not shown\)'\) looks like a password, secret or token assignment/);
    });

    test('ordinary URLs and values are accepted', () => {
      const { context } = setup();
      expect(() => service(context, {
        env: { DATABASE_URL: 'postgresql://db.internal:5432/orders?sslmode=verify-full', API: 'https://user@example.com/x', TTL: '15m' },
      })).not.toThrow();
    });

    test('fails when a config file contains a credential', () => {
      const { context } = setup();
      expect(() => service(context, { configFiles: { 'tls.pem': '-----BEGIN PRIVATE KEY-----\nabc' } }))
        .toThrow(/^catalog\/products: 'configFiles.tls.pem' \('\(content not shown\)'\) contains a private key, which must not be stored in plaintext in a ConfigMap; move the credential into a secret/);
    });

    test('fails when a file name is not a ConfigMap key or repeats', () => {
      const { context } = setup();
      expect(() => service(context, { configFiles: { 'conf/app.yaml': 'x' } }))
        .toThrow(/'configFiles' \('conf\/app.yaml'\) must be a file name of letters, digits/);
      const svc = service(context, { configFiles: { 'app.yaml': 'x' } }, 'other');
      expect(() => svc.addConfigFile('app.yaml', 'y')).toThrow(/'configFiles' \('app.yaml'\) must be unique/);
    });

    test('fails when an env var and a file share a name', () => {
      const { context } = setup();
      const svc = service(context, { configFiles: { LOG_LEVEL: 'x' } });
      expect(() => svc.addEnv('LOG_LEVEL', 'info')).toThrow(/'env' \('LOG_LEVEL'\) must not repeat the name of a configuration file/);
      const other = service(context, { env: { MODE: 'a' } }, 'other');
      expect(() => other.addConfigFile('MODE', 'x')).toThrow(/'configFiles' \('MODE'\) must be unique among the service's configuration files and environment values/);
    });

    test('fails when configDir is not an absolute path', () => {
      const { context } = setup();
      expect(() => service(context, { configDir: 'etc/config' })).toThrow(/^catalog\/products: 'configDir' \('etc\/config'\) must be an absolute directory path/);
      expect(() => service(context, { configDir: '/tmp/config' }, 'other')).toThrow(/'configDir' \('\/tmp\/config'\) must not overlap another mount of the container \('\/tmp'\)/);
    });

    test('fails at synth when the ConfigMap exceeds 1 MiB', () => {
      const { context } = setup();
      service(context, { configFiles: { 'big.json': 'x'.repeat(1024 * 1024) } });
      expect(() => objects(context)).toThrow(/catalog\/products: 'configFiles' \('1048584 bytes'\) must fit the 1 MiB limit of a ConfigMap/);
    });

    test('fails when the ConfigMap quota is below the ConfigMaps rendered', () => {
      const { context } = setup({ quota: { configMaps: 1 } });
      service(context, { env: { A: 'a' } });
      service(context, { env: { B: 'b' } }, 'other');
      // each configured workload counts its current ConfigMap and the CONFIG_REVISIONS_KEPT (3) earlier revisions a rollback can use
      expect(() => objects(context)).toThrow(/'quota.configMaps' \(1\) is below the number of ConfigMaps the context's services render \(a configured workload's current one and the earlier revisions kept for a rollback\), plus kube-root-ca.crt \(9\); raise quota.configMaps to at least 9$/);
    });
  });
});
