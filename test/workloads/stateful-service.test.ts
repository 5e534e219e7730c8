import { Size } from 'cdk8s';
import { AccessMode, ClaimRetention, PodManagementPolicy, Probe, StatefulService, StatefulServiceProps, VolumeClaim } from '../../lib';
import { find, microservice, objects, resolvedEnv, setup, storeProps as props } from '../_helpers';

describe('StatefulService', () => {
  describe('defaults', () => {
    test('one pod, started in order, with a 1Gi ReadWriteOnce claim at /data that outlives it', () => {
      const { context } = setup();
      const products = microservice(context, 'products');

      const cache = new StatefulService(context, 'cache', props([products]));

      expect(cache.replicas).toEqual(1);
      expect(cache.podManagementPolicy).toBe(PodManagementPolicy.ORDERED_READY);
      expect([cache.whenDeleted, cache.whenScaled]).toEqual([ClaimRetention.RETAIN, ClaimRetention.RETAIN]);
      expect(cache.claims.map(c => [c.name, c.mountPath, c.accessMode, c.storageClass])).toEqual([['data', '/data', AccessMode.READ_WRITE_ONCE, undefined]]);
      const s = find(objects(context), 'StatefulSet', 'cache').spec;
      expect(s).toMatchObject({
        serviceName: 'cache',
        replicas: 1,
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        selector: { matchLabels: { 'app.kubernetes.io/name': 'cache', 'app.kubernetes.io/instance': 'cache' } },
      });
      expect(s.volumeClaimTemplates).toEqual([{
        metadata: { name: 'data', labels: { 'app.kubernetes.io/name': 'cache', 'app.kubernetes.io/instance': 'cache' } },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      }]);
      expect(s.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    });

    test('a headless Service, a budget that lets a node drain, spread by revision, a store component, a preStop delay of 5 s', () => {
      const { context } = setup();
      const products = microservice(context, 'products');

      const cache = new StatefulService(context, 'cache', props([products]));

      expect(cache.disruptionBudget.count).toEqual(1);
      expect(cache.component).toEqual('store');
      const manifests = objects(context);
      expect(find(manifests, 'Service', 'cache').spec).toEqual({
        type: 'ClusterIP', clusterIP: 'None',
        selector: { 'app.kubernetes.io/name': 'cache', 'app.kubernetes.io/instance': 'cache' },
        ports: [{ name: 'redis', port: 6379, targetPort: 'redis', protocol: 'TCP' }],
      });
      expect(find(manifests, 'PodDisruptionBudget', 'cache').spec).toMatchObject({ maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
      const pod = find(manifests, 'StatefulSet', 'cache').spec.template.spec;
      expect(pod.topologySpreadConstraints.map((t: { matchLabelKeys: string[] }) => t.matchLabelKeys)).toEqual([['controller-revision-hash'], ['controller-revision-hash']]);
      expect(pod.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
      expect(pod.serviceAccountName).toEqual('cache');
      expect(pod.securityContext.fsGroup).toEqual(10001);
      expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    });
  });

  test('renders the claims, policies and replicas given', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    new StatefulService(context, 'cache', props([products], {
      replicas: 3,
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      whenDeleted: ClaimRetention.DELETE,
      whenScaled: ClaimRetention.DELETE,
      claims: [
        VolumeClaim.of('data', { size: Size.gibibytes(10), mountPath: '/data', storageClass: 'fast-ssd', accessMode: AccessMode.READ_WRITE_ONCE_POD }),
        VolumeClaim.of('wal', { size: Size.gibibytes(2), mountPath: '/wal' }),
      ],
    }));

    const s = find(objects(context), 'StatefulSet', 'cache').spec;
    expect(s).toMatchObject({ replicas: 3, podManagementPolicy: 'Parallel', persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } });
    expect(s.volumeClaimTemplates.map((c: { spec: unknown }) => c.spec)).toEqual([
      { accessModes: ['ReadWriteOncePod'], storageClassName: 'fast-ssd', resources: { requests: { storage: '10Gi' } } },
      { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } },
    ]);
  });

  test('a StorageClass named with dots is valid for a store\'s claims, as it is for ephemeral volumes (a DNS subdomain)', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    new StatefulService(context, 'cache', props([products], {
      claims: [VolumeClaim.of('data', { size: Size.gibibytes(1), mountPath: '/data', storageClass: 'ebs.csi.aws.com-gp3' })],
    }));

    expect(find(objects(context), 'StatefulSet', 'cache').spec.volumeClaimTemplates[0].spec.storageClassName).toBe('ebs.csi.aws.com-gp3');
  });

  test('fails when a StorageClass name is not a DNS subdomain', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    expect(() => new StatefulService(context, 'cache', props([products], {
      claims: [VolumeClaim.of('data', { size: Size.gibibytes(1), mountPath: '/data', storageClass: 'Fast_SSD' })],
    }))).toThrow(/^catalog\/cache: 'claims\[data\]\.storageClass' \('Fast_SSD'\) must be an object name \(a DNS-1123 subdomain\).*; name the StorageClass as `kubectl get storageclasses` shows it$/);
  });

  test('its owner connects: egress on the owner, ingress on the store for the owner only, the URL in the owner\'s environment', () => {
    const { context } = setup();
    const products = microservice(context, 'products');
    const cache = new StatefulService(context, 'cache', props([products]));

    products.connectTo(cache);

    expect(cache.owners).toEqual([products]);
    const manifests = objects(context);
    expect(resolvedEnv(manifests, find(manifests, 'Deployment', 'products'))).toContainEqual({ name: 'CACHE_URL', value: 'tcp://cache.catalog.svc.cluster.local:6379' });
    expect(find(manifests, 'NetworkPolicy', 'cache').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'catalog' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'products', 'app.kubernetes.io/instance': 'products' } } }],
      ports: [{ protocol: 'TCP', port: 6379 }],
    }]);
  });

  test('the quota check counts its pods, claims and storage', () => {
    const { context } = setup({ quota: { persistentVolumeClaims: 2, storage: Size.gibibytes(20) } });
    const products = microservice(context, 'products');

    new StatefulService(context, 'cache', props([products], { replicas: 3, claims: [VolumeClaim.of('data', { size: Size.gibibytes(10), mountPath: '/data' })] }));

    expect(() => objects(context)).toThrow(new RegExp([
      "catalog: 'quota\\.persistentVolumeClaims' \\(2\\) is below the number of PersistentVolumeClaims the context's workloads create \\(3: one per store claim and replica, and per ephemeral volume and pod at the peak\\); raise quota\\.persistentVolumeClaims to at least 3, or lower the replicas, claims or ephemeral volumes",
      "catalog: 'quota\\.storage' \\('20Gi'\\) is below the storage the context's workloads claim \\(30Gi: every claim of every replica and pod at the peak\\); raise quota\\.storage to at least 30Gi, or shrink the claims",
    ].join('\n[^\n]*')));
  });

  test('fails when it has no owner', () => {
    const { context } = setup();

    expect(() => new StatefulService(context, 'cache', props([])))
      .toThrow(/^catalog\/cache: 'owners' \(\[\]\) must name at least one workload that owns the store \(database per service\); only owners may connect to it; pass owners: \[theService\], the workload whose data this is$/);
  });

  test('fails when a service that does not own it connects', () => {
    const { context } = setup();
    const products = microservice(context, 'products');
    const reviews = microservice(context, 'reviews');
    const cache = new StatefulService(context, 'cache', props([products]));

    expect(() => reviews.connectTo(cache))
      .toThrow(/^catalog\/reviews: 'connectTo\(callee\)' \('catalog\/cache'\) must be a store the caller owns, but catalog\/cache is owned by catalog\/products \(database per service\); call an owner's API instead, or add catalog\/reviews to the store's owners if it truly shares the data$/);
    expect(cache.callers).toEqual([]);
    expect(() => cache.allowFrom(reviews)).toThrow(/must be a store the caller owns/);
  });

  test('fails when a volume claim is larger than the context\'s storage quota', () => {
    const { context } = setup({ quota: { storage: Size.gibibytes(50) } });
    const products = microservice(context, 'products');

    expect(() => new StatefulService(context, 'cache', props([products], { claims: [VolumeClaim.of('data', { size: Size.gibibytes(64), mountPath: '/data' })] })))
      .toThrow(/^catalog\/cache: 'claims\[data\]\.size' \('64Gi'\) must fit the context's storage quota \(quota\.storage 50Gi\), or the claim is never admitted; shrink the claim, or raise quota\.storage of catalog$/);
  });

  test.each([
    ['no ports', { ports: [], readiness: Probe.exec(['redis-cli', 'ping']), liveness: Probe.exec(['true']) }, /'ports' \(\[\]\) must list at least one port/],
    ['no claims', { claims: [] }, /'claims' \(\[\]\) must hold at least one claim with persistent storage: the pods would have nowhere to keep their data; add a VolumeClaim, or set storage: StoreStorage\.scratch\(\{ sizeLimit \}\) for a store that keeps nothing \(a cache\)/],
    ['two claims of one name', { claims: [VolumeClaim.of('data', { size: Size.gibibytes(1), mountPath: '/a' }), VolumeClaim.of('data', { size: Size.gibibytes(1), mountPath: '/b' })] },
      /'claims\[\]\.name' \('data'\) must be unique in the store/],
    ['a claim over /tmp', { claims: [VolumeClaim.of('data', { size: Size.gibibytes(1), mountPath: '/tmp/data' })] },
      /'claims\[data\]\.mountPath' \('\/tmp\/data'\) must not overlap another mount of the container \('\/tmp'\)/],
    ['a claim named like a pod volume', { claims: [VolumeClaim.of('tmp', { size: Size.gibibytes(1), mountPath: '/data' })] }, /'claims\[tmp\]\.name' \('tmp'\) must not be the name of a volume the pod has already/],
    ['an empty claim', { claims: [VolumeClaim.of('data', { size: Size.mebibytes(0), mountPath: '/data' })] }, /'claims\[data\]\.size' \('0'\) must be greater than zero/],
    ['zero replicas', { replicas: 0 }, /'replicas' \(0\) must be a whole number between 1 and 10000/],
  ])('fails with %s', (_what, extra, message) => {
    const { context } = setup();
    const products = microservice(context, 'products');

    expect(() => new StatefulService(context, 'cache', props([products], extra as Partial<StatefulServiceProps>))).toThrow(message);
  });
});
