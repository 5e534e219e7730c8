import { Size } from 'cdk8s';
import { ClaimRetention, ConfigurationError, ErrorCode, StatefulService, StatefulServiceProps, StoreStorage, VolumeClaim } from '../../lib';
import { find, microservice, objects, setup, storeProps as props, thrown } from '../_helpers';

describe('StatefulService storage', () => {
  test('defaults to persistent claims (StoreStorage.PERSISTENT)', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    const cache = new StatefulService(context, 'cache', props([products]));

    expect(cache.storage).toBe(StoreStorage.PERSISTENT);
    expect(cache.storage.kind).toEqual('persistent');
    const spec = find(objects(context), 'StatefulSet', 'cache').spec;
    expect(spec.volumeClaimTemplates.map((t: { metadata: { name: string } }) => t.metadata.name)).toEqual(['data']);
    expect(spec.template.spec.volumes.map((v: { name: string }) => v.name)).not.toContain('data');
  });

  test('scratch in memory: an emptyDir of medium Memory mounted writable at /data, no claims, no retention policy', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    const cache = new StatefulService(context, 'cache', props([products], {
      storage: StoreStorage.scratch({ sizeLimit: Size.mebibytes(64), inMemory: true }),
    }));
    products.connectTo(cache);

    expect(cache.storage.kind).toEqual('scratch');
    expect(cache.claims).toEqual([]);
    const manifests = objects(context);
    const spec = find(manifests, 'StatefulSet', 'cache').spec;
    expect(spec.volumeClaimTemplates).toBeUndefined();
    expect(spec.persistentVolumeClaimRetentionPolicy).toBeUndefined();
    expect(spec).toMatchObject({ serviceName: 'cache', replicas: 1, podManagementPolicy: 'OrderedReady' });
    expect(spec.template.spec.volumes).toContainEqual({ name: 'data', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } });
    expect(spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/data', readOnly: false });
    // the headless Service and the owners' network policy as with claims
    expect(find(manifests, 'Service', 'cache').spec).toMatchObject({ clusterIP: 'None', ports: [{ name: 'redis', port: 6379 }] });
    expect(find(manifests, 'NetworkPolicy', 'cache').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'catalog' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'products', 'app.kubernetes.io/instance': 'products' } } }],
      ports: [{ protocol: 'TCP', port: 6379 }],
    }]);
    expect(manifests.some(m => m.kind === 'PersistentVolumeClaim')).toBe(false);
  });

  test('scratch on the node\'s disk by default (no medium), at the mountPath given', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    new StatefulService(context, 'cache', props([products], {
      storage: StoreStorage.scratch({ sizeLimit: Size.mebibytes(128), mountPath: '/var/lib/cache' }),
    }));

    const pod = find(objects(context), 'StatefulSet', 'cache').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'data', emptyDir: { sizeLimit: '128Mi' } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/cache', readOnly: false });
  });

  test('counts no claims and no storage: a context whose quota allows no PersistentVolumeClaims accepts it', () => {
    const { context } = setup({ quota: { persistentVolumeClaims: 0 } });
    const products = microservice(context, 'products');

    const cache = new StatefulService(context, 'cache', props([products], {
      replicas: 3,
      storage: StoreStorage.scratch({ sizeLimit: Size.mebibytes(64), inMemory: true }),
    }));

    expect(cache._footprint()).toMatchObject({ peakPods: 3, claims: 0, storage: 0 });
    expect(() => objects(context)).not.toThrow();
  });

  test('fails when the same store keeps claims and that quota allows none', () => {
    const { context } = setup({ quota: { persistentVolumeClaims: 0 } });
    const products = microservice(context, 'products');

    new StatefulService(context, 'cache', props([products]));

    expect(() => objects(context)).toThrow(/'quota\.persistentVolumeClaims' \(0\) is below the number of PersistentVolumeClaims the context's workloads create \(1:/);
  });

  test.each<[string, Partial<StatefulServiceProps>, string, unknown]>([
    ['claims', { claims: [VolumeClaim.of('data', { size: Size.gibibytes(1), mountPath: '/data' })] }, `'claims' (["data"])`, ['data']],
    ['whenDeleted', { whenDeleted: ClaimRetention.DELETE }, "'whenDeleted' ('Delete')", 'Delete'],
    ['whenScaled', { whenScaled: ClaimRetention.RETAIN }, "'whenScaled' ('Retain')", 'Retain'],
  ])('fails when %s is set with scratch storage', (prop, extra, shown, value) => {
    const { context } = setup();
    const products = microservice(context, 'products');

    const error = thrown(() => new StatefulService(context, 'cache', props([products], {
      storage: StoreStorage.scratch({ sizeLimit: Size.mebibytes(64) }), ...extra,
    })));

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ code: ErrorCode.CONFLICT, path: 'catalog/cache', prop, value });
    expect(error.message).toEqual(`catalog/cache: ${shown} must not be set with storage: StoreStorage.scratch(...): the pods keep their data in an emptyDir, gone with each pod, `
      + `and the store has no claims; remove ${prop}, or remove storage for persistent claims`);
  });

  test('fails when scratch in memory does not stay below the memory limit', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    const error = thrown(() => new StatefulService(context, 'cache', props([products], {
      storage: StoreStorage.scratch({ sizeLimit: Size.gibibytes(64), inMemory: true }),
    })));

    expect(error).toMatchObject({ code: ErrorCode.QUOTA_EXCEEDED, path: 'catalog/cache', prop: 'storage' });
    expect(error.message).toMatch(/^catalog\/cache: 'storage' \('64Gi'\) \(the container's emptyDir volumes in memory together\) must stay below its resources\.memory\.limit/);
  });

  test('fails when scratch on disk does not fit the ephemeral storage limit', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    expect(() => new StatefulService(context, 'cache', props([products], {
      storage: StoreStorage.scratch({ sizeLimit: Size.gibibytes(64) }),
    }))).toThrow(/^catalog\/cache: 'storage' \('[^']+'\) \(the container's \/tmp and emptyDir volumes on disk together\) must fit in its resources\.ephemeralStorage\.limit/);
  });

  test('fails when scratch storage has no sizeLimit (plain JavaScript)', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    const error = thrown(() => new StatefulService(context, 'cache', props([products], {
      storage: StoreStorage.scratch({} as never),
    })));

    expect(error).toMatchObject({ code: ErrorCode.MISSING_REQUIRED, prop: 'storage.sizeLimit' });
    expect(error.message).toMatch(/^catalog\/cache: 'storage\.sizeLimit' \(undefined\) must be set/);
  });

  test('fails when storage is not a StoreStorage (plain JavaScript)', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    const error = thrown(() => new StatefulService(context, 'cache', props([products], { storage: 'emptyDir' as never })));

    expect(error).toMatchObject({ code: ErrorCode.WRONG_TYPE, prop: 'storage' });
    expect(error.message).toMatch(/^catalog\/cache: 'storage' \('emptyDir'\) must be a StoreStorage.*; use StoreStorage\.scratch\(\{ sizeLimit \}\) for a store that keeps nothing, or leave storage out for persistent claims$/);
  });

  test('fails when the scratch mountPath is not absolute', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    expect(() => new StatefulService(context, 'cache', props([products], {
      storage: StoreStorage.scratch({ sizeLimit: Size.mebibytes(64), mountPath: 'data' }),
    }))).toThrow(/^catalog\/cache: 'storage\.mountPath' \('data'\)/);
  });
});
