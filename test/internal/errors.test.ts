import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, Size, Testing } from 'cdk8s';
import {
  AccessRule, ApiGateway, BoundedContext, ConcurrencyPolicy, ConfigurationError, ConfigurationErrors, CronJob, CronJobProps, CronSchedule, ErrorCode,
  GatewayImplementation, GatewayTls, Image, KubernetesVersion, Microservice, MicroservicesApp, Platform, Port, Probe, RateLimit, Subject, Volume,
} from '../../lib';
import { _addValidation, _throwIfInvalid, _validationErrors } from '../../lib/internal/chart';
import { _invalid } from '../../lib/internal/errors';
import { find, microservice, objects, setup, thrown } from '../_helpers';

function cronProps(overrides: Partial<CronJobProps> = {}): CronJobProps {
  return { image: Image.fromTag('ghcr.io/acme/accounts', '2.4.1'), args: ['purge'], schedule: CronSchedule.expression('30 3 * * *'), ...overrides };
}

/** The standard message shape: `<path>: '<prop>' (<value>) <expected>; <fix>`. */
const SHAPE = /^[^ ]*: '[^']+' \(.*\) .+; .+$/s;

describe('ConfigurationError', () => {
  // one realistic mistake per class, built through the public API
  const cases: Array<[ErrorCode, () => unknown, { path: string; prop: string; value: unknown }]> = [
    [ErrorCode.INVALID_VALUE, () => microservice(setup().context, 'products', { configDir: 'etc/config' }),
      { path: 'catalog/products', prop: 'configDir', value: 'etc/config' }],
    [ErrorCode.INVALID_NAME, () => microservice(setup().context, 'Products'),
      { path: 'catalog/Products', prop: 'id', value: 'Products' }],
    [ErrorCode.OUT_OF_RANGE, () => new CronJob(setup().context, 'cleanup', cronProps({ startingDeadline: Duration.seconds(5) })),
      { path: 'catalog/cleanup', prop: 'startingDeadline', value: '5s' }],
    [ErrorCode.MISSING_REQUIRED, () => microservice(setup().context, 'products').addVolume(Volume.emptyDir('cache', {} as any), { mountPath: '/cache', writable: true }),
      { path: 'catalog/products', prop: 'addVolume(cache).sizeLimit', value: undefined }],
    [ErrorCode.WRONG_TYPE, () => microservice(setup().context, 'products', { tmpSize: '64Mi' as any }),
      { path: 'catalog/products', prop: 'tmpSize', value: '64Mi' }],
    [ErrorCode.UNKNOWN_OPTION, () => new CronJob(setup().context, 'cleanup', cronProps({ concurrencyPolicy: 'Allow' as any })),
      { path: 'catalog/cleanup', prop: 'concurrencyPolicy', value: 'Allow' }],
    [ErrorCode.UNKNOWN_REFERENCE, () => setup().platform.service('catalog', 'nothing'),
      { path: 'shop', prop: 'service', value: 'catalog/nothing' }],
    [ErrorCode.CONFLICT, () => microservice(setup().context, 'products', { minReplicas: 3, maxReplicas: 2 }),
      { path: 'catalog/products', prop: 'maxReplicas', value: 2 }],
    [ErrorCode.DUPLICATE, () => {
      const { context } = setup();
      microservice(context, 'products');
      microservice(context, 'products');
    }, { path: 'catalog/products', prop: 'id', value: 'products' }],
    [ErrorCode.RESERVED_NAME, () => {
      const { app, platform } = setup();
      new BoundedContext(app, 'system', { platform, team: 'ops', namespace: 'kube-system' });
    }, { path: 'system', prop: 'namespace', value: 'kube-system' }],
    [ErrorCode.UNSUPPORTED_BY_VERSION, () => {
      const { context } = setup({}, { kubernetesVersion: KubernetesVersion.V1_28 });
      microservice(context, 'api').addSidecar('log-shipper', { image: Image.fromTag('ghcr.io/acme/shipper', '1.0.0') });
    }, { path: 'catalog/api', prop: 'addSidecar(name)', value: 'log-shipper' }],
    [ErrorCode.UNSUPPORTED_BY_IMPLEMENTATION, () => {
      const { app, platform } = setup();
      new ApiGateway(app, 'public', {
        platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls'),
        implementation: GatewayImplementation.envoyGateway(), rateLimit: RateLimit.perSecond(10, { burstMultiplier: 3 }),
      });
    }, { path: 'public', prop: 'rateLimit.burstMultiplier', value: 3 }],
    [ErrorCode.QUOTA_EXCEEDED, () => {
      const { context } = setup();
      microservice(context, 'products').addVolume(Volume.ephemeral('scratch', { size: Size.tebibytes(1) }), { mountPath: '/scratch', writable: true });
    }, { path: 'catalog/products', prop: 'addVolume(scratch).size', value: '1Ti' }],
    [ErrorCode.PLAINTEXT_SECRET, () => microservice(setup().context, 'products', { env: { DB_PASSWORD: 'hunter2' } }),
      { path: 'catalog/products', prop: 'env', value: 'DB_PASSWORD' }],
    [ErrorCode.UNSAFE, () => setup().context.grant(Subject.group('oidc:ops'), { name: 'ops', rules: [AccessRule.of('apps', ['deployments'], ['*'])] }),
      { path: 'catalog', prop: 'grant(ops).rules[0]', value: '*' }],
    [ErrorCode.WRONG_SCOPE, () => {
      const { platform } = setup();
      new Microservice(platform as any, 'products', { image: Image.fromTag('ghcr.io/acme/products', '1.0.0') });
    }, { path: 'shop/products', prop: 'scope', value: expect.anything() }],
  ];

  test('every code has a sample', () => {
    expect(new Set(cases.map(([code]) => code))).toEqual(new Set(Object.values(ErrorCode)));
  });

  test.each(cases)('fails when a mistake of class %s is made: the error carries path, prop, value and code', (code, build, fields) => {
    const e = thrown(build);

    expect(e).toBeInstanceOf(ConfigurationError);
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ name: 'ConfigurationError', code, ...fields });
    expect((e as ConfigurationError).message).toMatch(SHAPE);
    expect((e as ConfigurationError).message.startsWith(`${fields.path}: '${fields.prop}' (`)).toBe(true);
    expect(ConfigurationError.isConfigurationError(e)).toBe(true);
  });

  test('the message is built from the fields in the standard shape', () => {
    const e = new ConfigurationError({
      path: 'orders/payments', prop: 'maxReplicas', value: 1, expected: 'must be at least \'minReplicas\' (2)',
      fix: 'raise maxReplicas or lower minReplicas', code: ErrorCode.CONFLICT,
    });

    expect(e.message).toBe("orders/payments: 'maxReplicas' (1) must be at least 'minReplicas' (2); raise maxReplicas or lower minReplicas");
    expect(e.stack).toContain('ConfigurationError');
    expect(new ConfigurationError({ path: 'a', prop: 'b', value: 'c', expected: 'must be d', fix: 'use d' }).code).toBe(ErrorCode.INVALID_VALUE);
  });

  test('fails when an emptyDir comes without its size from plain JavaScript: a ConfigurationError with the path, not a TypeError', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    const e = thrown(() => products.addVolume((Volume.emptyDir as any)('cache'), { mountPath: '/var/cache', writable: true }));

    expect(e).toBeInstanceOf(ConfigurationError);
    expect(e).toMatchObject({ code: ErrorCode.MISSING_REQUIRED, path: 'catalog/products', prop: 'addVolume(cache).sizeLimit', value: undefined });
    expect((e as Error).message).toBe("catalog/products: 'addVolume(cache).sizeLimit' (undefined) must be set (a Size); use Size.mebibytes(n) or Size.gibibytes(n)");
  });

  test('fails when a size is a string: WRONG_TYPE names the type received', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    expect(() => products.addVolume(Volume.emptyDir('cache', { sizeLimit: '256Mi' as any }), { mountPath: '/var/cache', writable: true }))
      .toThrow("catalog/products: 'addVolume(cache).sizeLimit' ('256Mi') must be a Size; use Size.mebibytes(n) or Size.gibibytes(n)");
  });

  test.each([
    ['Allow', "Kubernetes' Allow, which the library does not offer"],
    ['allow', 'a lower-case spelling'],
    ['Forbid', 'the Kubernetes value as a string instead of the constant'],
  ])('fails when concurrencyPolicy is %s (%s): the constants are listed', (value) => {
    const { context } = setup();

    const e = thrown(() => new CronJob(context, 'cleanup', cronProps({ concurrencyPolicy: value as any })));

    expect(e).toMatchObject({ code: ErrorCode.UNKNOWN_OPTION, path: 'catalog/cleanup', prop: 'concurrencyPolicy', value });
    expect((e as Error).message).toContain(`catalog/cleanup: 'concurrencyPolicy' ('${value}') must be one of ConcurrencyPolicy.FORBID ('Forbid'), ConcurrencyPolicy.REPLACE ('Replace')`);
  });

  test('fails when a constant is spelt in lower case: the fix names the constant', () => {
    const { context } = setup();

    expect(() => new CronJob(context, 'cleanup', cronProps({ concurrencyPolicy: 'replace' as any })))
      .toThrow(/; use ConcurrencyPolicy.REPLACE$/);
  });

  test('the constants are rendered as Kubernetes spells them', () => {
    const { context } = setup();

    new CronJob(context, 'cleanup', cronProps({ concurrencyPolicy: ConcurrencyPolicy.REPLACE }));

    expect(find(objects(context), 'CronJob', 'cleanup').spec.concurrencyPolicy).toBe('Replace');
  });

  test('fails when a refusal is matched on its fields, as the README shows', () => {
    const { context: catalog } = setup();
    const props = cronProps();

    expect(() => new CronJob(catalog, 'cleanup', { ...props, concurrencyPolicy: 'Allow' as any }))
      .toThrow(expect.objectContaining({ code: ErrorCode.UNKNOWN_OPTION, path: 'catalog/cleanup', prop: 'concurrencyPolicy' }));
  });

  test('fails when a Duration is a number: WRONG_TYPE, not a TypeError', () => {
    const { context } = setup();

    expect(() => new CronJob(context, 'cleanup', cronProps({ startingDeadline: 600 as any })))
      .toThrow("catalog/cleanup: 'startingDeadline' (600) must be a Duration; use Duration.seconds(n), Duration.minutes(n) or Duration.hours(n)");
  });

  test('fails when a required class-typed prop is missing: MISSING_REQUIRED', () => {
    const { context } = setup();

    const e = thrown(() => new Microservice(context, 'products', { ports: [Port.http(8080)], readiness: Probe.http('/ready'), liveness: Probe.http('/live') } as any));

    expect(e).toMatchObject({ code: ErrorCode.MISSING_REQUIRED, path: 'catalog/products', prop: 'image', value: undefined });
  });

  test('fails when the team is missing: MISSING_REQUIRED', () => {
    const { app, platform } = setup();

    expect(thrown(() => new BoundedContext(app, 'orders', { platform } as any)))
      .toMatchObject({ code: ErrorCode.MISSING_REQUIRED, path: 'orders', prop: 'team', value: undefined });
  });
});

