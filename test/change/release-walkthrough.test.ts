import { Colour, IdleScale, Image, Release, VariantMatch } from '../../lib';
import { Manifest } from '../_helpers';
import { NEXT, refused, step } from '../release/_release';

/**
 * The README's walkthroughs (Releases): each step of each strategy, what the apply
 * creates, changes and prunes, and that the safe-change check lets every step through
 * without an acknowledgement.
 */


const id = (m: Manifest) => `${m.kind}/${m.metadata.name}`;

/** What an apply of `after` over `before` creates and prunes (the ApplySet deletes what the output no longer holds). */
function delta(before: Manifest[], after: Manifest[]): { created: string[]; pruned: string[] } {
  const [b, a] = [new Set(before.map(id)), new Set(after.map(id))];
  return { created: [...a].filter(x => !b.has(x)).sort(), pruned: [...b].filter(x => !a.has(x)).sort() };
}

const TRACK = (t: string) => [`Deployment/products-${t}`, `HorizontalPodAutoscaler/products-${t}`, `PodDisruptionBudget/products-${t}`,
  `Service/products-${t}`, 'Service/products-stable'].sort();

describe('the README walkthroughs: every step passes the safe-change check, and the apply creates and prunes the track', () => {
  test('canary: start creates the track, the weight changes the routes only, promotion and rollback prune it', () => {
    const [none, start, half] = [step(undefined), step(Release.canary({ image: NEXT, weight: 10 })), step(Release.canary({ image: NEXT, weight: 50 }))];
    const promoted = step(undefined, NEXT);
    expect(delta(none, start)).toEqual({ created: TRACK('canary'), pruned: [] });
    expect(delta(start, half)).toEqual({ created: [], pruned: [] });
    expect(delta(half, promoted)).toEqual({ created: [], pruned: TRACK('canary') });
    expect([refused(none, start), refused(start, half), refused(half, promoted), refused(half, none)]).toEqual([[], [], [], []]);
  });

  test('blue-green: green at zero, warmed, switched, blue rolled to green\'s image, ended; or switched back', () => {
    const bg = (active: Colour, idle?: IdleScale, image?: Image) => step(Release.blueGreen({ image: NEXT, active, idle }), image);
    const steps = [step(undefined), bg(Colour.BLUE, IdleScale.ZERO), bg(Colour.BLUE), bg(Colour.GREEN), bg(Colour.GREEN, undefined, NEXT), step(undefined, NEXT)];
    // at zero green has no autoscaler or budget; warming it creates them
    expect(delta(steps[0], steps[1]).created).toEqual(['Deployment/products-green', 'Service/products-green', 'Service/products-stable']);
    expect(delta(steps[1], steps[2]).created).toEqual(['HorizontalPodAutoscaler/products-green', 'PodDisruptionBudget/products-green']);
    expect(delta(steps[4], steps[5])).toEqual({ created: [], pruned: TRACK('green') });
    const selector = (out: Manifest[]) => out.find(m => m.kind === 'Service' && m.metadata.name === 'products')!.spec.selector['app.kubernetes.io/instance'];
    expect(steps.map(selector)).toEqual(['products', 'products', 'products', 'products-green', 'products-green', 'products']);
    expect(steps.slice(1).map((s, i) => refused(steps[i], s))).toEqual([[], [], [], [], []]);
    expect(refused(steps[3], steps[2])).toEqual([]);
  });

  test('A/B: start creates the variant and a matching rule; promotion and the end prune it', () => {
    const ab = step(Release.abTest({ image: NEXT, matches: [VariantMatch.header('X-Variant', 'b')] }));
    expect(delta(step(undefined), ab)).toEqual({ created: TRACK('variant'), pruned: [] });
    expect([refused(step(undefined), ab), refused(ab, step(undefined, NEXT)), refused(ab, step(undefined))]).toEqual([[], [], []]);
  });

  test('shadow: start creates the shadow and a mirror; the end prunes it', () => {
    const shadow = step(Release.shadow({ image: NEXT, percent: 100, mirrorsWritesReason: 'products is read-only' }));
    expect(delta(step(undefined), shadow)).toEqual({ created: TRACK('shadow'), pruned: [] });
    expect([refused(step(undefined), shadow), refused(shadow, step(undefined))]).toEqual([[], []]);
  });
});
