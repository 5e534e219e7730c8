import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import {
  ApiGateway, BoundedContext, Colour, Environment, ErrorCode, GatewayTls, IRelease, Image, Microservice, Platform, Port, Probe, Release,
  ResourceSizing, loadManifests, parityReport, renderParityReport, synthesizeEnvironments,
} from '../../lib';
import { thrown } from '../_helpers';

/**
 * A release is part of the model: it runs in every environment, and each environment
 * reaches a step when its delivery applies that commit. A release built for some
 * environments only is an undeclared difference, and the refusal says so.
 */

const DEV = Environment.of('dev', { replicas: { max: 2 }, resources: ResourceSizing.percent({ cpu: 50 }) });
const PROD = Environment.of('prod');
const NEXT = Image.fromTag('ghcr.io/acme/products', '1.1.0');

/** A platform 'shop' whose 'products' (3..6 replicas, routed by a gateway) runs the release `release(env)` returns. */
function build(app: App, env: Environment, release: (env: Environment) => IRelease | undefined): void {
  const platform = new Platform(app, 'shop', { environment: env });
  const context = new BoundedContext(app, 'catalog', { platform, team: 'catalog-team' });
  const products = new Microservice(context, 'products', {
    image: Image.fromTag('ghcr.io/acme/products', '1.0.0'), ports: [Port.http(8080)], readiness: Probe.http('/ready'), liveness: Probe.http('/live'),
    minReplicas: 3, maxReplicas: 6, release: release(env),
  });
  new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') })
    .addRoute({ host: 'api.example.com', path: '/products', service: products });
}

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parity-release-'));
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const synth = (release: (env: Environment) => IRelease | undefined, envs = [DEV, PROD]) =>
  synthesizeEnvironments(envs, (app, env) => build(app, env, release), { outdir: path.join(tmp, 'dist') });

describe('a release across environments', () => {
  test('runs in every environment: the track is sized by each environment and the parity check lets it through', () => {
    synth(() => Release.canary({ image: NEXT, weight: 10 }));
    const outputs = [DEV, PROD].map(env => ({ name: env.name, declared: env.declared(), manifests: loadManifests(path.join(tmp, 'dist', env.name)) }));
    const report = parityReport(outputs[0], outputs[1]);
    expect(report.undeclared).toEqual([]);
    // the track's differences are its sizing, declared like the stable track's, and marked as the release's
    const track = report.objects.find(o => o.key === 'autoscaling/v2/HorizontalPodAutoscaler/catalog/products-canary')!;
    expect(track.differences.map(d => [d.path, d.a, d.b, d.aspects, d.track])).toEqual([
      ['metadata.annotations.conformance.cdk8s-microservices.io/suppress', expect.any(String), undefined, ['replicas'], 'canary'],
      ['metadata.annotations.kube-score/ignore', 'horizontalpodautoscaler-replicas', undefined, ['replicas'], 'canary'],
      ['metadata.annotations.polaris.fairwinds.com/hpaMinAvailability-exempt', 'true', undefined, ['replicas'], 'canary'],
      ['spec.maxReplicas', 2, 6, ['replicas'], 'canary'],
      ['spec.minReplicas', 1, 3, ['replicas'], 'canary'],
    ]);
  });

  test('fails when a release is built for one environment only, saying which track each runs, that a release runs everywhere, and how to fix it', () => {
    const e = thrown(() => synth(env => (env.name === 'prod' ? Release.canary({ image: NEXT, weight: 10 }) : undefined)));
    expect(e).toMatchObject({ code: ErrorCode.CONFLICT, path: 'environments', prop: 'parity' });
    // every object of the track, the autoscaler included (a replicas difference does not hide an object of a release)
    for (const key of ['apps/v1/Deployment/catalog/products-canary', 'autoscaling/v2/HorizontalPodAutoscaler/catalog/products-canary',
      'policy/v1/PodDisruptionBudget/catalog/products-canary', 'v1/Service/catalog/products-canary', 'v1/Service/catalog/products-stable']) {
      expect(e.message).toContain(`dev vs prod: ${key} (object): (absent) vs `);
    }
    expect(e.message).toContain('dev vs prod: gateway.networking.k8s.io/v1/HTTPRoute/catalog/public-products-https-api-example-com spec.rules[0].backendRefs[0].weight: (absent) vs 90');
    expect(e.message).toContain('\nand a release is part of the model: it runs in every environment, and each environment reaches a step of it when its delivery applies that commit, '
      + 'but here the release differs:\n  dev vs prod: catalog/products runs no release in dev, and the canary track (Deployment catalog/products-canary) in prod\n');
    expect(e.message).toContain('; give the service the same release in every environment (no env.name condition on its release prop, its image or its weights): '
      + 'to hold a step back in an environment, do not deliver that commit there yet; for any other difference, declare the difference in the Environment');
    expect(fs.existsSync(path.join(tmp, 'dist'))).toBe(false);
  });

  test('fails when environments run the release at different steps (weights), naming the service and the routes\' weights', () => {
    const e = thrown(() => synth(env => Release.canary({ image: NEXT, weight: env.name === 'prod' ? 10 : 50 })));
    expect(e.message).toContain('(\'2 undeclared differences\')');
    expect(e.message).toContain('spec.rules[0].backendRefs[1].weight: 50 vs 10');
    expect(e.message).toContain('dev vs prod: catalog/products runs the canary track (Deployment catalog/products-canary) in both, rendered differently '
      + '(its image, version, scale, weight, matches or mirror)');
  });

  test('fails when environments run different strategies', () => {
    const e = thrown(() => synth(env => (env.name === 'prod' ? Release.canary({ image: NEXT, weight: 10 }) : Release.blueGreen({ image: NEXT, active: Colour.BLUE }))));
    expect(e.message).toContain('dev vs prod: catalog/products runs the green track (Deployment catalog/products-green) in dev, '
      + 'and the canary track (Deployment catalog/products-canary) in prod');
  });

  test('names every pair that differs: staging and prod alike, dev without the release', () => {
    const staging = Environment.of('staging', { replicas: { max: 4 } });
    const e = thrown(() => synth(env => (env.name === 'dev' ? undefined : Release.canary({ image: NEXT, weight: 10 })), [DEV, staging, PROD]));
    expect(e.message).toContain('dev vs staging: catalog/products runs no release in dev, and the canary track');
    expect(e.message).toContain('dev vs prod: catalog/products runs no release in dev, and the canary track');
    expect(e.message).not.toContain('staging vs prod: catalog/products');
  });

  test('the parity report marks a release\'s undeclared differences with the track', () => {
    synth(() => undefined);
    fs.renameSync(path.join(tmp, 'dist'), path.join(tmp, 'without'));
    synth(() => Release.canary({ image: NEXT, weight: 10 }));
    const report = parityReport({ name: 'dev', declared: DEV.declared(), manifests: loadManifests(path.join(tmp, 'without', 'dev')) },
      { name: 'prod', declared: PROD.declared(), manifests: loadManifests(path.join(tmp, 'dist', 'prod')) });
    const text = renderParityReport(report);
    expect(text).toContain('apps/v1/Deployment/catalog/products-canary\n  (object): (absent) -> Deployment products-canary  [UNDECLARED (release; release track canary)]');
    expect(text).toContain('  spec.selector.app.kubernetes.io/instance: \'products\' -> (absent)  [UNDECLARED (no aspect; release track canary)]');
    // a difference of a service without a release carries no track
    expect(report.objects.filter(o => !o.key.includes('products')).flatMap(o => o.differences).every(d => d.track === undefined)).toBe(true);
  });
});
