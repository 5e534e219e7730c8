import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, Size, Testing, Yaml } from 'cdk8s';
import * as lib from '../lib';
import { Manifest, resolvedEnv } from './_helpers';

const ROOT = path.join(__dirname, '..');

/** The README's tour must compile against the library and synthesize what it says. */
test('the README example type-checks and synthesizes', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme);
  expect(block).not.toBeNull();
  // inside the repo, so that 'cdk8s' resolves from its node_modules
  const dir = fs.mkdtempSync(path.join(ROOT, 'test', '.readme-'));
  try {
    const file = path.join(dir, 'example.ts');
    fs.writeFileSync(file, block![1].replace("from 'cdk8s-microservices'", `from ${JSON.stringify(path.join(ROOT, 'lib'))}`));
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--target', 'ES2022', '--module', 'commonjs',
        '--moduleResolution', 'node', '--types', 'node', file], { cwd: ROOT, stdio: 'pipe', encoding: 'utf8' });
    } catch (err) {
      throw new Error(`the README example does not type-check:\n${(err as { stdout?: string }).stdout}`);
    }
    execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: dir, stdio: 'pipe', env: { ...process.env, CDK8S_OUTDIR: path.join(dir, 'dist') } });
    const orders = Yaml.load(path.join(dir, 'dist', '0002-orders.k8s.yaml')) as Manifest[];
    const env = resolvedEnv(orders, orders.find(o => o.kind === 'Deployment')!);
    expect(env).toContainEqual({ name: 'AUTH_GRPC_URL', value: 'dns:///auth.accounts.svc.cluster.local:9090' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

/** Each error example of the README is what the library says for that mistake, word for word. */
test('the README error examples are the messages the library produces', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /Bad input fails the synth[\s\S]*?```text\n([\s\S]*?)```/.exec(readme);
  expect(block).not.toBeNull();
  const examples = block![1].trim().split('\n');
  const props = { image: lib.Image.fromTag('ghcr.io/acme/payments', '2.1.0'), ports: [lib.Port.http(8080)], readiness: lib.Probe.http('/ready'), liveness: lib.Probe.http('/live') };
  const next = lib.Image.fromTag('ghcr.io/acme/payments', '2.2.0');
  const context = () => {
    const app = Testing.app();
    const platform = new lib.Platform(app, 'shop');
    return { app, platform, orders: new lib.BoundedContext(app, 'orders', { platform, team: 'orders-team' }) };
  };
  const mistakes: Array<() => unknown> = [
    () => new lib.Microservice(context().orders, 'payments', { ...props, minReplicas: 3, maxReplicas: 2 }),
    () => new lib.Microservice(context().orders, 'payments', { ...props, env: { PAYMENT_API_KEY: 'f3a9c1d27be84e6a' } }),
    () => new lib.Microservice(context().orders, 'payments', { ...props, readiness: lib.Probe.http('/ready', { timeout: Duration.seconds(1.5) }) }),
    () => new lib.Microservice(context().orders, 'payments', props)
      .addBackingService('DATABASE_URL', lib.BackingService.fromUrl('postgresql://orders-db.internal:5432/orders', { cidrs: ['10.20.0.5/16'] })),
    () => context().orders.grant(lib.Subject.group('oidc:orders-devs'), { name: 'deploy', rules: [lib.AccessRule.of('', ['deployments'], ['get', 'patch'])] }),
    () => context().orders.grant(lib.Subject.group('oidc:orders-devs'), { name: 'agg', clusterRole: 'system:aggregate-to-edit' }),
    () => new lib.Microservice(context().platform as never, 'payments', props),
    () => new lib.CronJob(context().orders, 'report', { image: props.image, schedule: lib.CronSchedule.DAILY, timeZone: 'europe/berlin' }),
    () => new lib.CronJob(context().orders, 'report', { image: props.image, schedule: lib.CronSchedule.expression('*/90 * * * *') }),
    () => new lib.Job(context().orders, 'migrate', { image: props.image, ttlAfterFinished: Duration.days(1) }),
    () => context().orders.grant(lib.Subject.group('oidc:orders-devs'), { name: 'migrations', rules: [lib.AccessRule.of('batch', ['jobs'], ['get', 'create'])] }),
    () => {
      const { app, platform, orders } = context();
      const reporting = new lib.Microservice(new lib.BoundedContext(app, 'analytics', { platform, team: 'analytics-team' }), 'reporting', props);
      return new lib.StatefulService(orders, 'orders-db', { ...props, ports: [lib.Port.tcp(5432, { name: 'postgres' })], readiness: lib.Probe.tcp(),
        liveness: lib.Probe.exec(['pg_isready']), owners: [reporting] });
    },
    () => { const { orders } = context(); new lib.StatefulService(orders, 'payments-ledger-store-for-the-orders-context-eu-west1', { ...props, owners: [new lib.Microservice(orders, 'payments', props)] }); },
    () => { const { orders } = context(); new lib.StatefulService(orders, 'payments-db', { ...props, owners: [new lib.Microservice(orders, 'payments', props)], minReplicas: 2 } as lib.StatefulServiceProps); },
    // Hardening II: a command as one string, a credential after a flag, a subPath of a secret,
    // an HTTP probe of a gRPC port, an API token without a grant, Pod Security annotations, a default named
    () => new lib.Microservice(context().orders, 'payments', { ...props, command: ['python app.py'] }),
    () => new lib.Microservice(context().orders, 'payments', { ...props, args: ['--requirepass', 'hunter2'] }),
    () => {
      const payments = new lib.Microservice(context().orders, 'payments', props);
      const stripe = payments.addSecret('stripe', lib.SecretSource.fromSecretName('payments-stripe', ['key']), { mountPath: '/var/run/secrets/stripe' });
      payments.addVolume(lib.Volume.projected('stripe-key', [lib.ProjectedSource.secret(stripe)]), { mountPath: '/etc/stripe/key', subPath: 'key' });
    },
    () => new lib.Microservice(context().orders, 'payments', { ...props, ports: [lib.Port.grpc(9090)], liveness: lib.Probe.grpc() }),
    () => {
      const orders = context().orders;
      new lib.Microservice(orders, 'payments', props).addVolume(
        lib.Volume.projected('api', [lib.ProjectedSource.serviceAccountToken({ audience: 'https://kubernetes.default.svc' })]), { mountPath: '/var/run/api' });
      Testing.synth(orders);
    },
    () => new lib.Microservice(context().orders, 'payments', { ...props, podAnnotations: { 'container.apparmor.security.beta.kubernetes.io/payments': 'unconfined' } }),
    () => new lib.Microservice(context().orders, 'payments', { ...props, terminationGracePeriod: Duration.seconds(5) }),
    () => {
      const { platform, orders } = context();
      const gateway = new lib.ApiGateway(orders.node.root as never, 'gateway', { platform, hosts: ['api.example.com'], tls: lib.GatewayTls.fromSecret('api-tls') });
      const payments = new lib.Microservice(orders, 'payments', props);
      for (let i = 0; i <= 16; i++) gateway.addRoute({ host: 'api.example.com', path: `/p${i}`, service: payments });
    },
    () => {
      const { platform, orders } = context();
      const gateway = new lib.ApiGateway(orders.node.root as never, 'gateway', { platform, hosts: ['api.example.com'], tls: lib.GatewayTls.fromSecret('api-tls') });
      const payments = new lib.Microservice(orders, 'payments', { ...props, ports: [lib.Port.http(8080), lib.Port.http(9090, { name: 'metrics' })] });
      gateway.addRoute({ host: 'api.example.com', service: payments, port: 'metrics' });
    },
    // Safe change (issue 25): a store's claim resized, synthesized over the previous output
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-safe-change-'));
      const release = (size: number, previous: lib.PreviousOutput, outdir: string) => {
        const app = new lib.MicroservicesApp({ outdir, previous });
        const platform = new lib.Platform(app, 'shop');
        const orders = new lib.BoundedContext(app, 'orders', { platform, team: 'orders-team' });
        new lib.StatefulService(orders, 'orders-db', { ...props, ports: [lib.Port.tcp(5432, { name: 'postgres' })], readiness: lib.Probe.tcp(),
          liveness: lib.Probe.exec(['pg_isready']), owners: [new lib.Microservice(orders, 'payments', props)],
          claims: [lib.VolumeClaim.of('data', { size: Size.gibibytes(size), mountPath: '/data' })] });
        app.synth();
      };
      const quiet = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        release(10, lib.PreviousOutput.NONE, path.join(dir, 'v1'));
        release(20, lib.PreviousOutput.fromDirectory(path.join(dir, 'v1')), path.join(dir, 'v2'));
      } finally {
        quiet.mockRestore();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    // Releases (issue 21): the stable image as a canary, a weight above 100, a canary no gateway routes, an A/B header name
    // with a space, a shadow without a reason, green at zero while active
    () => new lib.Microservice(context().orders, 'payments', { ...props, release: lib.Release.canary({ image: props.image, weight: 10 }) }),
    () => new lib.Microservice(context().orders, 'payments', { ...props, release: lib.Release.canary({ image: next, weight: 120 }) }),
    () => {
      const { orders } = context();
      new lib.Microservice(orders, 'payments', { ...props, release: lib.Release.canary({ image: next, weight: 10 }) });
      Testing.synth(orders);
    },
    () => new lib.Microservice(context().orders, 'payments', { ...props, release: lib.Release.abTest({ image: next, matches: [lib.VariantMatch.header('X Variant', 'b')] }) }),
    () => new lib.Microservice(context().orders, 'payments', { ...props, release: lib.Release.shadow({ image: next, percent: 10, mirrorsWritesReason: '' }) }),
    () => new lib.Microservice(context().orders, 'payments', { ...props, release: lib.Release.blueGreen({ image: next, active: lib.Colour.GREEN, idle: lib.IdleScale.ZERO }) }),
    // the service mesh (issue 24): request rules without a mesh, a path on a gRPC port, unsafe retries, a retry worst case, a timeout past the grace period, no CNI
    ...meshMistakes(props),
  ];
  expect(examples).toHaveLength(mistakes.length);
  mistakes.forEach((mistake, i) => expect(mistake).toThrow(examples[i]));
});

/** The mesh's mistakes of the README's error examples, in their order. */
function meshMistakes(props: lib.MicroserviceProps): Array<() => unknown> {
  const orders = (mesh?: lib.ServiceMesh) => {
    const app = Testing.app();
    return new lib.BoundedContext(app, 'orders', { platform: new lib.Platform(app, 'shop', mesh ? { mesh } : {}), team: 'orders-team' });
  };
  const call = (options: lib.ConnectOptions, mesh?: lib.ServiceMesh, callee: Partial<lib.MicroserviceProps> = {}) => () => {
    const ctx = orders(mesh);
    new lib.Microservice(ctx, 'orders', props).connectTo(new lib.Microservice(ctx, 'payments', { ...props, ...callee }), options);
  };
  const istio = lib.ServiceMesh.istio();
  return [
    call({ methods: ['GET'] }),
    call({ paths: ['/v1/*'] }, istio, { ports: [lib.Port.grpc(9090)], readiness: lib.Probe.grpc(), liveness: lib.Probe.tcp() }),
    call({ methods: ['POST'], retries: { attempts: 2 } }, istio),
    call({ retries: { attempts: 5 } }, istio),
    call({ timeout: Duration.seconds(2), retries: { attempts: 2, perTryTimeout: Duration.seconds(1) } }, istio),
    call({ timeout: Duration.seconds(45) }, istio),
    () => orders(lib.ServiceMesh.istio({ cniNodeAgent: false })),
  ];
}