describe('validation at synth', () => {
  test('fails when a validation finds errors: ConfigurationErrors keeps cdk8s\' message and every error with its fields', () => {
    const { context } = setup({ quota: { pods: 4, services: 0 } });
    microservice(context, 'products');

    const e = thrown(() => objects(context)) as ConfigurationErrors;

    expect(e).toBeInstanceOf(ConfigurationErrors);
    expect(e).toBeInstanceOf(ConfigurationError);
    expect(e.errors.map(x => [x.code, x.path, x.prop])).toEqual([
      [ErrorCode.QUOTA_EXCEEDED, 'catalog', 'quota.pods'],
      [ErrorCode.QUOTA_EXCEEDED, 'catalog', 'quota.services'],
    ]);
    expect(e).toMatchObject({ code: ErrorCode.QUOTA_EXCEEDED, path: 'catalog', prop: 'quota.pods', value: '4' });
    expect(e.message).toBe(`Validation failed with the following errors:\n  [catalog] ${e.errors[0].message}\n  [catalog] ${e.errors[1].message}`);
  });

  test('fails when a MicroservicesApp synthesizes an invalid platform: ConfigurationErrors, and no file written', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'errors-test-'));
    try {
      const app = new MicroservicesApp({ outdir });
      const platform = new Platform(app, 'shop');
      const context = new BoundedContext(app, 'catalog', { platform, team: 'catalog-team', quota: { pods: 4 } });
      microservice(context, 'products');

      const e = thrown(() => app.synth());

      expect(e).toBeInstanceOf(ConfigurationErrors);
      expect(e).toMatchObject({ code: ErrorCode.QUOTA_EXCEEDED, path: 'catalog', prop: 'quota.pods' });
      expect((e as Error).message).toMatch(/^Validation failed with the following errors:\n {2}\[catalog\] catalog: 'quota.pods' \('4'\) is below/);
      expect(fs.readdirSync(outdir)).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('a validation that returns plain strings becomes a ConfigurationError with that message', () => {
    const { context } = setup();
    context.node.addValidation({ validate: () => ['broken on purpose'] });

    const errors = _validationErrors(context);

    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ConfigurationError);
    expect(errors[0]).toMatchObject({ message: 'broken on purpose', path: 'catalog', code: ErrorCode.INVALID_VALUE });
    expect(() => _throwIfInvalid(context)).toThrow('Validation failed with the following errors:\n  [catalog] broken on purpose');
  });

  test('_addValidation gives cdk8s the messages and keeps the errors retrievable', () => {
    const chart = Testing.chart();
    _addValidation(chart, () => [_invalid(chart, 'replicas', 0, 'must be at least 1', 'run a replica', ErrorCode.OUT_OF_RANGE)]);

    expect(chart.node.validate()).toEqual([`${chart.node.path}: 'replicas' (0) must be at least 1; run a replica`]);
    expect(_validationErrors(chart)).toEqual([expect.objectContaining({ code: ErrorCode.OUT_OF_RANGE, prop: 'replicas', value: 0 })]);
    expect(() => _throwIfInvalid(chart)).toThrow(ConfigurationErrors);
  });

  test('a valid tree has no errors', () => {
    const { context } = setup();
    microservice(context, 'products');

    expect(_validationErrors(context)).toEqual([]);
    expect(() => _throwIfInvalid(context)).not.toThrow();
  });
});
