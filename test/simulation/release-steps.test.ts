import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { ApplySet } from '../../lib/change/applyset';
import { Manifest } from '../_helpers';
import { synthesizeSteps } from './release-phase';
import { NEVER_READY, RELEASE_ENVIRONMENT, RELEASE_PLATFORM, RELEASE_SELF_TEST_STEPS, RELEASE_STEPS, ReleaseStep, prunedBy } from './release-steps';

/** Every step synthesized as the release phase does it (each with the one before as its previous output), read back. */
function outputs(steps: readonly ReleaseStep[]): { manifests: Manifest[]; pruned: string[]; error?: string }[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'release-steps-'));
  try {
    return synthesizeSteps(dir, steps).map((s) => ({ manifests: s.objects.map((o) => o.obj as Manifest), pruned: s.pruned, error: s.error }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const names = (all: Manifest[], kind: string): string[] => all.filter((m) => m.kind === kind).map((m) => m.metadata.name).sort();
const weights = (all: Manifest[]): Array<[string, number]> => all.find((m) => m.kind === 'HTTPRoute' && m.metadata.namespace === 'catalog')!
  .spec.rules[0].backendRefs.map((b: Manifest) => [b.name, b.weight ?? 1]);
const image = (all: Manifest[], name: string): string => all.find((m) => m.kind === 'Deployment' && m.metadata.name === name)!.spec.template.spec.containers[0].image;
const selector = (all: Manifest[], name: string) => all.find((m) => m.kind === 'Service' && m.metadata.name === name)!.spec.selector['app.kubernetes.io/instance'];

describe('the release phase\'s steps', () => {
  const out = outputs(RELEASE_STEPS);

  test('every step passes the safe-change check after the one before it', () => {
    expect(out.map((o) => o.error)).toEqual(RELEASE_STEPS.map(() => undefined));
    expect(RELEASE_STEPS.map((s) => s.sequence)).toEqual(['canary', 'canary', 'canary', 'canary', 'blue-green', 'blue-green', 'blue-green', 'blue-green', 'failed canary', 'failed canary']);
  });

  test('canary: started at weight 10, raised to 50, promoted (the stable image is the canary\'s, the canary pruned)', () => {
    const [stable, start, raise, promote] = out.map((o) => o.manifests);
    expect(names(stable, 'Deployment')).toEqual(['products']);
    expect(weights(stable)).toEqual([['products', 1]]);
    expect(names(start, 'Deployment')).toEqual(['products', 'products-canary']);
    expect(image(start, 'products-canary')).toBe('ghcr.io/acme/products:1.9.0');
    expect(weights(start)).toEqual([['products-stable', 90], ['products-canary', 10]]);
    expect(weights(raise)).toEqual([['products-stable', 50], ['products-canary', 50]]);
    expect(image(promote, 'products')).toBe('ghcr.io/acme/products:1.9.0');
    expect(out[3].pruned).toEqual([
      'Deployment/catalog/products-canary', 'HorizontalPodAutoscaler/catalog/products-canary', 'PodDisruptionBudget/catalog/products-canary',
      'Service/catalog/products-canary', 'Service/catalog/products-stable',
    ]);
  });

  test('blue-green: green warm while blue serves, switched, blue rolled to green\'s image, ended', () => {
    const [start, sw, roll, end] = out.slice(4, 8).map((o) => o.manifests);
    expect(names(start, 'HorizontalPodAutoscaler')).toEqual(['products', 'products-green']);
    expect(selector(start, 'products')).toBe('products');
    expect(weights(start)).toEqual([['products-stable', 100], ['products-green', 0]]);
    expect(selector(sw, 'products')).toBe('products-green');
    expect(weights(sw)).toEqual([['products-stable', 0], ['products-green', 100]]);
    expect([image(roll, 'products'), image(roll, 'products-green')]).toEqual(['ghcr.io/acme/products:2.0.0', 'ghcr.io/acme/products:2.0.0']);
    expect(selector(end, 'products')).toBe('products');
    expect(out[7].pruned).toEqual([
      'Deployment/catalog/products-green', 'HorizontalPodAutoscaler/catalog/products-green', 'PodDisruptionBudget/catalog/products-green',
      'Service/catalog/products-green', 'Service/catalog/products-stable',
    ]);
  });

  test('failed canary: only the canary runs an image that never becomes ready; the rollback prunes it and keeps the stable image', () => {
    const [start, back] = out.slice(8).map((o) => o.manifests);
    expect(RELEASE_STEPS[8].failing).toEqual(['products-canary']);
    expect(image(start, 'products-canary')).toBe(`ghcr.io/acme/products:2.1.0${NEVER_READY}`);
    expect(image(start, 'products').endsWith(NEVER_READY)).toBe(false);
    expect(image(back, 'products')).toBe(image(start, 'products'));
    expect(out[9].pruned).toEqual(out[3].pruned);
    // no other step runs a never-ready image
    for (const [i, o] of out.entries()) {
      const never = o.manifests.filter((m) => m.kind === 'Deployment' && m.spec.template.spec.containers.some((c: Manifest) => c.image.endsWith(NEVER_READY)));
      expect(never.map((m) => m.metadata.name)).toEqual(i === 8 ? ['products-canary'] : []);
    }
  });

  test('the self-test\'s broken step sets the stable track itself to a never-ready image', () => {
    const [base, broken] = outputs(RELEASE_SELF_TEST_STEPS);
    expect(base.error).toBeUndefined();
    expect(broken.error).toBeUndefined();
    expect(image(broken.manifests, 'products')).toBe(`ghcr.io/acme/products:2.1.0${NEVER_READY}`);
    expect(RELEASE_SELF_TEST_STEPS[1].failing).toEqual(['products', 'products-canary']);
  });

  test('the steps are applied with the ApplySet prune command of the releases-sim parent', () => {
    const set = new ApplySet({ platform: RELEASE_PLATFORM, environment: RELEASE_ENVIRONMENT, kubectlVersion: '1.37.2' });
    expect(set.applyCommand('step-03/')).toBe('KUBECTL_APPLYSET=true kubectl apply --server-side --prune --applyset=applysets.platform.cdk8s-microservices.io/releases-sim -R -f step-03/');
  });

  test('prunedBy names what the later output no longer holds', () => {
    const a = { kind: 'Service', metadata: { namespace: 'n', name: 'a' } };
    const b = { kind: 'Service', metadata: { namespace: 'n', name: 'b' } };
    expect(prunedBy([a, b], [b])).toEqual(['Service/n/a']);
    expect(prunedBy([a], [a, b])).toEqual([]);
  });

  test('the kwok stage that keeps such a pod from becoming ready matches the same suffix and outweighs kwok\'s pod-ready', () => {
    const [stage] = Yaml.load(path.join(__dirname, 'stages', 'pod-never-ready.yaml')) as Manifest[];
    expect(stage.spec.weight).toBe(1);
    expect(stage.spec.selector.matchExpressions).toContainEqual({ key: `.spec.containers.[].image | endswith("${NEVER_READY}")`, operator: 'In', values: ['true'] });
    expect(stage.spec.next.statusTemplate).toMatch(/status: "False"\n\s+type: Ready/);
    expect(stage.spec.next.statusTemplate).toMatch(/phase: Running/);
  });
});
