import { ApiObject, Duration, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { BoundedContext, Microservice, Platform, RemoteRef, SecretSource, SecretStore } from '../../lib';
import { find, microservice, objects, resolvedEnv, setup } from '../_helpers';

/** kubeseal's shape: a 2-byte length (512), an RSA-4096 block, an AES-GCM ciphertext and tag. */
const SEALED = Buffer.concat([Buffer.from([0x02, 0x00]), Buffer.alloc(512, 7), Buffer.alloc(40, 9)]).toString('base64');

function service(context: BoundedContext, id = 'payments'): Microservice {
  return microservice(context, id);
}

const vault = () => SecretSource.fromExternalSecret({
  store: SecretStore.cluster('vault'),
  data: { 'api-key': RemoteRef.of('payments/provider', { property: 'api_key' }) },
});

describe('secrets', () => {
  describe('ExternalSecret', () => {
    test('renders an ExternalSecret named <service>-<id> that refreshes hourly by default', () => {
      const { context } = setup();
      const svc = service(context);
      const secret = svc.addSecret('provider', vault());
      expect(secret).toEqual({ id: 'provider', secretName: 'payments-provider', keys: ['api-key'], mountPath: '/var/run/secrets/provider', namespace: 'catalog' });
      const es = find(objects(context), 'ExternalSecret', 'payments-provider');
      expect(es.apiVersion).toBe('external-secrets.io/v1');
      expect(es.metadata.namespace).toBe('catalog');
      expect(es.spec).toEqual({
        refreshInterval: '1h',
        secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' },
        target: { name: 'payments-provider', creationPolicy: 'Owner', deletionPolicy: 'Retain' },
        data: [{ secretKey: 'api-key', remoteRef: { key: 'payments/provider', property: 'api_key' } }],
      });
    });

    test('a namespaced store, a pinned version and the refresh interval render as given', () => {
      const { context } = setup();
      service(context).addSecret('db', SecretSource.fromExternalSecret({
        store: SecretStore.namespaced('team-vault'),
        data: { password: RemoteRef.of('db', { version: '3' }) },
        refreshInterval: Duration.minutes(15),
      }));
      const es = find(objects(context), 'ExternalSecret', 'payments-db');
      expect(es.spec.secretStoreRef).toEqual({ kind: 'SecretStore', name: 'team-vault' });
      expect(es.spec.refreshInterval).toBe('15m');
      expect(es.spec.data).toEqual([{ secretKey: 'password', remoteRef: { key: 'db', version: '3' } }]);
    });

    test('fails when the refresh interval is under a minute', () => {
      const { context } = setup();
      expect(() => service(context).addSecret('db', SecretSource.fromExternalSecret({
        store: SecretStore.cluster('vault'), data: { a: RemoteRef.of('x') }, refreshInterval: Duration.seconds(10),
      }))).toThrow(/^catalog\/payments\/Secret-db: 'addSecret\(db\).refreshInterval' \('10s'\) must be at least one minute.*Duration.hours\(1\) is the default\)$/);
    });

    test('fails when a remote key is empty', () => {
      const { context } = setup();
      expect(() => service(context).addSecret('db', SecretSource.fromExternalSecret({
        store: SecretStore.cluster('vault'), data: { a: RemoteRef.of(' ') },
      }))).toThrow(/'addSecret\(db\).data.a' \(' '\) must name the secret in the secret manager/);
    });

    test('fails when the store name is empty or not an object name (the CRD would reject it at apply time)', () => {
      const add = (store: SecretStore) => () => service(setup().context).addSecret('db', SecretSource.fromExternalSecret({ store, data: { a: RemoteRef.of('x') } }));

      expect(add(SecretStore.cluster(''))).toThrow(/^catalog\/payments\/Secret-db: 'addSecret\(db\).store.name' \(''\) must be an object name \(a DNS-1123 subdomain\).*; name the ClusterSecretStore the platform team created \(kubectl get clustersecretstores\)$/);
      expect(add(SecretStore.namespaced('Vault Store'))).toThrow(/'addSecret\(db\).store.name' \('Vault Store'\) must be an object name.*\(kubectl get secretstores -n <namespace>\)$/);
    });

    test('fails when a property or version is given but blank', () => {
      expect(() => service(setup().context).addSecret('db', SecretSource.fromExternalSecret({
        store: SecretStore.cluster('vault'), data: { a: RemoteRef.of('x', { property: '' }) },
      }))).toThrow(/'addSecret\(db\).data.a.property' \(''\) must be a property of the remote secret, or be left out; name the property, or remove it/);
      expect(() => service(setup().context).addSecret('db', SecretSource.fromExternalSecret({
        store: SecretStore.cluster('vault'), data: { a: RemoteRef.of('x', { version: ' ' }) },
      }))).toThrow(/'addSecret\(db\).data.a.version' \(' '\) must be a version of the remote secret/);
    });

    test('fails when the refresh interval is not a whole number of seconds', () => {
      const { context } = setup();
      expect(() => service(context).addSecret('db', SecretSource.fromExternalSecret({
        store: SecretStore.cluster('vault'), data: { a: RemoteRef.of('x') }, refreshInterval: Duration.millis(90500),
      }))).toThrow(/'addSecret\(db\).refreshInterval' \('90.5s'\) must be a whole number of seconds .*; use Duration.seconds\(90\) or Duration.seconds\(91\)$/);
    });
  });

  describe('SealedSecret', () => {
    test('renders a SealedSecret whose template names the Secret <service>-<id>', () => {
      const { context } = setup();
      service(context, 'auth').addSecret('signing-key', SecretSource.fromSealedSecret({ encryptedData: { 'key.pem': SEALED } }));
      const sealed = find(objects(context), 'SealedSecret', 'auth-signing-key');
      expect(sealed.apiVersion).toBe('bitnami.com/v1alpha1');
      expect(sealed.spec.encryptedData).toEqual({ 'key.pem': SEALED });
      expect(sealed.spec.template).toMatchObject({ metadata: { name: 'auth-signing-key', namespace: 'catalog' }, type: 'Opaque' });
    });

    test('fails when a value is base64 of plaintext rather than kubeseal output', () => {
      const { context } = setup();
      const plain = Buffer.from('x'.repeat(600)).toString('base64');
      expect(() => service(context, 'auth').addSecret('signing-key', SecretSource.fromSealedSecret({ encryptedData: { key: plain } })))
        .toThrow(/'addSecret\(signing-key\).encryptedData.key' \('\(value not shown\)'\) must be a value sealed by kubeseal/);
    });

    test('fails when a value is not sealed, without printing it', () => {
      const { context } = setup();
      const run = () => service(context, 'auth').addSecret('signing-key', SecretSource.fromSealedSecret({ encryptedData: { password: 'hunter2' } }));
      expect(run).toThrow(/^catalog\/auth\/Secret-signing-key: 'addSecret\(signing-key\).encryptedData.password' \('\(value not shown\)'\) must be a value sealed by kubeseal.*kubeseal --raw --namespace catalog --name auth-signing-key/);
      expect(run).not.toThrow(/hunter2/);
    });
  });

  describe('existing Secret', () => {
    test('renders nothing and references the Secret by its own name', () => {
      const { context } = setup();
      const svc = service(context);
      svc.addSecret('tls', SecretSource.fromSecretName('payments-mtls', ['tls.crt', 'tls.key']));
      const out = objects(context);
      expect(out.filter(o => ['Secret', 'ExternalSecret', 'SealedSecret'].includes(o.kind))).toEqual([]);
      expect(find(out, 'Deployment', 'payments').spec.template.spec.volumes).toContainEqual({
        name: 'secret-tls', secret: { secretName: 'payments-mtls', defaultMode: 0o440 },
      });
    });

    test('fails when the name is not a Secret name or no keys are listed', () => {
      const { context } = setup();
      expect(() => service(context).addSecret('a', SecretSource.fromSecretName('Bad Name', ['k'])))
        .toThrow(/'addSecret\(a\).secretName' \('Bad Name'\) must be an object name \(a DNS-1123 subdomain\).*; use the name the Secret was created with$/);
      expect(() => service(context, 'other').addSecret('a', SecretSource.fromSecretName('ok', [])))
        .toThrow(/'addSecret\(a\)' \('existing'\) must provide at least one key; list the keys the secret holds/);
      expect(() => service(context, 'third').addSecret('a', SecretSource.fromSecretName('ok', ['no/slash'])))
        .toThrow(/'addSecret\(a\).keys' \('no\/slash'\) must be a Secret key/);
    });
  });

  describe('literal values', () => {
    test('fails outside local development, naming the opt-in', () => {
      const { context } = setup();
      expect(() => service(context).addSecret('dev', SecretSource.fromLiterals({ password: 'x' })))
        .toThrow(/^catalog\/payments\/Secret-dev: 'addSecret\(dev\)' \('SecretSource.fromLiterals'\) puts plaintext secret values into the synthesized YAML.*set allowLiteralSecrets on the Platform$/);
    });

    test('renders a Secret with stringData when the platform allows literal secrets', () => {
      const app = Testing.app();
      const platform = new Platform(app, 'dev', { allowLiteralSecrets: true });
      expect(platform.allowLiteralSecrets).toBe(true);
      const context = new BoundedContext(app, 'catalog', { platform, team: 't' });
      service(context).addSecret('dev', SecretSource.fromLiterals({ password: 'local-only' }));
      const secret = find(objects(context), 'Secret', 'payments-dev');
      expect(secret.stringData).toEqual({ password: 'local-only' });
      expect(secret.metadata.annotations).toEqual({ 'cdk8s-microservices.io/literal-secret': 'local development only' });
    });

    test('literal secrets are refused by default', () => {
      const { platform } = setup();
      expect(platform.allowLiteralSecrets).toBe(false);
    });

    test('fails when a plaintext Secret is added through an escape hatch', () => {
      const { context } = setup();
      new k8s.KubeSecret(context, 'Raw', { metadata: { name: 'raw', namespace: 'catalog' }, stringData: { token: 'x' } });
      new ApiObject(context, 'Raw2', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'raw2', namespace: 'catalog' }, data: { token: 'eA==' } });
      const run = () => objects(context);
      expect(run).toThrow(/\[catalog\] catalog\/Raw: 'data' \('Secret raw'\) holds plaintext values.*set allowLiteralSecrets on the Platform/);
      expect(run).toThrow(/catalog\/Raw2: 'data' \('Secret raw2'\) holds plaintext values/);
    });

    test('a Secret without data (filled by an operator) is not an error', () => {
      const { context } = setup();
      new k8s.KubeSecret(context, 'Empty', { metadata: { name: 'empty', namespace: 'catalog' }, type: 'kubernetes.io/tls' });
      expect(() => objects(context)).not.toThrow();
    });
  });

  describe('addSecret', () => {
    test('mounts the keys read-only at /var/run/secrets/<id> with mode 0440 by default', () => {
      const { context } = setup();
      service(context).addSecret('provider', vault());
      const pod = find(objects(context), 'Deployment', 'payments').spec.template.spec;
      expect(pod.volumes).toContainEqual({ name: 'secret-provider', secret: { secretName: 'payments-provider', defaultMode: 0o440 } });
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'secret-provider', mountPath: '/var/run/secrets/provider', readOnly: true });
    });

    test('env sets variables from keys and does not mount unless a mountPath is given', () => {
      const { context } = setup();
      const svc = service(context);
      const secret = svc.addSecret('provider', vault(), { env: { PROVIDER_API_KEY: 'api-key' } });
      expect(secret.mountPath).toBeUndefined();
      const out = objects(context);
      const deployment = find(out, 'Deployment', 'payments');
      expect(resolvedEnv(out, deployment)).toEqual([{ name: 'PROVIDER_API_KEY', value: 'secret:payments-provider/api-key' }]);
      expect(deployment.spec.template.spec.volumes.map((v: { name: string }) => v.name)).toEqual(['tmp']);
      expect(svc.env).toEqual({});
      expect(svc.secrets).toEqual([secret]);
    });

    test('secret variables named like credentials are fine, and tell Polaris why', () => {
      const { context } = setup();
      const svc = service(context);
      svc.addSecret('db', SecretSource.fromSecretName('payments-db', ['password']), { env: { DB_PASSWORD: 'password' } });
      const d = find(objects(context), 'Deployment', 'payments');
      expect(JSON.parse(d.metadata.annotations['conformance.cdk8s-microservices.io/suppress'])).toContainEqual({
        tool: 'polaris', check: 'sensitiveContainerEnvVar', reason: 'DB_PASSWORD comes from Secret payments-db through secretKeyRef, never as a plaintext value',
      });
    });

    test('env and mountPath together do both', () => {
      const { context } = setup();
      service(context).addSecret('provider', vault(), { env: { PROVIDER_API_KEY: 'api-key' }, mountPath: '/secrets/provider' });
      const container = find(objects(context), 'Deployment', 'payments').spec.template.spec.containers[0];
      expect(container.volumeMounts).toContainEqual({ name: 'secret-provider', mountPath: '/secrets/provider', readOnly: true });
      expect(container.env).toEqual([{ name: 'PROVIDER_API_KEY', valueFrom: { secretKeyRef: { name: 'payments-provider', key: 'api-key' } } }]);
    });

    test('the context quota counts the secrets and config maps the services render', () => {
      const { context } = setup({ quota: { secrets: 1 } });
      const svc = service(context);
      svc.addSecret('a', vault());
      svc.addSecret('b', vault());
      expect(() => objects(context)).toThrow(/'quota.secrets' \(1\) is below the number of Secrets the context's services use \(2\); raise quota.secrets to at least 2/);
    });

    test('fails when a referenced key is not provided by the source', () => {
      const { context } = setup();
      expect(() => service(context).addSecret('provider', vault(), { env: { PROVIDER_API_KEY: 'apikey' } }))
        .toThrow(/^catalog\/payments: 'addSecret\(provider\).env.PROVIDER_API_KEY' \('apikey'\) must be a key the secret provides \('api-key'\); use one of those keys/);
    });

    test('fails when the id repeats or is not a DNS label', () => {
      const { context } = setup();
      const svc = service(context);
      svc.addSecret('provider', vault());
      expect(() => svc.addSecret('provider', vault())).toThrow(/'addSecret\(id\)' \('provider'\) must be unique in the service/);
      expect(() => svc.addSecret('Provider', vault())).toThrow(/'addSecret\(id\)' \('Provider'\) must be a DNS-1123 label/);
    });

    test('fails when an env var from a secret repeats a configuration variable', () => {
      const { context } = setup();
      const svc = service(context);
      svc.addEnv('PROVIDER_API_KEY_FILE', '/x');
      expect(() => svc.addSecret('provider', vault(), { env: { PROVIDER_API_KEY_FILE: 'api-key' } }))
        .toThrow(/'env' \('PROVIDER_API_KEY_FILE'\) must be set once, but is set twice/);
    });

    test('fails when mount paths overlap or are not absolute', () => {
      const { context } = setup();
      const svc = service(context);
      svc.addSecret('a', vault(), { mountPath: '/var/run/secrets/a' });
      expect(() => svc.addSecret('b', vault(), { mountPath: '/var/run/secrets/a/b' }))
        .toThrow(/'addSecret\(b\).mountPath' \('\/var\/run\/secrets\/a\/b'\) must not overlap another mount of the container \('\/var\/run\/secrets\/a'\)/);
      expect(() => svc.addSecret('c', vault(), { mountPath: '/tmp' })).toThrow(/must not overlap another mount of the container \('\/tmp'\)/);
      expect(() => svc.addSecret('d', vault(), { mountPath: 'relative/dir' })).toThrow(/'addSecret\(d\).mountPath' \('relative\/dir'\) must be an absolute directory path/);
      expect(() => svc.addSecret('e', vault(), { mountPath: '/etc/config' })).toThrow(/must not overlap another mount of the container \('\/etc\/config'\)/);
    });
  });
});
