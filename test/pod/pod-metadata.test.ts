import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { Image } from '../../lib';
import { find, Manifest, microservice, objects, setup } from '../_helpers';

function deployment(manifests: Manifest[]): Manifest {
  return find(manifests, 'Deployment', 'products');
}

describe('pod and container metadata', () => {
  test('the pods carry only the library\'s labels and no annotations, the container is named after the workload, without pull secrets', () => {
    const { context } = setup();

    const products = microservice(context, 'products');

    expect(products.containerName).toEqual('products');
    expect(products.pod.labels).toEqual({});
    expect(products.pod.annotations).toEqual({});
    expect(products.pod.imagePullSecrets).toEqual([]);
    const pod = deployment(objects(context)).spec.template;
    expect(pod.metadata).not.toHaveProperty('annotations');
    expect(pod.spec).not.toHaveProperty('imagePullSecrets');
    expect(pod.spec.containers[0].name).toEqual('products');
  });

  test('renders pod labels and annotations beside the library\'s own', () => {
    const { context } = setup();

    microservice(context, 'products', {
      podLabels: { 'istio.io/rev': 'stable', 'team': 'catalog' },
      podAnnotations: { 'sidecar.istio.io/inject': 'true', 'kubectl.kubernetes.io/default-container': 'products' },
    });

    const pod = deployment(objects(context)).spec.template;
    expect(pod.metadata.labels).toMatchObject({ 'istio.io/rev': 'stable', 'team': 'catalog', 'app.kubernetes.io/name': 'products' });
    expect(pod.metadata.annotations).toEqual({ 'sidecar.istio.io/inject': 'true', 'kubectl.kubernetes.io/default-container': 'products' });
  });

  test.each(['app.kubernetes.io/name', 'app.kubernetes.io/version', 'cdk8s-microservices.io/context', 'kubernetes.io/hostname', 'node.k8s.io/pool', 'batch.kubernetes.io/job-name'])(
    'fails when a pod label would override the library\'s or a reserved one: %s', (key) => {
      const { context } = setup();

      expect(() => microservice(context, 'products', { podLabels: { [key]: 'x' } }))
        .toThrow(`catalog/products: 'podLabels' ('${key}') must not be a label the library sets (app.kubernetes.io/*, cdk8s-microservices.io/*: selectors and recommended labels) or Kubernetes reserves (*kubernetes.io/*, *k8s.io/*); use a key under your own prefix, such as 'istio.io/rev' or 'example.com/team'`);
    });

  test.each([['-bad', 'podLabels'], ['Example.com/x', 'podLabels'], ['a/b/c', 'podAnnotations'], ['x'.repeat(64), 'podAnnotations']])('fails when %j is not a qualified name (%s)', (key, prop) => {
    const { context } = setup();

    expect(() => microservice(context, 'products', { [prop]: { [key]: 'x' } }))
      .toThrow(`catalog/products: '${prop}' ('${key}') must be a qualified name: an optional DNS subdomain prefix and '/', then up to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit; use a key such as 'example.com/team'`);
  });

  test('fails when a pod label value is not a label value', () => {
    const { context } = setup();

    expect(() => microservice(context, 'products', { podLabels: { team: 'catalog team' } }))
      .toThrow(/^catalog\/products: 'podLabels.team' \('catalog team'\) must be a label value: up to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit; shorten or simplify the value$/);
  });

  test.each(['ignore-check.kube-linter.io/run-as-non-root', 'polaris.fairwinds.com/runAsRootAllowed-exempt', 'kube-score/ignore', 'cdk8s-microservices.io/config-of'])(
    'fails when a pod annotation is a linter suppression or the library\'s own: %s', (key) => {
      const { context } = setup();

      expect(() => microservice(context, 'products', { podAnnotations: { [key]: 'true' } }))
        .toThrow(`catalog/products: 'podAnnotations' ('${key}') must not be an annotation the library writes or a linter reads as a suppression`);
    });

  test('fails when a pod annotation holds a credential, without printing it', () => {
    const { context } = setup();

    expect(() => microservice(context, 'products', { podAnnotations: { 'example.com/token': 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' } }))
      .toThrow(/^catalog\/products: 'podAnnotations.example.com\/token' \('\(value not shown\)'\) looks like a GitHub token, which must not be written into the pod template; keep credentials in secrets \(addSecret\)$/);
  });

  test('names the container as told', () => {
    const { context } = setup();

    const products = microservice(context, 'products', { containerName: 'app' });

    expect(products.containerName).toEqual('app');
    expect(deployment(objects(context)).spec.template.spec.containers[0].name).toEqual('app');
  });

  test('fails when the container name is not a DNS label', () => {
    const { context } = setup();

    expect(() => microservice(context, 'products', { containerName: 'App' }))
      .toThrow(/^catalog\/products: 'containerName' \('App'\) must be a DNS-1123 label/);
  });

  test('pulls with the image pull secrets given, and the quota counts each shared one once', () => {
    const { context } = setup({ quota: { secrets: 1 } });

    const products = microservice(context, 'products', { imagePullSecrets: ['registry-acme'] });
    microservice(context, 'reviews', { imagePullSecrets: ['registry-acme'] });

    expect(products.pod.imagePullSecrets).toEqual(['registry-acme']);
    expect(deployment(objects(context)).spec.template.spec.imagePullSecrets).toEqual([{ name: 'registry-acme' }]);
  });

  test('fails when the quota has no room for the image pull secrets', () => {
    const { context } = setup({ quota: { secrets: 1 } });

    microservice(context, 'products', { imagePullSecrets: ['registry-acme', 'registry-mirror'] });

    expect(() => objects(context)).toThrow(/'quota.secrets' \(1\) is below the number of Secrets the context's services use \(2\); raise quota.secrets to at least 2/);
  });

  test.each([[['Registry'], 'imagePullSecrets[0]', 'Registry', 'must be an object name'], [['a', 'a'], 'imagePullSecrets[1]', 'a', 'must not repeat a Secret; list each Secret once']])(
    'fails when image pull secrets are %j', (secrets, prop, value, message) => {
      const { context } = setup();

      expect(() => microservice(context, 'products', { imagePullSecrets: secrets })).toThrow(`catalog/products: '${prop}' ('${value}') ${message}`);
    });

  describe('user ids below 10000', () => {
    test('run only with a written reason, rendered as kube-score\'s suppression', () => {
      const { context } = setup();

      const products = microservice(context, 'products', { runAsUser: 999, runAsGroup: 999, lowUserIdReason: 'the image hard-codes user 999 (postgres)' });

      expect(products.lowUserIdReason).toEqual('the image hard-codes user 999 (postgres)');
      const d = deployment(objects(context));
      expect(d.spec.template.spec.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999, runAsNonRoot: true });
      expect(d.metadata.annotations['kube-score/ignore']).toEqual('container-security-context-user-group-id');
      expect(JSON.parse(d.metadata.annotations['conformance.cdk8s-microservices.io/suppress'])).toContainEqual({
        tool: 'kube-score', check: 'container-security-context-user-group-id', reason: 'container products: the image hard-codes user 999 (postgres)',
      });
    });

    test('fails without a reason, naming the reason prop in the fix', () => {
      const { context } = setup();

      expect(() => microservice(context, 'products', { runAsUser: 999 }))
        .toThrow(/^catalog\/products: 'runAsUser' \(999\) must be a whole number between 10000 and 2147483647; use a user id of 10000 or more, clear of the host's users \(10001 is the default\), or set lowUserIdReason to say why the image needs a lower one$/);
    });

    test('fails for root even with a reason', () => {
      const { context } = setup();

      expect(() => microservice(context, 'products', { runAsUser: 0, lowUserIdReason: 'the image runs as root' }))
        .toThrow(/^catalog\/products: 'runAsUser' \(0\) must be a whole number between 1 and 2147483647/);
    });

    test('fails when the reason is empty, or given for ids of 10000 or more', () => {
      const { context } = setup();

      expect(() => microservice(context, 'products', { runAsUser: 999, lowUserIdReason: ' ' }))
        .toThrow(/^catalog\/products: 'lowUserIdReason' \(' '\) must say why the container runs with an id below 10000; write the reason/);
      expect(() => microservice(context, 'reviews', { lowUserIdReason: 'no need' }))
        .toThrow(/^catalog\/reviews: 'lowUserIdReason' \('no need'\) must only be set for a user or group id below 10000, but the ids are 10001 and 10001; remove lowUserIdReason$/);
    });
  });

  test('a workload image is checked with its own prefix in a sidecar', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    expect(() => products.addInitContainer('migrate', { image: Image.fromTag('ghcr.io/acme/migrate', 'latest') }))
      .toThrow(/^catalog\/products: 'initContainers\[migrate\].image' \('ghcr.io\/acme\/migrate:latest'\) must be pinned, but uses the moving tag 'latest'/);
    expect(() => products.addInitContainer('warm', { image: Image.fromTag('ghcr.io/acme/warm', '1.0.0'), resources: { cpu: { request: Cpu.units(3) }, memory: { limit: Size.mebibytes(64) } } }))
      .toThrow(/^catalog\/products: 'initContainers\[warm\].resources.cpu.limit' \('3'\) must not exceed the bounded context's containerLimits.maxCpu/);
  });
});
