import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { ApiGateway, Colour, Environment, ErrorCode, GatewayTls, IRelease, IdleScale, Image, Release, ResourceSizing } from '../../lib';
import { Manifest, find, microservice, objects, setup, thrown } from '../_helpers';

/**
 * A release's track is sized by the environment as the stable track is: the replica
 * bounds clamp both autoscalers, the resource percentages scale both pod templates,
 * and the context's quota (merged with the environment's) counts both at their peak.
 */

const NEXT = Image.fromTag('ghcr.io/acme/products', '1.1.0');
const DEV = Environment.of('dev', { replicas: { max: 3 }, resources: ResourceSizing.percent({ cpu: 25, memory: 50 }) });

/** Context 'catalog' in `env` with 'products' (2..6 replicas, 1 CPU and 512Mi) running `release`, routed by a gateway. */
function build(env: Environment, release: IRelease | undefined, quota: object = {}) {
  const { app, platform, context } = setup({ quota: { cpuRequests: Cpu.units(16), cpuLimits: Cpu.units(32), memoryLimits: Size.gibibytes(32), ...quota } }, { environment: env });
  const products = microservice(context, 'products', {
    minReplicas: 2, maxReplicas: 6, release,
    resources: { cpu: { request: Cpu.millis(1000), limit: Cpu.millis(2000) }, memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) } },
  });
  new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') })
    .addRoute({ host: 'api.example.com', service: products });
  return { context, products };
}

const bounds = (m: Manifest[], name: string) => [find(m, 'HorizontalPodAutoscaler', name).spec.minReplicas, find(m, 'HorizontalPodAutoscaler', name).spec.maxReplicas];
const resources = (m: Manifest[], name: string) => find(m, 'Deployment', name).spec.template.spec.containers[0].resources;

describe('a release track in an environment', () => {
  test('takes the stable track\'s bounds as the environment clamps them, by default', () => {
    const m = objects(build(DEV, Release.canary({ image: NEXT, weight: 10 })).context);
    expect(bounds(m, 'products')).toEqual([2, 3]);
    expect(bounds(m, 'products-canary')).toEqual([2, 3]);
    const prod = objects(build(Environment.of('prod'), Release.canary({ image: NEXT, weight: 10 })).context);
    expect(bounds(prod, 'products-canary')).toEqual([2, 6]);
  });

  test('has its own bounds clamped to the environment\'s, as the stable track\'s are', () => {
    const m = objects(build(DEV, Release.blueGreen({ image: NEXT, active: Colour.BLUE, minReplicas: 4, maxReplicas: 8 })).context);
    // min 4 and max 8 both clamp to 3; an autoscaler keeps a range
    expect(bounds(m, 'products-green')).toEqual([2, 3]);
  });

  test('is sized by the environment\'s resource percentages, as the stable track is', () => {
    const m = objects(build(DEV, Release.canary({ image: NEXT, weight: 10 })).context);
    const expected = { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '256Mi' } };
    expect(resources(m, 'products')).toMatchObject(expected);
    expect(resources(m, 'products-canary')).toEqual(resources(m, 'products'));
  });

  test('fails when the quota of the smallest environment cannot hold both tracks at their peak, counting the sized pods', () => {
    // dev: each track at most 3 replicas and two surges of 1 during a rollout, 5 pods each, 250m of CPU requests per pod
    const quota = { cpuRequests: Cpu.millis(1500), pods: 10 };
    expect(() => objects(build(DEV, undefined, quota).context)).not.toThrow();
    const e = thrown(() => objects(build(DEV, Release.canary({ image: NEXT, weight: 10 }), quota).context));
    expect(e).toMatchObject({ code: ErrorCode.QUOTA_EXCEEDED, prop: 'quota.cpuRequests' });
    expect(e.message).toContain('(products 10 pods x 250m = 2500m)');
  });

  test('fails on the pods quota the environment sets, counting both tracks', () => {
    const small = Environment.of('dev', { replicas: { max: 3 }, quota: { catalog: { pods: 8 } } });
    expect(() => objects(build(small, undefined).context)).not.toThrow();
    const e = thrown(() => objects(build(small, Release.canary({ image: NEXT, weight: 10 })).context));
    expect(e).toMatchObject({ code: ErrorCode.QUOTA_EXCEEDED, prop: 'quota.pods' });
    expect(e.message).toContain('(products 10 pods x 1 = 10)');
  });

  test('an idle colour at zero adds no pods to the quota', () => {
    const small = Environment.of('dev', { replicas: { max: 3 }, quota: { catalog: { pods: 5 } } });
    expect(() => objects(build(small, Release.blueGreen({ image: NEXT, active: Colour.BLUE, idle: IdleScale.ZERO })).context)).not.toThrow();
  });
});
