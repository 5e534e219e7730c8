import { Duration, Size } from 'cdk8s';
import {
  AccessMode, BoundedContext, ConfigurationError, ErrorCode, Image, Port, Probe, ProjectedSource, SecretSource, StatefulService, Volume, VolumeClaim,
} from '../../lib';
import { _validationErrors } from '../../lib/internal/chart';
import { _fmt } from '../../lib/internal/configuration-error';
import { microservice, setup, thrown } from '../_helpers';

const redis = Image.fromTag('docker.io/library/redis', '7.2.5');

/**
 * The pod-level refusals of issue 20 are ConfigurationErrors with a code, thrown by
 * a constructor or found by a validation at synth like every other refusal.
 */
describe('pod hardening refusals carry their codes', () => {
  test.each<[string, ErrorCode, () => unknown, { path: string; prop: string }]>([
    ['a command line written as one string', ErrorCode.INVALID_VALUE,
      () => microservice(setup().context, 'products', { command: ['python app.py'] }), { path: 'catalog/products', prop: 'command[0]' }],
    ['a credential after a flag', ErrorCode.PLAINTEXT_SECRET,
      () => microservice(setup().context, 'products', { args: ['--requirepass', 'hunter2'] }), { path: 'catalog/products', prop: 'args[1]' }],
    ['a credential assigned in a shell script', ErrorCode.PLAINTEXT_SECRET,
      () => microservice(setup().context, 'products', { command: ['sh', '-c', 'PGPASSWORD=x psql'] }), { path: 'catalog/products', prop: 'command[2]' }],
    ['an HTTP probe on a gRPC port', ErrorCode.CONFLICT,
      () => microservice(setup().context, 'products', { ports: [Port.http(8080), Port.grpc(9090)], readiness: Probe.http('/ready', { port: 'grpc' }) }),
      { path: 'catalog/products', prop: 'readiness.port' }],
    ['an unconfined AppArmor annotation', ErrorCode.UNSAFE,
      () => microservice(setup().context, 'products', { podAnnotations: { 'container.apparmor.security.beta.kubernetes.io/products': 'unconfined' } }),
      { path: 'catalog/products', prop: 'podAnnotations.container.apparmor.security.beta.kubernetes.io/products' }],
    ['a localhost seccomp annotation against the RuntimeDefault field', ErrorCode.CONFLICT,
      () => microservice(setup().context, 'products', { podAnnotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'localhost/audit.json' } }),
      { path: 'catalog/products', prop: 'podAnnotations.seccomp.security.alpha.kubernetes.io/pod' }],
    ['a subPath mount of a projected volume without a reason', ErrorCode.MISSING_REQUIRED,
      () => microservice(setup().context, 'products').addVolume(Volume.projected('ca', [ProjectedSource.configMap('kube-root-ca.crt')]), { mountPath: '/etc/ca.crt', subPath: 'ca.crt' }),
      { path: 'catalog/products', prop: 'addVolume(ca).subPath' }],
    ['a subPathReason without a subPath', ErrorCode.CONFLICT,
      () => microservice(setup().context, 'products').addVolume(Volume.emptyDir('x', { sizeLimit: Size.mebibytes(1) }), { mountPath: '/x', writable: true, subPathReason: 'static' }),
      { path: 'catalog/products', prop: 'addVolume(x).subPathReason' }],
    ['a token without an audience', ErrorCode.MISSING_REQUIRED,
      () => microservice(setup().context, 'products').addVolume(Volume.projected('api', [ProjectedSource.serviceAccountToken({} as never)]), { mountPath: '/var/run/api' }),
      { path: 'catalog/products', prop: 'addVolume(api).sources[0].audience' }],
    ['a read-only fresh claim', ErrorCode.INVALID_VALUE,
      () => microservice(setup().context, 'products').addVolume(Volume.ephemeral('work', { size: Size.gibibytes(1), accessMode: AccessMode.READ_ONLY_MANY }), { mountPath: '/work', writable: true }),
      { path: 'catalog/products', prop: 'addVolume(work).accessMode' }],
    ['a projected secret of another namespace', ErrorCode.WRONG_SCOPE, () => {
      const { app, platform, context } = setup();
      const billing = new BoundedContext(app, 'billing', { platform, team: 'billing-team' });
      const theirs = microservice(billing, 'invoices').addSecret('db', SecretSource.fromSecretName('invoices-db', ['password']), { env: { DB_PASSWORD: 'password' } });
      microservice(context, 'products').addVolume(Volume.projected('creds', [ProjectedSource.secret(theirs)]), { mountPath: '/creds' });
    }, { path: 'catalog/products', prop: 'addVolume(creds).sources[0].secret' }],
    ['the library\'s preStopDelay beyond a short grace period', ErrorCode.CONFLICT,
      () => microservice(setup().context, 'products', { terminationGracePeriod: Duration.seconds(5) }), { path: 'catalog/products', prop: 'preStopDelay' }],
  ])('%s: %s', (_what, code, build, fields) => {
    const e = thrown(build);

    expect(e).toBeInstanceOf(ConfigurationError);
    expect(e).toMatchObject({ code, ...fields });
  });

  test('the volume checks at synth are ConfigurationErrors with their codes', () => {
    const { app, context } = setup();
    const products = microservice(context, 'products', { replicas: 3 });
    new StatefulService(context, 'products-db', {
      image: redis, ports: [Port.tcp(6379, { name: 'redis' })], readiness: Probe.exec(['redis-cli', 'ping']), liveness: Probe.tcp(), owners: [products],
      claims: [VolumeClaim.of('data', { size: Size.gibibytes(1), mountPath: '/data' })],
    });
    products.addVolume(Volume.emptyDir('cache', { sizeLimit: Size.mebibytes(16) }), { mountPath: '/cache' });
    products.addVolume(Volume.fromClaimName('db', 'data-products-db-0'), { mountPath: '/db', writable: true });
    products.addVolume(Volume.fromClaimName('uploads', 'uploads', { accessMode: AccessMode.READ_WRITE_ONCE }), { mountPath: '/uploads', writable: true });
    products.addVolume(Volume.projected('api', [ProjectedSource.serviceAccountToken({ audience: 'https://kubernetes.default.svc' })]), { mountPath: '/var/run/api' });

    const found = _validationErrors(app).filter(e => e.path === 'catalog/products').map(e => [e.prop, e.code]);

    expect(found).toEqual(expect.arrayContaining([
      ['addVolume(cache).writable', ErrorCode.CONFLICT],
      ['addVolume(db).claimName', ErrorCode.UNSAFE],
      ['addVolume(uploads).accessMode', ErrorCode.CONFLICT],
      ['addVolume(api).audience', ErrorCode.UNSAFE],
    ]));
  });

  test('_fmt, wherever it lives, shows Infinity and NaN as written', () => {
    expect(_fmt(Infinity)).toBe('Infinity');
    expect(_fmt(NaN)).toBe('NaN');
    expect(_fmt([1, -Infinity])).toBe('[1,-Infinity]');
  });
});
