import { Duration, Size } from 'cdk8s';
import { Image, Job, ProjectedSource, SecretSource, StatefulService, Port, Probe, Volume, AccessMode } from '../../lib';
import { find, microservice, objects, podSpec as pod, setup } from '../_helpers';

describe('Volume', () => {
  test('an emptyDir is mounted read-only unless writable, beside /tmp', () => {
    const { context } = setup();
    const products = microservice(context, 'products');
    const cache = Volume.emptyDir('cache', { sizeLimit: Size.mebibytes(128) });

    products.addVolume(cache, { mountPath: '/var/cache/products', writable: true });
    products.addVolume(Volume.emptyDir('seed', { sizeLimit: Size.mebibytes(16) }), { mountPath: '/seed', subPath: 'data' });

    expect(products.volumes).toEqual([cache, expect.any(Volume)]);
    expect(cache.kind).toEqual('emptyDir');
    const spec = pod(objects(context));
    expect(spec.volumes).toEqual([
      { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
      { name: 'cache', emptyDir: { sizeLimit: '128Mi' } },
      { name: 'seed', emptyDir: { sizeLimit: '16Mi' } },
    ]);
    expect(spec.containers[0].volumeMounts).toEqual([
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'cache', mountPath: '/var/cache/products', readOnly: false },
      { name: 'seed', mountPath: '/seed', subPath: 'data', readOnly: true },
    ]);
  });

  test('an emptyDir in memory has the Memory medium', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    products.addVolume(Volume.emptyDir('scratch', { sizeLimit: Size.mebibytes(64), inMemory: true }), { mountPath: '/scratch', writable: true });

    expect(pod(objects(context)).volumes[1]).toEqual({ name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } });
  });

  test('fails when emptyDirs on disk and /tmp together exceed the container\'s ephemeral storage limit', () => {
    const { context } = setup();
    const products = microservice(context, 'products');
    products.addVolume(Volume.emptyDir('cache', { sizeLimit: Size.mebibytes(400) }), { mountPath: '/cache', writable: true });

    expect(() => products.addVolume(Volume.emptyDir('more', { sizeLimit: Size.mebibytes(64) }), { mountPath: '/more', writable: true }))
      .toThrow(/^catalog\/products: 'addVolume\(more\)' \('528Mi'\) \(the container's \/tmp and emptyDir volumes on disk together\) must fit in its resources.ephemeralStorage.limit \('?512Mi'?\), or the kubelet evicts the pod when they fill up; shrink the volumes or tmpSize, or raise the ephemeral storage limit$/);
  });

  test('fails when emptyDirs in memory do not leave the process memory below the limit', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    expect(() => products.addVolume(Volume.emptyDir('scratch', { sizeLimit: Size.mebibytes(256), inMemory: true }), { mountPath: '/scratch', writable: true }))
      .toThrow(/^catalog\/products: 'addVolume\(scratch\)' \('256Mi'\) \(the container's emptyDir volumes in memory together\) must stay below its resources.memory.limit \(256Mi\): tmpfs counts against the container's memory, and the process needs some too; shrink the volumes, or raise resources.memory.limit by their size$/);
  });

  test('an ephemeral volume is a claim per pod, with the workload\'s labels', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    products.addVolume(Volume.ephemeral('work', { size: Size.gibibytes(2), storageClass: 'fast-ssd', accessMode: AccessMode.READ_WRITE_ONCE_POD }),
      { mountPath: '/work', writable: true });

    expect(pod(objects(context)).volumes[1]).toEqual({
      name: 'work',
      ephemeral: {
        volumeClaimTemplate: {
          metadata: { labels: { 'app.kubernetes.io/instance': 'products', 'app.kubernetes.io/managed-by': 'cdk8s', 'app.kubernetes.io/name': 'products', 'app.kubernetes.io/part-of': 'shop' } },
          spec: { accessModes: ['ReadWriteOncePod'], storageClassName: 'fast-ssd', resources: { requests: { storage: '2Gi' } } },
        },
      },
    });
  });

  test('an ephemeral volume defaults to ReadWriteOnce from the cluster\'s default StorageClass', () => {
    const { context } = setup();
    microservice(context, 'products').addVolume(Volume.ephemeral('work', { size: Size.gibibytes(1) }), { mountPath: '/work', writable: true });

    expect(pod(objects(context)).volumes[1].ephemeral.volumeClaimTemplate.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
  });

  test('fails when the ephemeral claims of every pod at the peak exceed the quota', () => {
    const { context } = setup({ quota: { persistentVolumeClaims: 4, storage: Size.gibibytes(8) } });
    const products = microservice(context, 'products');

    // 2 to 4 replicas, a surge of 1 and 1 terminating: 6 pods, each with its claim
    products.addVolume(Volume.ephemeral('work', { size: Size.gibibytes(2) }), { mountPath: '/work', writable: true });

    expect(() => objects(context)).toThrow(/'quota.persistentVolumeClaims' \(4\) is below the number of PersistentVolumeClaims the context's workloads create \(6: one per store claim and replica, and per ephemeral volume and pod at the peak\)/);
    expect(() => objects(context)).toThrow(/'quota.storage' \('8Gi'\) is below the storage the context's workloads claim \(12Gi: every claim of every replica and pod at the peak\)/);
  });

  test('fails when an ephemeral volume alone exceeds the storage quota, or has no size', () => {
    const { context } = setup({ quota: { storage: Size.gibibytes(1) } });
    const products = microservice(context, 'products');

    expect(() => products.addVolume(Volume.ephemeral('work', { size: Size.gibibytes(2) }), { mountPath: '/work' }))
      .toThrow(/^catalog\/products: 'addVolume\(work\).size' \('2Gi'\) must fit the context's storage quota \(quota.storage 1Gi\), or the claim is never admitted; shrink the volume, or raise quota.storage of catalog$/);
    expect(() => products.addVolume(Volume.ephemeral('none', { size: Size.gibibytes(0) }), { mountPath: '/none' }))
      .toThrow(/^catalog\/products: 'addVolume\(none\).size' \('0'\) must be greater than zero/);
  });

  test('a projected volume combines a secret, a ConfigMap, the pod\'s metadata and an audience-bound token, read-only', () => {
    const { context } = setup();
    const products = microservice(context, 'products');
    const db = products.addSecret('db', SecretSource.fromSecretName('products-db', ['password']), { env: { DB_PASSWORD: 'password' } });

    products.addVolume(Volume.projected('identity', [
      ProjectedSource.secret(db),
      ProjectedSource.configMap('kube-root-ca.crt'),
      ProjectedSource.podMetadata(),
      ProjectedSource.serviceAccountToken({ audience: 'vault', expiration: Duration.minutes(20) }),
    ]), { mountPath: '/var/run/identity' });

    const spec = pod(objects(context));
    expect(spec.volumes[1]).toEqual({
      name: 'identity',
      projected: {
        defaultMode: 0o440,
        sources: [
          { secret: { name: 'products-db' } },
          { configMap: { name: 'kube-root-ca.crt' } },
          { downwardAPI: { items: [
            { path: 'labels', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.labels' } },
            { path: 'annotations', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.annotations' } },
          ] } },
          { serviceAccountToken: { audience: 'vault', expirationSeconds: 1200, path: 'token' } },
        ],
      },
    });
    expect(spec.containers[0].volumeMounts[1]).toEqual({ name: 'identity', mountPath: '/var/run/identity', readOnly: true });
  });

  test('a token defaults to an hour, in the file token', () => {
    const { context } = setup();
    microservice(context, 'products').addVolume(Volume.projected('token', [ProjectedSource.serviceAccountToken({ audience: 'sts.amazonaws.com' })]), { mountPath: '/var/run/aws' });

    expect(pod(objects(context)).volumes[1].projected.sources).toEqual([{ serviceAccountToken: { audience: 'sts.amazonaws.com', expirationSeconds: 3600, path: 'token' } }]);
  });

  test.each([
    [[ProjectedSource.serviceAccountToken({ audience: ' ' })], 'sources[0].audience', /\(' '\) must name who the token is for, without spaces/],
    [[ProjectedSource.serviceAccountToken({ audience: 'vault', expiration: Duration.minutes(5) })], 'sources[0].expiration', /\('300s'\) must be at least 600 seconds/],
    [[ProjectedSource.serviceAccountToken({ audience: 'vault', path: '../x' })], 'sources[0].path', /\('..\/x'\) must be a file name/],
    [[ProjectedSource.configMap('Bad_Name')], 'sources[0].configMap', /\('Bad_Name'\) must be an object name/],
    [[], 'sources', /\(\[\]\) must list at least one source/],
    [[ProjectedSource.podMetadata(), ProjectedSource.podMetadata()], 'sources[1]', /\('podMetadata\/'\) must not repeat a source of the volume/],
  ])('fails on a projected volume whose %s', (sources, prop, message) => {
    const { context } = setup();
    const products = microservice(context, 'products');

    expect(() => products.addVolume(Volume.projected('p', sources), { mountPath: '/p' })).toThrow(`catalog/products: 'addVolume(p).${prop}' `);
    expect(() => microservice(setup().context, 'products').addVolume(Volume.projected('p', sources), { mountPath: '/p' })).toThrow(message);
  });

  test('fails when a projected volume is mounted writable', () => {
    const { context } = setup();

    expect(() => microservice(context, 'products').addVolume(Volume.projected('meta', [ProjectedSource.podMetadata()]), { mountPath: '/meta', writable: true }))
      .toThrow(/^catalog\/products: 'addVolume\(meta\).writable' \(true\) must be false for a projected volume, which Kubernetes mounts read-only; remove writable, or write to an emptyDir volume$/);
  });

  test('an existing claim is mounted by name, read-only unless writable', () => {
    const { context } = setup();
    microservice(context, 'products').addVolume(Volume.fromClaimName('assets', 'shared-assets'), { mountPath: '/srv/assets' });

    const spec = pod(objects(context));
    expect(spec.volumes[1]).toEqual({ name: 'assets', persistentVolumeClaim: { claimName: 'shared-assets' } });
    expect(spec.containers[0].volumeMounts[1]).toEqual({ name: 'assets', mountPath: '/srv/assets', readOnly: true });
  });

  test.each([
    ['tmp', '/x', {}, /'addVolume\(tmp\).name' \('tmp'\) must not be the name of a volume the pod has already/],
    ['secret-db', '/x', {}, /'addVolume\(secret-db\).name' \('secret-db'\) must not be the name of a volume the pod has already/],
    ['Cache', '/x', {}, /'addVolume\(Cache\).name' \('Cache'\) must be a DNS-1123 label/],
    ['cache', '/tmp/cache', {}, /'addVolume\(cache\).mountPath' \('\/tmp\/cache'\) must not overlap another mount of the container \('\/tmp'\)/],
    ['cache', 'cache', {}, /'addVolume\(cache\).mountPath' \('cache'\) must be an absolute directory path/],
    ['cache', '/cache', { subPath: '../etc' }, /'addVolume\(cache\).subPath' \('..\/etc'\) must be a relative path inside the volume/],
  ])('fails when the volume %s is mounted at %s', (name, mountPath, extra, message) => {
    const { context } = setup();

    expect(() => microservice(context, 'products').addVolume(Volume.emptyDir(name, { sizeLimit: Size.mebibytes(8) }), { mountPath, ...extra })).toThrow(message);
  });

  test('fails when two volumes share a name, or an emptyDir has no size', () => {
    const { context } = setup();
    const products = microservice(context, 'products');
    products.addVolume(Volume.emptyDir('cache', { sizeLimit: Size.mebibytes(8) }), { mountPath: '/a' });

    expect(() => products.addVolume(Volume.emptyDir('cache', { sizeLimit: Size.mebibytes(8) }), { mountPath: '/b' }))
      .toThrow(/^catalog\/products: 'addVolume\(cache\).name' \('cache'\) must be unique among the pod's volumes \(another volume or claim has it\); give each volume its own name, or pass the same Volume object to every container that shares it$/);
    expect(() => products.addVolume(Volume.emptyDir('zero', { sizeLimit: Size.mebibytes(0) }), { mountPath: '/z' }))
      .toThrow(/^catalog\/products: 'addVolume\(zero\).sizeLimit' \('0'\) must be greater than zero/);
    expect(() => products.addVolume('cache' as unknown as Volume, { mountPath: '/c' }))
      .toThrow(/^catalog\/products: 'addVolume\(undefined\)' \('cache'\) must be a Volume/);
  });

  test('fails when a volume takes the name of a store\'s claim', () => {
    const { context } = setup();
    const owner = microservice(context, 'products');
    const store = new StatefulService(context, 'products-db', {
      image: Image.fromTag('docker.io/library/redis', '7.2.5'), ports: [Port.tcp(6379, { name: 'redis' })],
      readiness: Probe.exec(['redis-cli', 'ping']), liveness: Probe.tcp(), owners: [owner],
    });

    expect(() => store.addVolume(Volume.emptyDir('data', { sizeLimit: Size.mebibytes(8) }), { mountPath: '/x' }))
      .toThrow(/'addVolume\(data\).name' \('data'\) must be unique among the pod's volumes/);
  });

  test('a Job mounts volumes too, and its name hashes them', () => {
    const { context } = setup();
    const job = new Job(context, 'migrate', { image: Image.fromTag('ghcr.io/acme/migrate', '1.0.0') });
    const before = job.jobName;

    job.addVolume(Volume.emptyDir('work', { sizeLimit: Size.mebibytes(32) }), { mountPath: '/work', writable: true });

    expect(job.jobName).not.toEqual(before);
    expect(find(objects(context), 'Job', job.jobName).spec.template.spec.volumes[1]).toEqual({ name: 'work', emptyDir: { sizeLimit: '32Mi' } });
  });
});
