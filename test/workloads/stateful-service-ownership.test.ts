import { Testing } from 'cdk8s';
import { BoundedContext, CROSS_CONTEXT_OWNERS_ANNOTATION, CrossContextOwnership, Image, Microservice, Platform, Port, Probe, StatefulService, StatefulServiceProps } from '../../lib';
import { find, microservice, objects } from '../_helpers';

const REASON = 'analytics reads the orders replica until the export API ships (ORD-212)';

function contexts(): { orders: BoundedContext; analytics: BoundedContext } {
  const app = Testing.app();
  const platform = new Platform(app, 'shop');
  return {
    orders: new BoundedContext(app, 'orders', { platform, team: 'orders-team' }),
    analytics: new BoundedContext(app, 'analytics', { platform, team: 'analytics-team' }),
  };
}

function props(owners: Microservice[], extra: Partial<StatefulServiceProps> = {}): StatefulServiceProps {
  return {
    image: Image.fromTag('docker.io/library/postgres', '16.4.0'),
    ports: [Port.tcp(5432, { name: 'postgres' })],
    readiness: Probe.tcp(),
    liveness: Probe.exec(['pg_isready']),
    owners,
    ...extra,
  };
}

describe('StatefulService ownership across bounded contexts', () => {
  test('fails when an owner is a workload of another bounded context', () => {
    const { orders, analytics } = contexts();
    const own = microservice(orders, 'orders');
    const reporting = microservice(analytics, 'reporting');
    expect(() => new StatefulService(orders, 'orders-db', props([own, reporting])))
      .toThrow(/^orders\/orders-db: 'owners' \('analytics\/reporting'\) must be workloads of the store's own bounded context 'orders', but this one is in 'analytics': another team would operate the store's data; create the store in 'analytics' if the data is theirs, let analytics\/reporting call an API of 'orders', or declare it with crossContextOwners: CrossContextOwnership\.declare\('<why>'\)$/);
  });

  test('owners of the store\'s own context need no declaration, and the StatefulSet carries no cross-context annotation', () => {
    const { orders } = contexts();
    const store = new StatefulService(orders, 'orders-db', props([microservice(orders, 'orders')]));
    expect(store.owners.map(o => o.name)).toEqual(['orders']);
    expect(find(objects(orders), 'StatefulSet', 'orders-db').metadata.annotations?.[CROSS_CONTEXT_OWNERS_ANNOTATION]).toBeUndefined();
  });

  test('an owner of another context is accepted when the store\'s context declares it, with the reason on the StatefulSet', () => {
    const { orders, analytics } = contexts();
    const own = microservice(orders, 'orders');
    const reporting = microservice(analytics, 'reporting');
    const store = new StatefulService(orders, 'orders-db', props([own, reporting], { crossContextOwners: CrossContextOwnership.declare(REASON) }));
    reporting.connectTo(store);
    expect(find(objects(orders), 'StatefulSet', 'orders-db').metadata.annotations[CROSS_CONTEXT_OWNERS_ANNOTATION]).toEqual(REASON);
  });

  test('fails when the declaration has no reason, is not a CrossContextOwnership, or declares what is not there', () => {
    const { orders, analytics } = contexts();
    const own = microservice(orders, 'orders');
    const reporting = microservice(analytics, 'reporting');
    expect(() => new StatefulService(orders, 'a', props([reporting], { crossContextOwners: CrossContextOwnership.declare('because') })))
      .toThrow(/^orders\/a: 'crossContextOwners' \('because'\) must say why workloads of other contexts own the store/);
    expect(() => new StatefulService(orders, 'b', props([reporting], { crossContextOwners: REASON as never })))
      .toThrow(/^orders\/b: 'crossContextOwners' \('analytics reads .*'\) must be a CrossContextOwnership; pass CrossContextOwnership\.declare/);
    expect(() => new StatefulService(orders, 'c', props([own], { crossContextOwners: CrossContextOwnership.declare(REASON) })))
      .toThrow(/^orders\/c: 'crossContextOwners' \('analytics reads .*'\) declares owners from other contexts, but every owner is in 'orders'; remove crossContextOwners$/);
  });
});
