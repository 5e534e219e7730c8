import { Duration } from 'cdk8s';
import { Image, Microservice, MicroserviceProps, Port, Probe } from '../../lib';
import { find, Manifest, objects, setup } from '../_helpers';

/** An HTTP service; a test overrides the ports and probes it is about. */
function service(overrides: Partial<MicroserviceProps> = {}): { products: Microservice; container: () => Manifest } {
  const { context } = setup();
  const products = new Microservice(context, 'products', {
    image: Image.fromTag('ghcr.io/acme/products', '1.8.2'),
    ports: [Port.http(8080)],
    readiness: Probe.http('/ready'),
    liveness: Probe.http('/live'),
    ...overrides,
  });
  return { products, container: () => find(objects(context), 'Deployment', 'products').spec.template.spec.containers[0] };
}

const DEFAULT_TIMING = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3, successThreshold: 1 };

describe('Probe', () => {
  test('kind names the handler', () => {
    expect([Probe.http('/ready'), Probe.grpc(), Probe.tcp(), Probe.exec(['/app/check'])].map(p => p.kind)).toEqual(['http', 'grpc', 'tcp', 'exec']);
  });

  describe('timing', () => {
    test('readiness and liveness probe every 10s, time out after 2s and fail after 3 misses', () => {
      const { container } = service();

      expect(container().readinessProbe).toEqual({ ...DEFAULT_TIMING, httpGet: { path: '/ready', port: 'http', scheme: 'HTTP' } });
      expect(container().livenessProbe).toEqual({ ...DEFAULT_TIMING, httpGet: { path: '/live', port: 'http', scheme: 'HTTP' } });
    });

    test('a startup probe allows 30 misses', () => {
      const { container } = service({ startup: Probe.http('/started') });

      expect(container().startupProbe).toEqual({ ...DEFAULT_TIMING, failureThreshold: 30, httpGet: { path: '/started', port: 'http', scheme: 'HTTP' } });
    });

    test('renders no startup probe unless given', () => {
      const { container } = service();

      expect(container()).not.toHaveProperty('startupProbe');
    });

    test('renders the timing given', () => {
      const { container } = service({
        readiness: Probe.http('/ready', { initialDelay: Duration.seconds(5), period: Duration.seconds(20), timeout: Duration.seconds(20), failureThreshold: 6, successThreshold: 2 }),
        startup: Probe.http('/started', { period: Duration.seconds(5), failureThreshold: 24 }),
      });

      expect(container().readinessProbe).toMatchObject({ initialDelaySeconds: 5, periodSeconds: 20, timeoutSeconds: 20, failureThreshold: 6, successThreshold: 2 });
      expect(container().startupProbe).toMatchObject({ periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 24, successThreshold: 1 });
    });

    test.each([
      ['liveness', { liveness: Probe.http('/live', { successThreshold: 2 }) }],
      ['startup', { startup: Probe.http('/started', { successThreshold: 3 }) }],
    ])('fails when a %s probe has a successThreshold other than 1', (role, overrides) => {
      const value = role === 'liveness' ? 2 : 3;

      expect(() => service(overrides))
        .toThrow(new RegExp(`^catalog/products: '${role}\\.successThreshold' \\(${value}\\) must be 1 for a ${role} probe \\(Kubernetes rejects anything else\\); remove successThreshold or set it to 1$`));
    });

    test.each([
      ['successThreshold', { successThreshold: 0 }, 0],
      ['failureThreshold', { failureThreshold: 0 }, 0],
      ['failureThreshold', { failureThreshold: 1.5 }, 1.5],
    ])('fails when the readiness %s is %j', (name, options, value) => {
      expect(() => service({ readiness: Probe.http('/ready', options) }))
        .toThrow(new RegExp(`^catalog/products: 'readiness\\.${name}' \\(${value}\\) must be a whole number of at least 1; set ${name} to 1 or more$`));
    });

    test('fails when the timeout is longer than the period', () => {
      expect(() => service({ liveness: Probe.http('/live', { period: Duration.seconds(3), timeout: Duration.seconds(5) }) }))
        .toThrow(/^catalog\/products: 'liveness\.timeout' \('5s'\) must not be longer than the period \(3s\), or probes overlap; shorten the timeout or lengthen the period$/);
    });

    test('fails when the default timeout is longer than a short period', () => {
      expect(() => service({ readiness: Probe.http('/ready', { period: Duration.seconds(1) }) }))
        .toThrow(/^catalog\/products: 'readiness\.timeout' \('2s'\) must not be longer than the period \(1s\)/);
    });

    test('fails when the timeout is zero', () => {
      expect(() => service({ startup: Probe.http('/started', { timeout: Duration.seconds(0) }) }))
        .toThrow(/^catalog\/products: 'startup\.timeout' \('0s'\) must be at least 1 second; use Duration\.seconds\(1\) or more$/);
    });

    test('fails when a time is not a whole number of seconds, naming the nearest whole ones', () => {
      expect(() => service({ readiness: Probe.http('/ready', { timeout: Duration.seconds(1.5) }) }))
        .toThrow(/^catalog\/products: 'readiness\.timeout' \('1\.5s'\) must be a whole number of seconds \(Kubernetes counts this field in seconds\); use Duration\.seconds\(1\) or Duration\.seconds\(2\)$/);
      expect(() => service({ liveness: Probe.http('/live', { period: Duration.millis(500) }) }))
        .toThrow(/^catalog\/products: 'liveness\.period' \('0\.5s'\) must be a whole number of seconds .*; use Duration\.seconds\(1\)$/);
      expect(() => service({ startup: Probe.http('/started', { initialDelay: Duration.millis(2500) }) }))
        .toThrow(/'startup\.initialDelay' \('2\.5s'\) must be a whole number of seconds/);
    });
  });

  describe('handlers and ports', () => {
    test('an HTTP probe targets the first HTTP port by name', () => {
      const { container } = service({ ports: [Port.grpc(9090), Port.tcp(6379), Port.http(8080, { name: 'web' })] });

      expect(container().readinessProbe.httpGet).toEqual({ path: '/ready', port: 'web', scheme: 'HTTP' });
    });

    test('an HTTP probe falls back to the first port when no port speaks HTTP', () => {
      const { container } = service({ ports: [Port.tcp(6379, { name: 'redis' }), Port.tcp(6380, { name: 'admin' })] });

      expect(container().readinessProbe.httpGet.port).toEqual('redis');
    });

    test('an HTTP probe targets the port named', () => {
      const { container } = service({
        ports: [Port.http(8080), Port.http(8081, { name: 'admin' })],
        liveness: Probe.http('/live', { port: 'admin' }),
      });

      expect(container().livenessProbe.httpGet).toEqual({ path: '/live', port: 'admin', scheme: 'HTTP' });
      expect(container().readinessProbe.httpGet.port).toEqual('http');
    });

    test('a gRPC probe targets the first gRPC container port, with no service name unless given', () => {
      const { container } = service({
        ports: [Port.http(8080), Port.grpc(9090, { servicePort: 443 })],
        readiness: Probe.grpc({ service: 'acme.products.v1.Products' }),
        liveness: Probe.grpc(),
      });

      expect(container().readinessProbe).toEqual({ ...DEFAULT_TIMING, grpc: { port: 9090, service: 'acme.products.v1.Products' } });
      expect(container().livenessProbe).toEqual({ ...DEFAULT_TIMING, grpc: { port: 9090 } });
    });

    test('a gRPC probe targets the port named', () => {
      const { container } = service({
        ports: [Port.grpc(9090), Port.grpc(9091, { name: 'grpc-admin' })],
        readiness: Probe.grpc(),
        liveness: Probe.grpc({ port: 'grpc-admin' }),
      });

      expect(container().livenessProbe.grpc).toEqual({ port: 9091 });
    });

    test('a TCP probe targets the first TCP port, else the first port', () => {
      const withTcp = service({ ports: [Port.http(8080), Port.tcp(5672, { name: 'amqp' })], liveness: Probe.tcp() });
      const withoutTcp = service({ ports: [Port.http(8080), Port.grpc(9090)], liveness: Probe.tcp() });

      expect(withTcp.container().livenessProbe).toEqual({ ...DEFAULT_TIMING, tcpSocket: { port: 'amqp' } });
      expect(withoutTcp.container().livenessProbe).toEqual({ ...DEFAULT_TIMING, tcpSocket: { port: 'http' } });
    });

    test('an exec probe runs the command, and needs no port', () => {
      const { container } = service({
        ports: [],
        readiness: Probe.exec(['/app/healthcheck', '--ready']),
        liveness: Probe.exec(['/app/healthcheck', '--live'], { period: Duration.seconds(30) }),
      });

      expect(container().readinessProbe).toEqual({ ...DEFAULT_TIMING, exec: { command: ['/app/healthcheck', '--ready'] } });
      expect(container().livenessProbe).toEqual({ ...DEFAULT_TIMING, periodSeconds: 30, exec: { command: ['/app/healthcheck', '--live'] } });
    });

    test('an exec probe keeps its own copy of the command', () => {
      const command = ['/app/healthcheck'];
      const probe = Probe.exec(command);
      command.push('--changed');

      const { container } = service({ readiness: probe });

      expect(container().readinessProbe.exec).toEqual({ command: ['/app/healthcheck'] });
    });

    test('fails when a probe names a port the service does not have', () => {
      expect(() => service({ readiness: Probe.http('/ready', { port: 'admin' }) }))
        .toThrow(/^catalog\/products: 'readiness\.port' \('admin'\) must name one of the service's ports \('http'\); use an existing port name or add the port to 'ports'$/);
    });

    test('fails when a probe names a port and the service has none', () => {
      expect(() => service({ ports: [], liveness: Probe.tcp({ port: 'amqp' }), readiness: Probe.exec(['/app/ready']) }))
        .toThrow(/^catalog\/products: 'liveness\.port' \('amqp'\) must name one of the service's ports \(it has none\); use an existing port name or add the port to 'ports'$/);
    });

    test('fails when a gRPC probe has no gRPC port to default to', () => {
      expect(() => service({ readiness: Probe.grpc() }))
        .toThrow(/^catalog\/products: 'readiness\.port' \(undefined\) must name a port, and the service has no gRPC port to default to; add Port\.grpc\(\.\.\.\) to 'ports' or name a port$/);
    });

    test('fails when an HTTP probe has no port to default to', () => {
      expect(() => service({ ports: [], readiness: Probe.http('/ready'), liveness: Probe.exec(['/app/live']) }))
        .toThrow(/^catalog\/products: 'readiness\.port' \(undefined\) must name a port, and the service has no port to default to; add a port to 'ports' or use Probe\.exec$/);
    });

    test('fails when an HTTP path does not start with a slash', () => {
      expect(() => service({ readiness: Probe.http('ready') }))
        .toThrow(/^catalog\/products: 'readiness\.path' \('ready'\) must be an absolute path starting with '\/'; use '\/ready'$/);
    });

    test.each([
      ['empty', [], '\\[\\]'],
      ['an empty program', [''], '\\[""\\]'],
    ])('fails when an exec command is %s', (_case, command, value) => {
      expect(() => service({ liveness: Probe.exec(command) }))
        .toThrow(new RegExp(`^catalog/products: 'liveness\\.command' \\(${value}\\) must name a program to run; pass the command as an array, for example \\['/app/healthcheck'\\]$`));
    });
  });

  describe('readiness and liveness must differ', () => {
    test.each([
      ['the same HTTP path', Probe.http('/healthz'), Probe.http('/healthz'), 'http'],
      ['the same HTTP path with other timing', Probe.http('/healthz'), Probe.http('/healthz', { period: Duration.seconds(30), failureThreshold: 5 }), 'http'],
      ['the same port by default and by name', Probe.tcp(), Probe.tcp({ port: 'http' }), 'tcp'],
      ['the same gRPC check', Probe.grpc(), Probe.grpc(), 'grpc'],
      ['the same command', Probe.exec(['/app/check']), Probe.exec(['/app/check']), 'exec'],
    ])('fails when both check %s', (_case, readiness, liveness, kind) => {
      const ports = [Port.http(8080), Port.grpc(9090)];

      expect(() => service({ ports, readiness, liveness }))
        .toThrow(new RegExp(`^catalog/products: 'liveness' \\('${kind}'\\) must check something other than the readiness probe; when both check the same thing, a slow dependency restarts healthy pods; point liveness at a cheap endpoint that only proves the process is alive \\(for example /live\\) and readiness at one that checks dependencies; if the server offers nothing else, set identicalProbesReason to say why$`));
    });

    test('accepts the same path on different ports, and the same gRPC port with another service name', () => {
      const ports = [Port.http(8080), Port.http(8081, { name: 'admin' }), Port.grpc(9090)];

      expect(() => service({ ports, readiness: Probe.http('/healthz'), liveness: Probe.http('/healthz', { port: 'admin' }) })).not.toThrow();
      expect(() => service({ ports, readiness: Probe.grpc({ service: 'acme.Products' }), liveness: Probe.grpc() })).not.toThrow();
    });
  });

  describe('HTTP headers', () => {
    test('renders the headers given, in order', () => {
      const { container } = service({ readiness: Probe.http('/ready', { headers: { 'Cookie': 'probe=1', 'X-Probe': 'kubelet' } }) });

      expect(container().readinessProbe.httpGet).toEqual({
        path: '/ready', port: 'http', scheme: 'HTTP',
        httpHeaders: [{ name: 'Cookie', value: 'probe=1' }, { name: 'X-Probe', value: 'kubelet' }],
      });
    });

    test.each([['Authorization', 'Basic dXNlcjpwYXNz'], ['X-Api-Key', 'abc'], ['Cookie', 'session=ghp_abcdefghijklmnopqrstuvwxyz0123456789']])(
      'fails when a header carries a credential (%s), without printing it', (name, value) => {
        expect(() => service({ readiness: Probe.http('/ready', { headers: { [name]: value } }) }))
          .toThrow(`catalog/products: 'readiness.headers.${name}' ('(value not shown)') carries a credential, which must not be written into the pod spec; give the health endpoint a path that needs no credential (probes come from the kubelet on the node), or send a non-secret marker header`);
      });

    test('fails when a header name is not a token, or a value spans lines', () => {
      expect(() => service({ liveness: Probe.http('/live', { headers: { 'X Probe': '1' } }) }))
        .toThrow(/^catalog\/products: 'liveness.headers' \('X Probe'\) must be an HTTP header name/);
      expect(() => service({ liveness: Probe.http('/live', { headers: { 'X-Probe': 'a\nb' } }) }))
        .toThrow(/^catalog\/products: 'liveness.headers.X-Probe' \('a\nb'\) must be a single line; remove the line breaks$/);
    });
  });

  describe('gRPC service name', () => {
    test('sends the service name given, and none by default', () => {
      const ports = [Port.grpc(9090)];
      const { container } = service({ ports, readiness: Probe.grpc({ service: 'orders.v1.Orders' }), liveness: Probe.grpc() });

      expect(container().readinessProbe.grpc).toEqual({ port: 9090, service: 'orders.v1.Orders' });
      expect(container().livenessProbe.grpc).toEqual({ port: 9090 });
    });

    test('fails when the service name is not a gRPC service name', () => {
      expect(() => service({ ports: [Port.grpc(9090)], readiness: Probe.grpc({ service: 'orders/v1' }), liveness: Probe.grpc() }))
        .toThrow(/^catalog\/products: 'readiness.service' \('orders\/v1'\) must be a gRPC service name: letters, digits, '_' and '.' \(such as 'grpc.health.v1.Health' or 'orders.v1.Orders'\); use the fully qualified service name/);
    });
  });

  describe('identical readiness and liveness with a reason', () => {
    test('a gRPC server with one health service may probe it twice; kube-score compares no gRPC probes, so nothing is suppressed', () => {
      const { context } = setup();
      new Microservice(context, 'products', {
        image: Image.fromTag('ghcr.io/acme/products', '1.8.2'), ports: [Port.grpc(9090)],
        readiness: Probe.grpc(), liveness: Probe.grpc({ period: Duration.seconds(20) }), identicalProbesReason: 'one health service, nothing else to offer',
      });

      const d = find(objects(context), 'Deployment', 'products');
      expect(d.spec.template.spec.containers[0].livenessProbe.grpc).toEqual({ port: 9090 });
      expect(d.metadata.annotations?.['kube-score/ignore']).toBeUndefined();
    });

    test('identical HTTP probes carry kube-score\'s suppression with the reason', () => {
      const { context } = setup();
      new Microservice(context, 'products', {
        image: Image.fromTag('ghcr.io/acme/products', '1.8.2'), ports: [Port.http(8080)],
        readiness: Probe.http('/healthz'), liveness: Probe.http('/healthz'), identicalProbesReason: 'a vendor image with one health endpoint',
      });

      const d = find(objects(context), 'Deployment', 'products');
      expect(d.metadata.annotations['kube-score/ignore']).toEqual('pod-probes-identical');
      expect(JSON.parse(d.metadata.annotations['conformance.cdk8s-microservices.io/suppress']))
        .toContainEqual({ tool: 'kube-score', check: 'pod-probes-identical', reason: 'a vendor image with one health endpoint' });
    });

    test('the same path on two ports needs no reason, but kube-score, which compares paths only, is told why', () => {
      const { context } = setup();
      new Microservice(context, 'products', {
        image: Image.fromTag('ghcr.io/acme/products', '1.8.2'), ports: [Port.http(8080), Port.http(8081, { name: 'admin' })],
        readiness: Probe.http('/healthz'), liveness: Probe.http('/healthz', { port: 'admin' }),
      });

      const d = find(objects(context), 'Deployment', 'products');
      expect(JSON.parse(d.metadata.annotations['conformance.cdk8s-microservices.io/suppress'])).toContainEqual({
        tool: 'kube-score', check: 'pod-probes-identical',
        reason: 'readiness and liveness both call /healthz, on different ports or with different headers: kube-score\'s pod-probes-identical compares HTTP probes by path only',
      });
    });

    test('fails when the reason is empty, or given for probes that differ', () => {
      expect(() => service({ readiness: Probe.http('/healthz'), liveness: Probe.http('/healthz'), identicalProbesReason: '' }))
        .toThrow(/^catalog\/products: 'identicalProbesReason' \(''\) must give the reason readiness and liveness check the same thing; write the reason/);
      expect(() => service({ identicalProbesReason: 'why not' }))
        .toThrow(/^catalog\/products: 'identicalProbesReason' \('why not'\) must only be set when readiness and liveness check the same thing, and they differ; remove identicalProbesReason$/);
    });
  });
});

