import { ErrorCode, PodField, SecretSource } from '../../lib';
import { find, Manifest, microservice, objects, setup, thrown } from '../_helpers';

function container(build: (p: ReturnType<typeof microservice>) => void): Manifest[] {
  const { context } = setup();
  const products = microservice(context, 'products');
  build(products);
  return find(objects(context), 'Deployment', 'products').spec.template.spec.containers[0].env;
}

describe('PodField', () => {
  test('the downward API field paths', () => {
    expect([PodField.NAME, PodField.NAMESPACE, PodField.UID, PodField.NODE_NAME, PodField.SERVICE_ACCOUNT, PodField.POD_IP].map(f => f.fieldPath))
      .toEqual(['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.podIP']);
    expect(PodField.label('app.kubernetes.io/version').fieldPath).toBe("metadata.labels['app.kubernetes.io/version']");
  });
});

describe('WorkloadConfiguration: pod fields and pod-spec values', () => {
  test('a pod field renders as a fieldRef, a pod-spec value as a value after every referenced variable', () => {
    const env = container(p => {
      p.configuration.addFieldEnv('NODE', PodField.NODE_NAME);
      p.addEnv('ZONE', 'eu-1');
      p.configuration.addPodSpecEnv('A_FIRST', 'node $(NODE) at $(ZONE)');
    });
    expect(env.map(e => e.name)).toEqual(['NODE', 'ZONE', 'A_FIRST']);
    expect(env[0]).toEqual({ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
    expect(env[1].valueFrom.configMapKeyRef.key).toBe('ZONE');
    expect(env[2]).toEqual({ name: 'A_FIRST', value: 'node $(NODE) at $(ZONE)' });
  });

  test('references to secrets and escaped references are accepted', () => {
    const env = container(p => {
      p.addSecret('db', SecretSource.fromSecretName('db', ['url']), { env: { DB_URL: 'url' } });
      p.configuration.addPodSpecEnv('DSN', '$(DB_URL)?app=products&literal=$$(NOT_A_VAR)');
    });
    expect(env.find(e => e.name === 'DSN')).toEqual({ name: 'DSN', value: '$(DB_URL)?app=products&literal=$$(NOT_A_VAR)' });
  });

  test('fails on a reference to a variable the workload does not set before it', () => {
    const e = thrown(() => container(p => p.configuration.addPodSpecEnv('ATTRS', 'k8s.pod.name=$(POD)')));
    expect(e.code).toBe(ErrorCode.UNKNOWN_REFERENCE);
    expect(e.message).toBe("catalog/products: 'env.ATTRS' ('k8s.pod.name=$(POD)') refers to $(POD), which is not a variable of the workload set before it (from the ConfigMap, a secret or a pod field), so Kubernetes would leave it unexpanded; add POD first (addEnv, addSecret or addFieldEnv), or write $$(POD) for a literal '$(POD)'");
  });

  test('fails on a reference to another pod-spec value (their order would decide)', () => {
    const e = thrown(() => container(p => {
      p.configuration.addPodSpecEnv('A', 'a');
      p.configuration.addPodSpecEnv('B', '$(A)');
    }));
    expect(e.code).toBe(ErrorCode.UNKNOWN_REFERENCE);
  });

  test('fails on a credential, a variable set twice, a bad name and a field that is not a PodField', () => {
    expect(thrown(() => container(p => p.configuration.addPodSpecEnv('URL', 'postgres://admin:hunter2@db:5432/x'))).code).toBe(ErrorCode.PLAINTEXT_SECRET);
    expect(thrown(() => container(p => p.configuration.addPodSpecEnv('API_TOKEN', 'x'))).code).toBe(ErrorCode.PLAINTEXT_SECRET);
    expect(thrown(() => container(p => { p.addEnv('X', '1'); p.configuration.addFieldEnv('X', PodField.NAME); })).code).toBe(ErrorCode.DUPLICATE);
    expect(thrown(() => container(p => p.configuration.addFieldEnv('1X', PodField.NAME))).code).toBe(ErrorCode.INVALID_NAME);
    expect(thrown(() => container(p => p.configuration.addFieldEnv('X', 'metadata.name' as any))).code).toBe(ErrorCode.WRONG_TYPE);
  });

  test('pod fields and pod-spec values put nothing in the ConfigMap', () => {
    const { context } = setup();
    const products = microservice(context, 'products');
    products.configuration.addFieldEnv('POD', PodField.NAME);
    products.configuration.addPodSpecEnv('WHO', '$(POD)');
    expect(products.configuration.hasConfigMap).toBe(false);
    expect(objects(context).filter(m => m.kind === 'ConfigMap')).toEqual([]);
  });
});
