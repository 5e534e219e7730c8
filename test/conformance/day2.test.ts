import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PreviousOutput, synthesize } from '../../lib';
import { checkApplySetMembers } from '../../lib/change/applyset';
import { compareMembers, expectedClaims, grantsOf, objectKey } from './day2-checks';
import { CHANGES, prunedAlready } from './day2';
import { loadObjects, manifestFiles } from './harness';
import { build, DAY2_BASE, Day2Variation } from './platforms/day2-base';

/** Synthesizes the base platform and every change in order, as the gate does, without a cluster. */
function steps(): { dir: string; outputs: ReturnType<typeof loadObjects>[]; refusals: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'day2-steps-'));
  const outputs: ReturnType<typeof loadObjects>[] = [];
  const refusals: string[] = [];
  let state: Day2Variation = DAY2_BASE;
  const synth = (i: number, v: Day2Variation, acks = [] as NonNullable<typeof CHANGES[number]['refused']>['acknowledge'][]) => {
    const previous = i === 0 ? PreviousOutput.NONE : PreviousOutput.fromDirectory(path.join(dir, `s${i - 1}`));
    synthesize(app => { build(app, v, acks); }, { outdir: path.join(dir, `s${i}`), previous });
    return loadObjects(manifestFiles(path.join(dir, `s${i}`)));
  };
  outputs.push(synth(0, state));
  for (const [n, ch] of CHANGES.entries()) {
    const next = { ...state, ...ch.change };
    if (ch.refused) {
      try { synth(n + 1, next); } catch (e) { refusals.push((e as Error).message); }
    }
    outputs.push(synth(n + 1, next, ch.refused ? [ch.refused.acknowledge] : []));
    state = next;
  }
  return { dir, outputs, refusals };
}

describe('the day-2 gate\'s changes (synthesized, no cluster)', () => {
  const { dir, outputs, refusals } = steps();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('at least 12 everyday changes, each of which changes the output', () => {
    expect(CHANGES.length).toBeGreaterThanOrEqual(12);
    const bytes = (objs: ReturnType<typeof loadObjects>) => JSON.stringify(objs.map(o => o.obj));
    for (let i = 1; i < outputs.length; i++) {
      expect({ change: CHANGES[i - 1].name, same: bytes(outputs[i]) === bytes(outputs[i - 1]) }).toEqual({ change: CHANGES[i - 1].name, same: false });
    }
  });

  test('no rendered object carries applyset metadata (kubectl would refuse it)', () => {
    for (const objs of outputs) expect(() => checkApplySetMembers(objs.map(o => o.obj))).not.toThrow();
  });

  test('the store resize is refused without its acknowledgement, naming the field, the object and the manual step', () => {
    const refused = CHANGES.filter(c => c.refused);
    expect(refused.map(c => c.name)).toEqual(['store resized (products-cache claims 1Gi -> 2Gi, with the manual step)']);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(refused[0].refused!.refusal);
  });

  test('removing a service drops its objects and its grant from the output; the member comparison names them', () => {
    const i = CHANGES.findIndex(c => c.change.notifications === false) + 1;
    const before = outputs[i - 1];
    const after = outputs[i];
    const { orphaned, missing } = compareMembers(after, new Set(before.map(o => objectKey(o.obj))));
    // orders no longer calls notifications: its address leaves the configuration, a new ConfigMap revision
    expect(missing).toEqual([expect.stringMatching(/^ConfigMap\/orders\/orders-config-[0-9a-f]{10}$/)]);
    expect(orphaned).toEqual(expect.arrayContaining(['Deployment.apps/orders/notifications', 'Service/orders/notifications',
      'Role.rbac.authorization.k8s.io/orders/notifications', 'RoleBinding.rbac.authorization.k8s.io/orders/notifications']));
    const removed = grantsOf(before).filter(g => !grantsOf(after).some(a => a.binding === g.binding));
    expect(removed.map(g => [g.subject.kind, g.subject.name, g.resource])).toEqual([['ServiceAccount', 'notifications', 'leases.coordination.k8s.io']]);
  });

  test('the store\'s claims are named as the StatefulSet names them, with the size of their template', () => {
    expect([...expectedClaims(outputs[0])]).toEqual([['catalog/data-products-cache-0', '1Gi'], ['catalog/data-products-cache-1', '1Gi']]);
    expect([...expectedClaims(outputs[outputs.length - 1]).values()]).toEqual(['2Gi', '2Gi']);
  });

  test('renaming a context moves every namespaced object of it and holds no store claim', () => {
    const i = CHANGES.findIndex(c => c.change.ordersContext === 'checkout') + 1;
    const namespaces = (objs: ReturnType<typeof loadObjects>) => new Set(objs.map(o => o.obj.metadata?.namespace).filter(Boolean));
    expect(namespaces(outputs[i - 1]).has('orders')).toBe(true);
    expect(namespaces(outputs[i]).has('orders')).toBe(false);
    expect([...expectedClaims(outputs[i]).keys()].every(k => k.startsWith('catalog/'))).toBe(true);
  });
});

describe('a prune kubectl stopped at a NotFound', () => {
  const ok = 'namespace/orders pruned\n';
  test('is recognised only when that NotFound is the only error', () => {
    const raced = `${ok}error: pruning Job.batch orders/orders-migrate-254d64b81f: jobs.batch "orders-migrate-254d64b81f" not found\n`;
    expect(prunedAlready(raced)).toBe('Job.batch orders/orders-migrate-254d64b81f');
  });
  test('any other error is not retried', () => {
    expect(prunedAlready(`${ok}error: pruning Job.batch orders/m: jobs.batch "m" is forbidden: User cannot delete\n`)).toBeUndefined();
    expect(prunedAlready(`Error from server (Conflict): conflict\nerror: pruning Job.batch orders/m: jobs.batch "m" not found\n`)).toBeUndefined();
    expect(prunedAlready(ok)).toBeUndefined();
  });
});
