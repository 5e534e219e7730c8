import * as path from 'path';
import { Testing } from 'cdk8s';
import { Acknowledge, AcknowledgedChange, ConfigurationErrors, ErrorCode, PreviousOutput } from '../../lib';
import { thrown } from '../_helpers';
import { change, synth, tempDir } from './_platform';

const RESIZED = 'orphan-deleted the StatefulSet and patched data-orders-db-0 and -1 to 20Gi on 2026-12-06, runbook storage/resize';

describe('Acknowledge.change', () => {
  test('lets an acknowledged change through, and the progress line counts it', () => {
    const { error, lines } = change({}, { size: 20, extra: (_, orders) =>
      Acknowledge.change(orders, 'StatefulSet orders/orders-db', AcknowledgedChange.RECREATE_STATEFULSET, RESIZED) });
    expect(error).toBeUndefined();
    expect(lines.join('')).toContain(': 1 acknowledged change(s);');
  });

  test('fails when the acknowledgement names another change than the one refused: the refusal stands', () => {
    const { error } = change({}, { size: 20, extra: (_, orders) =>
      Acknowledge.change(orders, 'StatefulSet orders/orders-db', AcknowledgedChange.RECREATE, RESIZED) });
    const errors = (error as ConfigurationErrors).errors;
    expect(errors.map(e => e.prop)).toEqual(['StatefulSet orders/orders-db spec.volumeClaimTemplates[0].spec.resources.requests.storage']);
  });

  test('reports an acknowledgement that matches no change (its change is committed already) without failing: names where it is written', () => {
    const { error, lines } = change({}, { extra: (_, orders) =>
      Acknowledge.change(orders, 'StatefulSet orders/orders-db', AcknowledgedChange.RECREATE_STATEFULSET, RESIZED) });
    expect(error).toBeUndefined();
    expect(lines.join('')).toMatch(/^safe change: orders: Acknowledge.change\('StatefulSet orders\/orders-db', AcknowledgedChange.RECREATE_STATEFULSET\) matches no change from .*; the change is in the previous output already: remove the acknowledgement once every environment has applied it\n/);
    expect(lines.join('')).toContain(': 0 acknowledged change(s);');
  });

  test('is not checked without a previous output (a first synth), and the progress line says so', () => {
    const lines = synth(path.join(tempDir(), 'out'), { extra: (_, orders) =>
      Acknowledge.change(orders, 'StatefulSet orders/orders-db', AcknowledgedChange.RECREATE_STATEFULSET, RESIZED) }, PreviousOutput.NONE);
    expect(lines).toEqual(['safe change: no previous output (none: no previous output was asked for); a first synth, nothing to compare; 1 acknowledgement(s) not checked\n']);
  });

  test('returns what it records', () => {
    const chart = Testing.chart();
    expect(Acknowledge.change(chart, 'PriorityClass shop-bulk', AcknowledgedChange.RECREATE, 'deleted by hand')).toEqual(
      { path: chart.node.path, object: 'PriorityClass shop-bulk', change: AcknowledgedChange.RECREATE, reason: 'deleted by hand' });
  });

  test('fails when the reason is empty or missing', () => {
    const chart = Testing.chart();
    expect(thrown(() => Acknowledge.change(chart, 'StatefulSet orders/orders-db', AcknowledgedChange.RECREATE_STATEFULSET, ' ')))
      .toMatchObject({ prop: 'Acknowledge.change(reason)', code: ErrorCode.MISSING_REQUIRED });
    expect(thrown(() => Acknowledge.change(chart, 'StatefulSet orders/orders-db', AcknowledgedChange.RECREATE_STATEFULSET, undefined as never)))
      .toMatchObject({ prop: 'Acknowledge.change(reason)', code: ErrorCode.MISSING_REQUIRED });
  });

  test('fails when the object is not named as a refusal names it', () => {
    const chart = Testing.chart();
    for (const object of ['orders/orders-db', 'statefulset orders/orders-db', 'StatefulSet a/b/c', 'StatefulSet  orders/orders-db']) {
      expect(thrown(() => Acknowledge.change(chart, object, AcknowledgedChange.RECREATE, 'x')).prop).toBe('Acknowledge.change(object)');
    }
  });

  test('fails when the change is not an AcknowledgedChange', () => {
    expect(thrown(() => Acknowledge.change(Testing.chart(), 'PriorityClass shop-bulk', 'recreate' as never, 'x')))
      .toMatchObject({ prop: 'Acknowledge.change(change)', code: ErrorCode.UNKNOWN_OPTION });
  });

  test('fails when the same change of the same object is acknowledged twice', () => {
    const chart = Testing.chart();
    Acknowledge.change(chart, 'PriorityClass shop-bulk', AcknowledgedChange.RECREATE, 'x');
    expect(thrown(() => Acknowledge.change(chart, 'PriorityClass shop-bulk', AcknowledgedChange.RECREATE, 'y')).code).toBe(ErrorCode.DUPLICATE);
  });
});

describe('the safe-change progress lines', () => {
  test('name a dropped namespace and what to do when kubectl stops its prune at "not found"', () => {
    const saved = 'claims copied to sales and volumes set to Retain on 2026-12-06, runbook storage/move';
    const { error, lines } = change({}, { context: 'sales', extra: (_, sales) => {
      Acknowledge.change(sales, 'StatefulSet orders/orders-db', AcknowledgedChange.START_EMPTY_STORE, saved);
      Acknowledge.change(sales, 'Namespace orders', AcknowledgedChange.DELETE_NAMESPACE_WITH_CLAIMS, saved);
    } });
    expect(error).toBeUndefined();
    const all = lines.join('');
    expect(all).toContain('safe change: namespace(s) orders no longer rendered: the next apply with prune deletes each with everything in it; '
      + 'if kubectl stops with \'error: pruning ...: not found\' (an object deleted with its namespace first), run the same apply command again to finish the prune\n');
  });

  test('say nothing of namespaces when every one is still rendered', () => {
    expect(change({}, {}).lines.join('')).not.toContain('no longer rendered');
  });
});
