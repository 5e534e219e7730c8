import { find, objects } from '../_helpers';
import { progressionComposition } from './_progression';

describe('the composition of every strategy with a canary that Argo Rollouts moves', () => {
  test('renders the progressing service (snapshot)', () => {
    const c = progressionComposition();
    const ratings = objects(c.catalog).filter(m => m.metadata?.name?.startsWith('ratings') || m.kind === 'Rollout');
    const routes = objects(c.gateway).filter(m => m.metadata?.name === 'public-ratings-https-api-example-com');
    expect({ ratings, routes }).toMatchSnapshot();
  });

  test('the other releases render as before: the progression takes only its own service', () => {
    const out = objects(progressionComposition().catalog);
    expect(out.filter(m => m.kind === 'Rollout').map(m => m.metadata.name)).toEqual(['ratings']);
    expect(find(out, 'HorizontalPodAutoscaler', 'products').spec.scaleTargetRef.kind).toBe('Deployment');
    expect(find(out, 'Rollout', 'ratings').spec.strategy.canary.trafficRouting.plugins['argoproj-labs/gatewayAPI'])
      .toEqual({ namespace: 'catalog', httpRoutes: [{ name: 'public-ratings-https-api-example-com' }] });
  });
});
