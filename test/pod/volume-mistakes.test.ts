import { Size } from 'cdk8s';
import {
  AccessMode, AccessRule, BoundedContext, Image, Job, Port, Probe, ProjectedSource, SecretSource, StatefulService, Volume, VolumeClaim,
} from '../../lib';
import { find, microservice, objects, setup } from '../_helpers';

const helper = Image.fromTag('ghcr.io/acme/helper', '1.0.0');

function store(context: Parameters<typeof microservice>[0], owner: ReturnType<typeof microservice>, extra: { claims?: VolumeClaim[] } = {}): StatefulService {
  return new StatefulService(context, 'products-db', {
    image: Image.fromTag('docker.io/library/redis', '7.2.5'), ports: [Port.tcp(6379, { name: 'redis' })],
    readiness: Probe.exec(['redis-cli', 'ping']), liveness: Probe.tcp(), owners: [owner], ...extra,
  });
}

describe('volumes that break or mislead', () => {
  describe('scratch space no container writes', () => {
    test('fails when no container mounts an emptyDir or an ephemeral volume writable', () => {
      const { context } = setup();
      const products = microservice(context, 'products');
      products.addVolume(Volume.emptyDir('cache', { sizeLimit: Size.mebibytes(16) }), { mountPath: '/cache' });

      expect(() => objects(context)).toThrow(/\[catalog\/products\] catalog\/products: 'addVolume\(cache\)\.writable' \(false\) must be true in at least one container that mounts this emptyDir volume: it starts empty with each pod, and a volume no container can write stays empty; mount it with writable: true in the container that fills it \(an init container, or the main container\), or remove the volume/);

      const orders = microservice(setup().context, 'orders');
      orders.addVolume(Volume.ephemeral('work', { size: Size.gibibytes(1) }), { mountPath: '/work' });
      expect(() => objects(orders.context)).toThrow(/'addVolume\(work\)\.writable' \(false\) must be true in at least one container that mounts this ephemeral volume/);
    });

    test('accepts scratch space an init container fills and the main container reads', () => {
      const { context } = setup();
      const products = microservice(context, 'products');
      const seed = Volume.emptyDir('seed', { sizeLimit: Size.mebibytes(16) });
      products.addVolume(seed, { mountPath: '/seed' });
      products.addInitContainer('fill', { image: helper }).addVolume(seed, { mountPath: '/seed', writable: true });

      expect(find(objects(context), 'Deployment', 'products').spec.template.spec.containers[0].volumeMounts[1]).toEqual({ name: 'seed', mountPath: '/seed', readOnly: true });
    });
  });

  describe('a subPath mount of a projected volume', () => {
    test('fails when a secret is mounted with subPath and no reason', () => {
      const { context } = setup();
      const products = microservice(context, 'products');
      const db = products.addSecret('db', SecretSource.fromSecretName('products-db', ['password']), { env: { DB_PASSWORD: 'password' } });

      expect(() => products.addVolume(Volume.projected('creds', [ProjectedSource.secret(db)]), { mountPath: '/etc/app/password', subPath: 'password' }))
        .toThrow(/^catalog\/products: 'addVolume\(creds\)\.subPath' \('password'\) must not mount part of a projected volume: a subPath mount never receives the kubelet's updates, so a rotated secret, a changed ConfigMap or a renewed token never reaches the container; mount the whole volume at a directory of its own and read the file inside it, or set subPathReason to say why the files may stay as they were at start$/);
      expect(() => products.addVolume(Volume.projected('ca', [ProjectedSource.configMap('kube-root-ca.crt')]), { mountPath: '/etc/ssl/ca.crt', subPath: 'ca.crt', subPathReason: ' ' }))
        .toThrow(/'addVolume\(ca\)\.subPathReason' \(' '\) must say why the files may stay as they were when the container started/);
      expect(() => products.addVolume(Volume.emptyDir('x', { sizeLimit: Size.mebibytes(1) }), { mountPath: '/x', writable: true, subPathReason: 'static' }))
        .toThrow(/'addVolume\(x\)\.subPathReason' \('static'\) must only be set with a subPath mount of a projected volume; remove subPathReason$/);
    });

    test('accepts a subPath mount with its reason, and whole-volume mounts', () => {
      const { context } = setup();
      const products = microservice(context, 'products');
      products.addVolume(Volume.projected('ca', [ProjectedSource.configMap('kube-root-ca.crt')]),
        { mountPath: '/etc/ssl/certs/cluster-ca.crt', subPath: 'ca.crt', subPathReason: 'the CA is read at start; it changes only with the cluster' });
      products.addVolume(Volume.projected('meta', [ProjectedSource.podMetadata()]), { mountPath: '/etc/podinfo' });

      expect(find(objects(context), 'Deployment', 'products').spec.template.spec.containers[0].volumeMounts[1])
        .toEqual({ name: 'ca', mountPath: '/etc/ssl/certs/cluster-ca.crt', subPath: 'ca.crt', readOnly: true });
    });
  });

  test('fails when a projected secret belongs to another namespace; accepts the workload\'s own', () => {
    const { app, platform, context } = setup();
    const other = new BoundedContext(app, 'billing', { platform, team: 'billing-team' });
    const invoices = microservice(other, 'invoices');
    const theirs = invoices.addSecret('db', SecretSource.fromSecretName('invoices-db', ['password']), { env: { DB_PASSWORD: 'password' } });
    const products = microservice(context, 'products');

    expect(() => products.addVolume(Volume.projected('creds', [ProjectedSource.secret(theirs)]), { mountPath: '/creds' }))
      .toThrow(/^catalog\/products: 'addVolume\(creds\)\.sources\[0\]\.secret' \('invoices-db'\) must be a secret of the workload's namespace \('catalog'\), but it belongs to namespace 'billing': a pod mounts only Secrets of its own namespace, and the pods would never start; add the secret to this workload with addSecret\(id, source\) and project what that returns$/);
    const ours = products.addSecret('db', SecretSource.fromSecretName('products-db', ['password']), { mountPath: '/var/run/secrets/db' });
    products.addVolume(Volume.projected('creds', [ProjectedSource.secret(ours)]), { mountPath: '/creds' });
  });

  test('fails when a store\'s claim is mounted by name; accepts another claim', () => {
    const { context } = setup();
    const owner = microservice(context, 'products');
    store(context, owner);
    owner.addVolume(Volume.fromClaimName('db', 'data-products-db-0'), { mountPath: '/db' });

    expect(() => objects(context)).toThrow(/catalog\/products: 'addVolume\(db\)\.claimName' \('data-products-db-0'\) must not be a claim of another workload: it holds the data of catalog\/products-db, which only its owners reach, through the store; mounted by name, it bypasses the owners and risks a second writer on a live database; connectTo the store from one of its owners and use its API/);

    const fresh = setup().context;
    const products = microservice(fresh, 'products');
    store(fresh, products);
    products.addVolume(Volume.fromClaimName('assets', 'data-assets-0'), { mountPath: '/assets' });
    expect(() => objects(fresh)).not.toThrow();
  });

  test('fails when a ReadWriteOnce or ReadWriteOncePod claim is mounted by more than one replica spread over nodes', () => {
    const { context } = setup();
    microservice(context, 'products', { replicas: 3 })
      .addVolume(Volume.fromClaimName('uploads', 'uploads', { accessMode: AccessMode.READ_WRITE_ONCE }), { mountPath: '/uploads', writable: true });
    microservice(context, 'orders')
      .addVolume(Volume.fromClaimName('uploads', 'orders-uploads', { accessMode: AccessMode.READ_WRITE_ONCE_POD }), { mountPath: '/uploads', writable: true });

    expect(() => objects(context)).toThrow(/catalog\/products: 'addVolume\(uploads\)\.accessMode' \('ReadWriteOnce'\) must let every pod mount the claim: the service runs up to 3 replicas, required to spread over nodes, and a ReadWriteOnce claim attaches to one node only, so the pods can never all start; use a ReadWriteMany claim \(a shared file system\), run one replica, or give each pod storage of its own/);
    expect(() => objects(context)).toThrow(/catalog\/orders: 'addVolume\(uploads\)\.accessMode' \('ReadWriteOncePod'\) must let every pod mount the claim: the service runs up to 4 replicas, .* attaches to one pod only/);
  });

  test('accepts a ReadWriteOnce claim on one replica, a ReadWriteMany claim on many, and a Job', () => {
    const { context } = setup();
    microservice(context, 'products', { replicas: 1 })
      .addVolume(Volume.fromClaimName('uploads', 'uploads', { accessMode: AccessMode.READ_WRITE_ONCE }), { mountPath: '/uploads', writable: true });
    microservice(context, 'orders', { replicas: 3 })
      .addVolume(Volume.fromClaimName('uploads', 'shared', { accessMode: AccessMode.READ_WRITE_MANY }), { mountPath: '/uploads', writable: true });
    new Job(context, 'import', { image: helper })
      .addVolume(Volume.fromClaimName('uploads', 'uploads', { accessMode: AccessMode.READ_WRITE_ONCE }), { mountPath: '/uploads' });

    expect(find(objects(context), 'Deployment', 'orders').spec.template.spec.volumes[1]).toEqual({ name: 'uploads', persistentVolumeClaim: { claimName: 'shared' } });
  });

  test('fails when a store\'s fresh claims or an ephemeral volume are read-only; accepts ReadWriteOncePod', () => {
    const { context } = setup();
    const owner = microservice(context, 'products');

    expect(() => store(context, owner, { claims: [VolumeClaim.of('data', { size: Size.gibibytes(1), mountPath: '/data', accessMode: AccessMode.READ_ONLY_MANY })] }))
      .toThrow(/^catalog\/products-db: 'claims\[data\]\.accessMode' \('ReadOnlyMany'\) must let the pods write: the claim is provisioned empty, and with a read-only access mode nothing can ever write its first data; use AccessMode\.READ_WRITE_ONCE \(the default\) or READ_WRITE_ONCE_POD; to share existing data read-only, mount its claim with Volume\.fromClaimName$/);
    expect(() => owner.addVolume(Volume.ephemeral('work', { size: Size.gibibytes(1), accessMode: AccessMode.READ_ONLY_MANY }), { mountPath: '/work', writable: true }))
      .toThrow(/'addVolume\(work\)\.accessMode' \('ReadOnlyMany'\) must let the pods write/);
    const fresh = setup().context;
    const db = store(fresh, microservice(fresh, 'products'), { claims: [VolumeClaim.of('data', { size: Size.gibibytes(1), mountPath: '/data', accessMode: AccessMode.READ_WRITE_ONCE_POD })] });
    expect(db.claims[0].accessMode).toBe(AccessMode.READ_WRITE_ONCE_POD);
  });

  describe('a projected token for the Kubernetes API server', () => {
    test.each(['https://kubernetes.default.svc', 'https://kubernetes.default.svc.cluster.local', 'kubernetes'])('fails for the audience %s without grantAccess', audience => {
      const { context } = setup();
      microservice(context, 'products').addVolume(Volume.projected('api', [ProjectedSource.serviceAccountToken({ audience })]), { mountPath: '/var/run/api' });

      expect(() => objects(context)).toThrow(new RegExp(`catalog/products: 'addVolume\\(api\\)\\.audience' \\('${audience.replace(/\./g, '\\.')}'\\) must not be the Kubernetes API server's unless the workload is granted API access: the token would hand the pods API credentials that no grant declared; declare the access with grantAccess\\(rule\\), which mounts a short-lived API token itself, or name the audience of the system the token is for`));
    });

    test('fails without an audience, which would be the API server\'s', () => {
      const { context } = setup();
      expect(() => microservice(context, 'products').addVolume(Volume.projected('api', [ProjectedSource.serviceAccountToken({} as never)]), { mountPath: '/var/run/api' }))
        .toThrow(/'addVolume\(api\)\.sources\[0\]\.audience' \(undefined\) must name who the token is for, without spaces \(without an audience, Kubernetes issues a token for its API server, which only grantAccess hands out\)/);
    });

    test('accepts another audience, and the API server\'s with a grant', () => {
      const { context } = setup({}, { apiServerCidrs: ['10.96.0.1/32'] });
      microservice(context, 'products').addVolume(Volume.projected('vault', [ProjectedSource.serviceAccountToken({ audience: 'vault' })]), { mountPath: '/var/run/vault' });
      const orders = microservice(context, 'orders');
      orders.addVolume(Volume.projected('api', [ProjectedSource.serviceAccountToken({ audience: 'https://kubernetes.default.svc' })]), { mountPath: '/var/run/api' });
      orders.grantAccess(AccessRule.of('', ['configmaps'], ['get'], ['orders-settings']));

      expect(() => objects(context)).not.toThrow();
    });
  });
});
