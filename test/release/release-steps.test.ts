import { Colour, Release } from '../../lib';
import { Manifest } from '../_helpers';
import { NEXT, refused, step } from './_release';


/** Each step after the one before it: what the safe-change check refuses. */
function walk(steps: Manifest[][]): string[][] {
  return steps.slice(1).map((s, i) => refused(steps[i], s));
}

describe('each step of a release is a change the safe-change check lets through', () => {
  test('canary: start, raise the weight, promote (the image and no release), and a rollback', () => {
    const steps = [
      step(undefined),
      step(Release.canary({ image: NEXT, weight: 10 })),
      step(Release.canary({ image: NEXT, weight: 50 })),
      step(Release.canary({ image: NEXT, weight: 100 })),
      step(undefined, NEXT),
    ];
    expect(walk(steps)).toEqual([[], [], [], []]);
    expect(refused(steps[2], steps[0])).toEqual([]);
  });

  test('blue-green: start with blue active, switch to green, roll blue to the new image while green serves, end', () => {
    const steps = [
      step(undefined),
      step(Release.blueGreen({ image: NEXT, active: Colour.BLUE })),
      step(Release.blueGreen({ image: NEXT, active: Colour.GREEN })),
      step(Release.blueGreen({ image: NEXT, active: Colour.GREEN }), NEXT),
      step(undefined, NEXT),
    ];
    expect(walk(steps)).toEqual([[], [], [], []]);
    // a rollback: switch back to blue
    expect(refused(steps[2], steps[1])).toEqual([]);
  });

  test('the stable Deployment keeps its name and selector at every step', () => {
    const stable = (out: Manifest[]) => out.find(m => m.kind === 'Deployment' && m.metadata.name === 'products')!.spec.selector;
    const first = stable(step(undefined));
    for (const r of [Release.canary({ image: NEXT, weight: 10 }), Release.blueGreen({ image: NEXT, active: Colour.GREEN }),
      Release.shadow({ image: NEXT, percent: 5, mirrorsWritesReason: 'read-only' })]) {
      expect(stable(step(r))).toEqual(first);
    }
  });

  test('fails when a step would change the stable selector (the check is live)', () => {
    const before = step(undefined);
    const after = step(Release.canary({ image: NEXT, weight: 10 })).map(m => (m.kind === 'Deployment' && m.metadata.name === 'products'
      ? { ...m, spec: { ...m.spec, selector: { matchLabels: { 'app.kubernetes.io/name': 'products' } } } } : m));
    expect(refused(before, after)).toEqual(['Deployment catalog/products spec.selector.matchLabels.app.kubernetes.io/instance']);
  });
});
