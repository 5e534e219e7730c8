import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { ConfigurationError, ConfigurationErrors, ErrorCode, PreviousOutput } from '../../lib';
import { _checkSafeChange } from '../../lib/change/safe-change';
import { Manifest } from '../_helpers';
import { ACCEPTED, REFUSED, meta } from './_manifests';
import { change, tempDir } from './_platform';

/** The refusals of a change, one error each. */
function refusals(error: Error | undefined): ConfigurationError[] {
  expect(error).toBeInstanceOf(ConfigurationErrors);
  return (error as ConfigurationErrors).errors;
}

describe('safe change: immutable fields of the library\'s own output', () => {
  test('fails when a store\'s claim grows: names the object, field, values, construct path and the orphan-delete and patch steps; writes nothing', () => {
    const { error, dir } = change({}, { size: 20 });
    const [e] = refusals(error);
    expect(e).toMatchObject({ path: 'orders/orders-db', prop: 'StatefulSet orders/orders-db spec.volumeClaimTemplates[0].spec.resources.requests.storage',
      value: { old: '10Gi', new: '20Gi' }, code: ErrorCode.CONFLICT });
    expect(e.message).toContain('(\'10Gi\' -> \'20Gi\') cannot change on the existing object: the API server refuses the update (ValidateStatefulSetUpdate)');
    expect(e.fix).toBe('first kubectl -n orders delete statefulset orders-db --cascade=orphan (the pods and their claims stay), '
      + 'then kubectl -n orders patch pvc data-orders-db-0 -p \'{"spec":{"resources":{"requests":{"storage":"20Gi"}}}}\', '
      + 'kubectl -n orders patch pvc data-orders-db-1 -p \'{"spec":{"resources":{"requests":{"storage":"20Gi"}}}}\' (the storage class must allow volume expansion), '
      + 'then apply: the new StatefulSet adopts the pods and rolls them; then acknowledge it in code: '
      + 'Acknowledge.change(scope, \'StatefulSet orders/orders-db\', AcknowledgedChange.RECREATE_STATEFULSET, \'<what was done by hand, when, where it is written down>\'); or keep the old value');
    expect(fs.existsSync(path.join(dir, 'v2')) ? fs.readdirSync(path.join(dir, 'v2')) : []).toEqual([]);
  });

  test('fails when a store gains a claim (volumeClaimTemplates)', () => {
    const [e] = refusals(change({}, { walClaim: true }).error);
    expect(e.prop).toBe('StatefulSet orders/orders-db spec.volumeClaimTemplates[1]');
    expect(e.message).toContain('kubectl -n orders delete statefulset orders-db --cascade=orphan');
    expect(e.message).not.toContain('patch pvc');
  });

  test('fails when a store\'s pod management policy changes', () => {
    const [e] = refusals(change({}, { parallel: true }).error);
    expect(e).toMatchObject({ prop: 'StatefulSet orders/orders-db spec.podManagementPolicy', value: { old: 'OrderedReady', new: 'Parallel' } });
    expect(e.message).toContain('first kubectl -n orders delete statefulset orders-db --cascade=orphan');
  });

  test('fails when a priority tier\'s value changes: delete and re-create the PriorityClass', () => {
    const [e] = refusals(change({}, { tierValue: 600 }).error);
    expect(e).toMatchObject({ path: 'shop/priority-bulk', prop: 'PriorityClass shop-bulk value', value: { old: 500, new: 600 } });
    expect(e.message).toContain('(ValidatePriorityClassUpdate)');
    expect(e.fix).toContain('first kubectl delete priorityclass shop-bulk, then apply to re-create it');
    expect(e.fix).toContain('AcknowledgedChange.RECREATE,');
  });

  test('fails when a service turns into a store (its Service turns headless): delete the Service and re-apply', () => {
    const [e] = refusals(change({}, { cacheIsStore: true }).error);
    expect(e).toMatchObject({ path: 'orders/cache/Service', prop: 'Service orders/cache spec.clusterIP', value: { old: undefined, new: 'None' } });
    expect(e.message).toContain('(undefined -> \'None\')');
    expect(e.fix).toContain('first kubectl -n orders delete service cache, then apply to re-create it');
  });

  test('a configuration change renames the hashed ConfigMap and goes through', () => {
    const { error, lines } = change({}, { mode: 'b' });
    expect(error).toBeUndefined();
    expect(lines.join('')).toMatch(/^safe change: \d+ objects compared with .*v1: 0 acknowledged change\(s\); ConfigMap revisions: 1 kept, 0 dropped \(at most 3 per workload\)\n$/);
  });
});

