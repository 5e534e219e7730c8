import { Image, Probe } from '../../lib';
import { find, microservice, objects, setup } from '../_helpers';

const image = Image.fromTag('ghcr.io/acme/helper', '1.0.0');

describe('command lines', () => {
  describe('a command written as one shell string', () => {
    test('fails when the first word of command is a whole command line', () => {
      const { context } = setup();
      expect(() => microservice(context, 'products', { command: ['python app.py', '--port', '8080'] }))
        .toThrow(/^catalog\/products: 'command\[0\]' \('python app\.py'\) must be the program alone: Kubernetes runs the first word as a file name, with no shell to split it at blanks, so the container never starts; split it into words: \['python', 'app\.py', '--port', '8080'\]$/);
    });

    test('fails when args without command start with a command line, suggesting a shell for shell syntax', () => {
      const { context } = setup();
      expect(() => microservice(context, 'products', { args: ['./migrate && ./serve'] }))
        .toThrow(/^catalog\/products: 'args\[0\]' \('\.\/migrate && \.\/serve'\) must be the program alone: .*; it uses shell syntax, so run it through a shell: \['sh', '-c', '\.\/migrate && \.\/serve'\]$/);
    });

    test('fails when a sidecar\'s or an init container\'s command is one string', () => {
      const { context } = setup();
      const products = microservice(context, 'products');
      expect(() => products.addInitContainer('migrate', { image, command: ['sh -c', 'flyway migrate'] }))
        .toThrow(/^catalog\/products: 'initContainers\[migrate\]\.command\[0\]' \('sh -c'\) must be the program alone: .*; split it into words: \['sh', '-c', 'flyway migrate'\]$/);
    });

    test('fails when an exec probe is one string', () => {
      const { context } = setup();
      expect(() => microservice(context, 'products', { readiness: Probe.exec(['redis-cli ping']) }))
        .toThrow(/^catalog\/products: 'readiness\.command\[0\]' \('redis-cli ping'\) must be the program alone: .*; split it into words: \['redis-cli', 'ping'\]$/);
    });

    test('accepts the split form, sh -c forms, and args with blanks after a command', () => {
      const { context } = setup();
      const products = microservice(context, 'products', {
        command: ['sh', '-c', 'python app.py --port 8080'],
        readiness: Probe.exec(['sh', '-c', 'redis-cli ping | grep PONG']),
      });
      products.addInitContainer('migrate', { image, command: ['python', 'manage.py'], args: ['migrate', '--message', 'two words'] });
      microservice(context, 'orders', { command: ['/bin/sh', '-ec'], args: ['./migrate && exec ./serve'] });
      const spec = find(objects(context), 'Deployment', 'products').spec.template.spec;
      expect(spec.containers[0].command).toEqual(['sh', '-c', 'python app.py --port 8080']);
      expect(spec.containers[0].readinessProbe.exec.command).toEqual(['sh', '-c', 'redis-cli ping | grep PONG']);
    });
  });

  describe('credentials on the command line', () => {
    test('fails when a credential is the value of a flag in args', () => {
      const { context } = setup();
      expect(() => microservice(context, 'products', { args: ['--port', '6379', '--requirepass', 'hunter2'] }))
        .toThrow(/^catalog\/products: 'args\[3\]' \('\(value not shown\)'\) looks like a credential as the value of '--requirepass', which must not be written into the pod spec; read the credential from a mounted secret \(addSecret\), or set it from one as an environment variable \(addSecret\(id, source, \{ env \}\)\) and write '\$\(NAME\)' in its place$/);
    });

    test('fails when a shell script assigns a credential', () => {
      const { context } = setup();
      expect(() => microservice(context, 'products', { command: ['sh', '-c', 'PGPASSWORD=x psql -h db -c "select 1"'] }))
        .toThrow(/^catalog\/products: 'command\[2\]' \('\(value not shown\)'\) looks like a credential assigned to 'PGPASSWORD', which must not be written into the pod spec; /);
    });

    test('fails when an exec probe or a sidecar passes a credential', () => {
      const { context } = setup();
      expect(() => microservice(context, 'products', { readiness: Probe.exec(['redis-cli', '-a', 'x', '--pass', 'hunter2', 'ping']) }))
        .toThrow(/^catalog\/products: 'readiness\.command\[4\]' \('\(value not shown\)'\) looks like a credential as the value of '--pass'/);
      const orders = microservice(context, 'orders');
      expect(() => orders.addSidecar('exporter', { image, args: ['--redis.password=hunter2'], withoutProbes: 'a metrics exporter' }))
        .toThrow(/^catalog\/orders: 'sidecars\[exporter\]\.args\[0\]' \('\(value not shown\)'\) looks like /);
    });

    test('fails when an environment variable has an abbreviated credential name', () => {
      const { context } = setup();
      expect(() => microservice(context, 'products', { env: { DB_PASS: 'hunter2' } }))
        .toThrow(/^catalog\/products: 'env' \('DB_PASS'\) reads as a credential/);
      const orders = microservice(context, 'orders');
      expect(() => orders.addSidecar('proxy', { image, env: { UPSTREAM_PWD: 'x' }, withoutProbes: 'a proxy' }))
        .toThrow(/^catalog\/orders: 'sidecars\[proxy\]\.env\.UPSTREAM_PWD' \('\(value not shown\)'\) reads as a credential/);
    });

    test('accepts references to a credential: a file flag, an environment reference, a port after -p', () => {
      const { context } = setup();
      microservice(context, 'products', {
        args: ['--requirepass-file', '/run/secrets/redis/password', '--password', '$(DB_PASSWORD)', '-p', '6379'],
        command: ['sh', '-c', 'PGPASSWORD="$DB_PASSWORD" exec ./serve'],
        env: { PWD_HOME: '/srv', BYPASS_CACHE: 'false' },
      });
      expect(find(objects(context), 'Deployment', 'products').spec.template.spec.containers[0].args).toEqual(
        ['--requirepass-file', '/run/secrets/redis/password', '--password', '$(DB_PASSWORD)', '-p', '6379']);
    });
  });
});
