import { ErrorCode, Image, Job, LogFormat, LogLevel, Worker, WorkloadLogging } from '../../lib';
import { find, microservice, objects, resolvedEnv, setup, thrown } from '../_helpers';

/** The environment the kubelet gives the container of the Deployment `name`, by variable. */
function env(context: Parameters<typeof objects>[0], name = 'products'): { [name: string]: string } {
  const out = objects(context);
  return Object.fromEntries(resolvedEnv(out, find(out, 'Deployment', name)).map(e => [e.name, e.value]));
}

describe('WorkloadLogging', () => {
  test('defaults: JSON records at info, in LOG_FORMAT and LOG_LEVEL from the workload\'s ConfigMap', () => {
    const { context } = setup();
    const logging = new WorkloadLogging(microservice(context, 'products'), 'logging');
    expect(logging.format).toBe(LogFormat.JSON);
    expect(logging.level).toBe(LogLevel.INFO);
    expect(logging.formatVariable).toBe('LOG_FORMAT');
    expect(logging.levelVariable).toBe('LOG_LEVEL');
    expect(env(context)).toMatchObject({ LOG_FORMAT: 'json', LOG_LEVEL: 'info' });
    const container = find(objects(context), 'Deployment', 'products').spec.template.spec.containers[0];
    expect(container.env.find((e: { name: string }) => e.name === 'LOG_LEVEL').valueFrom.configMapKeyRef.name).toMatch(/^products-config-/);
  });

  test.each([
    [LogFormat.JSON, 'json'], [LogFormat.LOGFMT, 'logfmt'], [LogFormat.TEXT, 'text'],
  ])('the format %o renders %s', (format, value) => {
    const { context } = setup();
    new WorkloadLogging(microservice(context, 'products'), 'logging', { format });
    expect(env(context).LOG_FORMAT).toBe(value);
  });

  test.each([
    [LogLevel.DEBUG, 'debug'], [LogLevel.INFO, 'info'], [LogLevel.WARN, 'warn'], [LogLevel.ERROR, 'error'],
  ])('the level %o renders %s', (level, value) => {
    const { context } = setup();
    new WorkloadLogging(microservice(context, 'products'), 'logging', { level });
    expect(env(context).LOG_LEVEL).toBe(value);
  });

  test('variables named for the runtime', () => {
    const { context } = setup();
    new WorkloadLogging(microservice(context, 'products'), 'logging', { formatVariable: 'LOGGING_FORMAT', levelVariable: 'RUST_LOG', level: LogLevel.WARN });
    const e = env(context);
    expect(e).toMatchObject({ LOGGING_FORMAT: 'json', RUST_LOG: 'warn' });
    expect(e.LOG_LEVEL).toBeUndefined();
  });

  test('a change of level renames the ConfigMap, so the pods roll', () => {
    const name = (level: LogLevel) => {
      const { context } = setup();
      new WorkloadLogging(microservice(context, 'products'), 'logging', { level });
      return find(objects(context), 'Deployment', 'products').spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef.name;
    };
    expect(name(LogLevel.DEBUG)).not.toBe(name(LogLevel.INFO));
  });

  test('forEveryWorkload configures the workloads without logging, and keeps a service\'s own', () => {
    const { context } = setup();
    const search = microservice(context, 'search');
    new WorkloadLogging(search, 'logging', { level: LogLevel.DEBUG });
    const products = microservice(context, 'products');
    const indexer = new Worker(context, 'indexer', { image: Image.fromTag('ghcr.io/acme/indexer', '2.0.0'), withoutProbes: 'a queue consumer with no port' });
    const migrate = new Job(context, 'migrate', { image: Image.fromTag('ghcr.io/acme/migrate', '1.0.0') });
    const added = WorkloadLogging.forEveryWorkload(context, { format: LogFormat.LOGFMT });
    expect(added.map(l => l.workload)).toEqual([products, indexer, migrate]);
    expect(WorkloadLogging.of(search)!.level).toBe(LogLevel.DEBUG);
    expect(WorkloadLogging.of(search)!.format).toBe(LogFormat.JSON);
    expect(WorkloadLogging.of(migrate)!.format).toBe(LogFormat.LOGFMT);
    expect(WorkloadLogging.forEveryWorkload(context)).toEqual([]);
    expect(env(context, 'indexer')).toMatchObject({ LOG_FORMAT: 'logfmt', LOG_LEVEL: 'info' });
    expect(env(context, 'search')).toMatchObject({ LOG_FORMAT: 'json', LOG_LEVEL: 'debug' });
  });

  test('fails twice on one workload', () => {
    const { context } = setup();
    const products = microservice(context, 'products');
    new WorkloadLogging(products, 'logging');
    const e = thrown(() => new WorkloadLogging(products, 'logging2'));
    expect(e.code).toBe(ErrorCode.DUPLICATE);
    expect(e.message).toBe("catalog/products/logging2: 'id' ('logging2') must be the workload's only logging, but catalog/products/logging is declared already; declare WorkloadLogging once per workload");
  });

  test.each([['log-level'], ['1LEVEL'], [''], ['LOG LEVEL']])('fails on a variable name that is no environment variable name: %p', (name) => {
    const { context } = setup();
    const e = thrown(() => new WorkloadLogging(microservice(context, 'products'), 'logging', { levelVariable: name }));
    expect(e.code).toBe(ErrorCode.INVALID_NAME);
    expect(e.message).toBe(`catalog/products/logging: 'levelVariable' ('${name}') must be an environment variable name: letters, digits and '_', not starting with a digit; name the variable your logging library reads, such as 'LOG_LEVEL'`);
  });

  test('fails on a variable the workload sets already, and on one variable for both', () => {
    const { context } = setup();
    const e = thrown(() => new WorkloadLogging(microservice(context, 'products', { env: { LOG_LEVEL: 'trace' } }), 'logging'));
    expect(e.code).toBe(ErrorCode.DUPLICATE);
    expect(e.message).toBe("catalog/products/logging: 'levelVariable' ('LOG_LEVEL') must be a variable catalog/products does not set already (or a configuration file's name); set levelVariable to the variable your logging library reads, or remove the workload's own LOG_LEVEL");
    const both = thrown(() => new WorkloadLogging(microservice(context, 'orders'), 'logging', { formatVariable: 'LOG', levelVariable: 'LOG' }));
    expect(both.code).toBe(ErrorCode.CONFLICT);
    expect(both.prop).toBe('levelVariable');
    const file = microservice(context, 'ratings');
    file.addConfigFile('LOG_FORMAT', 'json');
    expect(thrown(() => new WorkloadLogging(file, 'logging')).prop).toBe('formatVariable');
  });

  test('fails on a format or level that is not one of the constants, and outside a workload', () => {
    const { context } = setup();
    const format = thrown(() => new WorkloadLogging(microservice(context, 'products'), 'logging', { format: 'json' as any }));
    expect(format.code).toBe(ErrorCode.UNKNOWN_OPTION);
    expect(format.message).toContain('use LogFormat.JSON');
    const level = thrown(() => new WorkloadLogging(microservice(context, 'orders'), 'logging', { level: 'trace' as any }));
    expect(level.code).toBe(ErrorCode.UNKNOWN_OPTION);
    expect(level.prop).toBe('level');
    expect(thrown(() => new WorkloadLogging(context as any, 'logging')).code).toBe(ErrorCode.WRONG_SCOPE);
    expect(thrown(() => WorkloadLogging.forEveryWorkload('catalog' as any)).code).toBe(ErrorCode.WRONG_TYPE);
  });
});