describe('safe change: data', () => {
  test('fails when a store is renamed: the new one starts empty; names the claims to copy', () => {
    const [e] = refusals(change({}, { store: 'orders-store' }).error);
    expect(e).toMatchObject({ path: 'orders/orders-store', prop: 'StatefulSet orders/orders-db', code: ErrorCode.UNSAFE });
    expect(e.message).toContain('is a store renamed or moved: StatefulSet orders/orders-store starts with empty claims, and the data stays in the old claims (data-orders-db-0, data-orders-db-1 in namespace orders)');
    expect(e.fix).toContain('kubectl -n orders scale statefulset orders-store --replicas=0');
    expect(e.fix).toContain('orders/data-orders-db-0 -> orders/data-orders-store-0, orders/data-orders-db-1 -> orders/data-orders-store-1');
    expect(e.fix).toContain('AcknowledgedChange.START_EMPTY_STORE');
  });

  test('fails when a store moves to another context, and when the namespace that holds its claims is dropped', () => {
    const [moved, namespace] = refusals(change({}, { context: 'sales' }).error);
    expect(moved.prop).toBe('StatefulSet orders/orders-db');
    expect(moved.fix).toContain('orders/data-orders-db-0 -> sales/data-orders-db-0');
    expect(namespace).toMatchObject({ prop: 'Namespace orders', code: ErrorCode.UNSAFE });
    expect(namespace.message).toContain('is no longer rendered but holds the claims of StatefulSet orders/orders-db (data-orders-db-0, data-orders-db-1): a prune deletes the namespace and every claim in it');
    expect(namespace.fix).toContain('Acknowledge.change(scope, \'Namespace orders\', AcknowledgedChange.DELETE_NAMESPACE_WITH_CLAIMS,');
  });
});

/** Runs the check of `next` against `previous` written to a directory. */
function check(previous: Manifest[], next: Manifest[]): ConfigurationError[] {
  const dir = tempDir();
  Yaml.save(path.join(dir, 'a.k8s.yaml'), previous);
  try {
    _checkSafeChange({ files: [{ file: 'a.k8s.yaml', docs: next, onePerResource: false }], pathOf: o => `app/${o.metadata.name}`,
      previous: PreviousOutput.fromDirectory(dir), acknowledgements: [], extension: '.k8s.yaml', log: () => undefined });
    return [];
  } catch (err) {
    return (err as ConfigurationErrors).errors;
  }
}

describe('safe change: the other immutable fields, on plain manifests', () => {
  test.each(REFUSED)('fails on a change of %s', (_, old, changed, prop, validation, step) => {
    const [e, ...rest] = check([old], [{ ...old, ...changed }]);
    expect(rest).toEqual([]);
    expect(e.prop).toBe(prop);
    expect(e.path).toBe(`app/${old.metadata.name}`);
    expect(e.message).toContain(`(${validation})`);
    expect(e.fix).toContain(step);
  });

  test.each(ACCEPTED)('lets %s change', (_, old, changed) => {
    expect(check([old], [{ ...old, ...changed }])).toEqual([]);
  });

  test('fails when a rendered PersistentVolumeClaim is dropped', () => {
    const [e] = check([{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('data'), spec: {} }], []);
    expect(e).toMatchObject({ path: '', prop: 'PersistentVolumeClaim shop/data', code: ErrorCode.UNSAFE });
    expect(e.message).toContain('a prune deletes the claim');
    expect(e.fix).toContain('AcknowledgedChange.DELETE_CLAIM');
  });

  test('lets a namespace without claims go, and a store go when no new store appears', () => {
    const store = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta('db', 'old'), spec: { volumeClaimTemplates: [{ metadata: { name: 'data' } }] } };
    expect(check([{ apiVersion: 'v1', kind: 'Namespace', metadata: meta('empty', null) }], [])).toEqual([]);
    expect(check([store], [])).toEqual([]);
  });
});
