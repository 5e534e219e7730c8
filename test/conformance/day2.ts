/**
 * The day-2 gate (issue 25): on the simulation's cluster (real kube-apiserver,
 * kube-controller-manager, kube-scheduler and kwok nodes, newest Kubernetes version),
 * bootstrap the ApplySet parent, apply a base platform
 * (test/conformance/platforms/day2-base.ts) with the README's pruning command, then a
 * series of everyday changes one at a time, each synthesized anew and applied with the
 * same command. After each: the cluster holds exactly what the new output describes
 * (no member left that the output lost, nothing of the output missing), no grant left
 * behind (kubectl auth can-i), every store claim still Bound and never deleted, every
 * Deployment and StatefulSet available. Then the median seconds of a pruning apply and
 * of a plain one of the same platform.
 *
 *   npx tsx test/conformance/day2.ts              the gate alone; exit 1 when a change fails
 *   npm run conformance                           runs it as a stage on the newest version (--no-day2 skips it)
 */
import * as fs from 'fs';
import * as path from 'path';
import { ensureTools, LoadedObject, loadObjects, makeTemp, manifestFiles, readVersionsEnv, removeTemp, Tools } from './harness';
import { progress, progressLabel } from './processes';
import {
  checkClaims, checkGrants, compareMembers, kubectl, liveMembers, settledMembers, startProvisioner, waitAvailable,
} from './day2-checks';
import { build, DAY2_BASE, DAY2_PLATFORM, DAY2_STORAGE_CLASS, Day2Acknowledgement, Day2Variation } from './platforms/day2-base';
import { AcknowledgedChange, PreviousOutput, synthesize } from '../../lib';
import { ApplySet, APPLYSET_METADATA, checkApplySetMembers } from '../../lib/change/applyset';
import { _YamlEmitter } from '../../lib/internal/yaml';
import { SimCluster, startSimulatedCluster } from '../simulation/cluster';

/** The environment the gate applies (the parent is `day2-gate`). */
const ENVIRONMENT = 'gate';
/** Seconds each wait for available workloads may take. */
const TIMEOUT = 180;

/** One everyday change: what differs from the state before it, and the manual step it needs first, if any. */
interface Change {
  readonly name: string;
  readonly change: Partial<Day2Variation>;
  /** The manual step an operator takes before the apply (what the safe-change check names), as kubectl arguments. */
  readonly manual?: (state: Day2Variation) => string[][];
  /**
   * The safe-change check refuses the change (its message must match `refusal`) until the
   * code acknowledges it, after the manual step.
   */
  readonly refused?: { refusal: RegExp; acknowledge: Day2Acknowledgement };
}

/** The store's claims, as the StatefulSet names them (`<template>-<statefulset>-<ordinal>`). */
const CACHE_CLAIMS = ['data-products-cache-0', 'data-products-cache-1'];

/** The scripted changes, in order; each starts from the state the previous one left. */
export const CHANGES: Change[] = [
  { name: 'image bump (products 1.8.2 -> 1.8.3)', change: { productsTag: '1.8.3' } },
  { name: 'configuration change (products LOG_LEVEL info -> debug)', change: { productsLogLevel: 'debug' } },
  { name: 'service removed (orders/notifications, with its Role and RoleBinding)', change: { notifications: false } },
  { name: 'service moved (reviews: catalog -> orders)', change: { reviewsContext: 'orders' } },
  { name: 'service renamed (catalog/recommendations -> suggestions)', change: { recommendationsName: 'suggestions' } },
  {
    name: 'store resized (products-cache claims 1Gi -> 2Gi, with the manual step)',
    change: { cacheGi: 2 },
    // claim templates are immutable: resize each claim, orphan-delete the StatefulSet (its pods and
    // claims stay), and the apply makes it again with the new template, adopting both
    manual: () => [
      ['-n', 'catalog', 'delete', 'statefulset', 'products-cache', '--cascade=orphan'],
      ...CACHE_CLAIMS.map((claim) => ['-n', 'catalog', 'patch', 'pvc', claim, '-p', '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}']),
    ],
    refused: {
      refusal: /StatefulSet catalog\/products-cache spec\.volumeClaimTemplates\[0\]\.spec\.resources\.requests\.storage.*--cascade=orphan.*patch pvc data-products-cache-0.*RECREATE_STATEFULSET/s,
      acknowledge: {
        context: 'catalog', object: 'StatefulSet catalog/products-cache', change: AcknowledgedChange.RECREATE_STATEFULSET,
        reason: 'the day-2 gate orphan-deleted the StatefulSet and patched both claims to 2Gi before this apply',
      },
    },
  },
  { name: 'autoscaling switched (orders: autoscaler 2-5 -> 3 fixed replicas)', change: { ordersAutoscaled: false } },
  { name: 'team access narrowed (orders operators lose their grant)', change: { ordersOperators: false } },
  { name: 'route removed (/reviews)', change: { reviewsRouted: false } },
  { name: 'route changed (/orders -> /checkout)', change: { ordersPath: '/checkout' } },
  { name: 'gateway host changed (api.day2.example.com -> api.shop.example.com)', change: { host: 'api.shop.example.com' } },
  { name: 'job changed (orders-migrate args)', change: { migrateArgs: ['migrate', 'up', '--lock-timeout=60s'] } },
  { name: 'cron schedule changed (reindex 02:15 -> 03:45)', change: { reindexSchedule: '45 3 * * *' } },
  { name: 'context renamed (orders -> checkout)', change: { ordersContext: 'checkout' } },
  { name: 'autoscaling switched back (orders: 3 fixed replicas -> autoscaler 2-5)', change: { ordersAutoscaled: true } },
];

/** One row of the gate's table. */
export interface Day2Row { name: string; applied: number; pruned: number; seconds: number; failures: string[]; notes: string[]; change?: boolean }

/** The result of the gate. */
export interface Day2Result { rows: Day2Row[]; passed: number; failed: number; changes: number; prunedTotal: number; pruneMedian?: number; plainMedian?: number }

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

/**
 * Runs a command line as the README prints it (`VAR=value kubectl ...`, words without
 * quoting) against the simulated cluster.
 */
async function runLine(c: SimCluster, line: string): Promise<{ code: number; out: string; seconds: number }> {
  const words = line.split(' ');
  const env: NodeJS.ProcessEnv = {};
  while (/^[A-Z_]+=/.test(words[0])) { const [k, v] = words.shift()!.split('='); env[k] = v; }
  if (words.shift() !== 'kubectl') throw new Error(`not a kubectl command line: ${line}`);
  return kubectl(c, words, env);
}

/**
 * The object kubectl's ApplySet prune stopped at when every error it printed is a
 * NotFound on delete (kubectl v1.37 does not ignore one), or undefined.
 */
export function prunedAlready(out: string): string | undefined {
  const errors = out.split('\n').filter((l) => /^error\b/i.test(l));
  if (errors.length !== 1) return undefined;
  const m = /^error: pruning (\S+ \S+): \S+ "[^"]+" not found$/.exec(errors[0].trim());
  return m ? m[1] : undefined;
}

class Gate {
  readonly rows: Day2Row[] = [];
  readonly notes: string[] = [];
  private readonly set: ApplySet;
  private readonly claims = new Map<string, string>();
  private step = 0;

  constructor(private readonly c: SimCluster, version: string, private readonly dir: string) {
    this.set = new ApplySet({ platform: DAY2_PLATFORM, environment: ENVIRONMENT, kubectlVersion: version });
  }

  /** Synthesizes variation `v` into a new step directory; the objects and the directory (relative to the work directory). */
  synth(v: Day2Variation, acks: Day2Acknowledgement[] = []): { rel: string; objects: LoadedObject[] } {
    const rel = `step-${String(this.step).padStart(2, '0')}/`;
    // the safe-change check compares with the step before (none before the base platform)
    const previous = this.step === 0 ? PreviousOutput.NONE : PreviousOutput.fromDirectory(path.join(this.dir, `step-${String(this.step - 1).padStart(2, '0')}`));
    synthesize((app) => { build(app, v, acks); }, { outdir: path.join(this.dir, rel), previous });
    this.step++;
    const objects = loadObjects(manifestFiles(path.join(this.dir, rel)));
    checkApplySetMembers(objects.map((o) => o.obj));
    return { rel, objects };
  }

  async bootstrap(): Promise<string[]> {
    const emitter = new _YamlEmitter();
    fs.writeFileSync(path.join(this.dir, 'applyset-crd.yaml'), emitter.stringify([this.set.crd()]));
    fs.writeFileSync(path.join(this.dir, `${ENVIRONMENT}.applyset.yaml`), emitter.stringify([this.set.parent()]));
    const failures: string[] = [];
    // twice: the second run must change nothing and never conflict
    for (const round of ['bootstrap', 'bootstrap again']) {
      for (const line of this.set.bootstrapCommands('applyset-crd.yaml', `${ENVIRONMENT}.applyset.yaml`)) {
        const r = await this.exec(line);
        progress(`${round}: $ ${line} (${r.seconds.toFixed(1)}s)`);
        if (r.code !== 0) failures.push(`${round}: '${line}' exited ${r.code}: ${r.out.trim().slice(0, 400)}`);
      }
    }
    return failures;
  }

  /**
   * Re-runs the bootstrap after releases: the parent must keep kubectl's record of
   * kinds and namespaces, and stay as it was (same resourceVersion), with no conflict.
   */
  async rebootstrap(): Promise<Day2Row> {
    const row: Day2Row = { name: 'bootstrap re-run after the releases changes nothing', applied: 0, pruned: 0, seconds: 0, failures: [], notes: [] };
    const parent = async (): Promise<{ metadata: { resourceVersion: string; annotations: Record<string, string> } }> =>
      JSON.parse((await kubectl(this.c, ['get', this.set.parentRef, '-o', 'json'])).out) as { metadata: { resourceVersion: string; annotations: Record<string, string> } };
    const before = await parent();
    for (const line of this.set.bootstrapCommands('applyset-crd.yaml', `${ENVIRONMENT}.applyset.yaml`)) {
      const r = await this.exec(line);
      row.seconds += r.seconds;
      if (r.code !== 0 || /conflict/i.test(r.out)) row.failures.push(`'${line}' exited ${r.code}: ${r.out.trim().slice(0, 400)}`);
    }
    const after = await parent();
    if (after.metadata.resourceVersion !== before.metadata.resourceVersion) {
      row.failures.push(`the parent changed (resourceVersion ${before.metadata.resourceVersion} -> ${after.metadata.resourceVersion}): ${JSON.stringify(after.metadata.annotations)}`);
    }
    for (const k of [APPLYSET_METADATA.CONTAINS_GROUP_KINDS, APPLYSET_METADATA.ADDITIONAL_NAMESPACES]) {
      if (!after.metadata.annotations[k]) row.failures.push(`the parent lost kubectl's record ${k}`);
    }
    row.notes.push(`the parent keeps ${after.metadata.annotations[APPLYSET_METADATA.CONTAINS_GROUP_KINDS]?.split(',').length ?? 0} kinds `
      + `and namespaces '${after.metadata.annotations[APPLYSET_METADATA.ADDITIONAL_NAMESPACES]}', resourceVersion ${after.metadata.resourceVersion}`);
    progress(`${row.name}: ${row.failures.length ? 'FAIL' : 'ok'}`);
    this.rows.push(row);
    return row;
  }

  private exec(line: string): Promise<{ code: number; out: string; seconds: number }> {
    return runLine(this.c, line.replace(/ -f (\S+)/g, (_m, f: string) => ` -f ${path.join(this.dir, f)}`));
  }

  /** Applies a step directory with the pruning command and checks the cluster against its output. */
  async applyAndCheck(name: string, step: { rel: string; objects: LoadedObject[] }, previous: LoadedObject[], manual: string[][] = []): Promise<Day2Row> {
    const row: Day2Row = { name, applied: 0, pruned: 0, seconds: 0, failures: [], notes: [] };
    for (const args of manual) {
      const r = await kubectl(this.c, args);
      row.notes.push(`manual step: $ kubectl ${args.map((a) => (/[{" ]/.test(a) ? `'${a}'` : a)).join(' ')} -> ${r.out.trim().split('\n').pop()}`);
      if (r.code !== 0) row.failures.push(`manual step 'kubectl ${args.join(' ')}' exited ${r.code}: ${r.out.trim().slice(0, 300)}`);
    }
    const line = this.set.applyCommand(step.rel);
    let r = await this.exec(line);
    row.seconds = r.seconds;
    row.applied = r.out.split('\n').filter((l) => / serverside-applied$/.test(l)).length;
    row.pruned = r.out.split('\n').filter((l) => / pruned$/.test(l)).length;
    // kubectl's ApplySet prune deletes in map order and stops at the first NotFound: a
    // pruned Namespace may delete a member of it first. The README's remedy: run the
    // same command again (at most twice more here); it must finish the prune.
    for (let again = 1; again <= 2 && r.code !== 0; again++) {
      const raced = prunedAlready(r.out);
      if (!raced) break;
      r = await this.exec(line);
      row.seconds += r.seconds;
      const more = r.out.split('\n').filter((l) => / pruned$/.test(l)).length;
      row.pruned += more;
      row.notes.push(`kubectl stopped at '${raced}' (already deleted with its namespace); the same command run again${r.code === 0 ? ' finished the prune' : ''}: ${more} pruned`);
    }
    if (r.code !== 0) row.failures.push(`'${line}' exited ${r.code}: ${r.out.split('\n').filter((l) => /error|Error|invalid|conflict/i.test(l)).join(' | ').slice(0, 600)}`);
    const members = await settledMembers(this.c, this.set.parentRef, this.set.id, step.objects, TIMEOUT);
    const { orphaned, missing } = compareMembers(step.objects, members.keys);
    for (const k of orphaned) row.failures.push(`orphaned: ${k} is a member the output no longer describes${members.terminating.has(k) ? ` (still being deleted after ${TIMEOUT}s)` : ''}`);
    for (const k of missing) row.failures.push(`missing: ${k} is in the output but not on the cluster`);
    const grants = await checkGrants(this.c, previous, step.objects);
    row.failures.push(...grants.failures);
    row.failures.push(...await waitAvailable(this.c, step.objects, TIMEOUT));
    const claims = await checkClaims(this.c, step.objects, this.claims);
    row.failures.push(...claims.failures);
    row.notes.push(`${members.keys.size} members over ${members.groupKinds.length} kinds and ${members.namespaces.length} namespaces; `
      + `${grants.kept} grants allowed, ${grants.removed} removed ones refused; ${claims.bound} claims Bound`);
    progress(`${name}: ${row.applied} applied, ${row.pruned} pruned in ${row.seconds.toFixed(1)}s; ${row.failures.length ? `${row.failures.length} FAILURES` : 'ok'}`);
    this.rows.push(row);
    return row;
  }

  /**
   * A copy of a step directory whose objects carry the part-of label kubectl's ApplySet
   * adds: a plain server-side apply of it (same field manager) changes no field and no
   * owner, where one of the step directory itself would take the label away.
   */
  private labelled(step: { rel: string; objects: LoadedObject[] }): string {
    const labelled = `${step.rel.replace(/\/$/, '')}-labelled/`;
    fs.mkdirSync(path.join(this.dir, labelled));
    fs.writeFileSync(path.join(this.dir, labelled, 'all.yaml'), new _YamlEmitter().stringify(step.objects.map((o) => {
      const obj = JSON.parse(JSON.stringify(o.obj)) as typeof o.obj;
      obj.metadata = { ...obj.metadata, labels: { ...(obj.metadata?.labels ?? {}), [APPLYSET_METADATA.PART_OF]: this.set.id } };
      return obj;
    })));
    return labelled;
  }

  /**
   * The checks can fail: the change `next` applied WITHOUT --prune (a plain server-side
   * apply) must be reported with the orphans and the grant left behind that `expect`
   * names; then the pruning apply clears them.
   */
  async selfTest(previous: { rel: string; objects: LoadedObject[] }, next: { rel: string; objects: LoadedObject[] }, expect: { orphan: string; grant: RegExp }): Promise<Day2Row> {
    const row: Day2Row = { name: 'self-test: the same change without --prune is reported', applied: 0, pruned: 0, seconds: 0, failures: [], notes: [] };
    const r = await this.exec(`kubectl apply --server-side -R -f ${this.labelled(next)}`);
    row.seconds = r.seconds;
    row.applied = r.out.split('\n').filter((l) => / serverside-applied$/.test(l)).length;
    if (r.code !== 0) row.failures.push(`the plain apply exited ${r.code}: ${r.out.slice(-400)}`);
    const { orphaned } = compareMembers(next.objects, (await liveMembers(this.c, this.set.parentRef, this.set.id)).keys);
    const grants = await checkGrants(this.c, previous.objects, next.objects);
    const left = grants.failures.filter((f) => f.startsWith('left granting:'));
    if (!orphaned.includes(expect.orphan)) row.failures.push(`the orphan ${expect.orphan} was NOT reported (reported: ${orphaned.join(', ') || 'nothing'}): the member check cannot fail`);
    if (!left.some((f) => expect.grant.test(f))) row.failures.push(`the grant left behind (${expect.grant.source}) was NOT reported (reported: ${left.join('; ') || 'nothing'}): the grant check cannot fail`);
    row.notes.push(`reported ${orphaned.length} orphans (${orphaned.slice(0, 4).join(', ')}${orphaned.length > 4 ? ', ...' : ''}) and ${left.length} grants left behind (${left.join('; ').slice(0, 200)})`);
    progress(`${row.name}: ${orphaned.length} orphans, ${left.length} grants left behind reported; ${row.failures.length ? 'FAIL' : 'ok'}`);
    this.rows.push(row);
    return row;
  }

  /** The median seconds of `n` pruning applies and of `n` plain server-side applies of the same, unchanged objects. */
  async measure(step: { rel: string; objects: LoadedObject[] }, n: number): Promise<{ prune: number; plain: number }> {
    const prune: number[] = [];
    const plain: number[] = [];
    // the plain apply carries the part-of label kubectl's ApplySet added, so it changes no field and no owner
    const labelled = this.labelled(step);
    for (let i = 0; i < n; i++) {
      const p = await this.exec(this.set.applyCommand(step.rel));
      if (p.code !== 0) throw new Error(`pruning apply failed: ${p.out.slice(-400)}`);
      prune.push(p.seconds);
      const q = await this.exec(`kubectl apply --server-side -R -f ${labelled}`);
      if (q.code !== 0) throw new Error(`plain apply failed: ${q.out.slice(-400)}`);
      plain.push(q.seconds);
    }
    return { prune: median(prune), plain: median(plain) };
  }
}

/** Runs the gate on a new simulated cluster of `version`; prints its table. */
/**
 * Runs the gate on `version`. `measureApplies` pruning and plain applies of the base
 * platform are timed for the README's cost figures (0, as in `npm run conformance`:
 * no timing, which is a benchmark's job, not a gate's; `tsx test/conformance/day2.ts`
 * times 5).
 */
export async function day2Gate(tools: Tools, version: string, measureApplies = 0): Promise<Day2Result> {
  const dir = makeTemp('cdk8s-ms-day2-');
  const c = await startSimulatedCluster(tools, version, 4, 2, { cpu: 16, memory: 64 * 2 ** 30, ephemeral: 200 * 2 ** 30, pods: 110 });
  const notes: string[] = [];
  const stopProvisioner = startProvisioner(c, notes);
  const gate = new Gate(c, version, dir);
  const result: Day2Result = { rows: [], passed: 0, failed: 0, changes: 0, prunedTotal: 0 };
  try {
    // the cluster's storage class, as a cloud offers one: claims of it may grow
    await c.api.create('/apis/storage.k8s.io/v1/storageclasses', {
      apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: DAY2_STORAGE_CLASS },
      provisioner: 'simulation.cdk8s-microservices.io/none', allowVolumeExpansion: true, reclaimPolicy: 'Retain',
    });
    const boot = await gate.bootstrap();
    let state = DAY2_BASE;
    let previous = gate.synth(state);
    const base = await gate.applyAndCheck(`base platform (${previous.objects.length} objects)`, previous, []);
    base.failures.unshift(...boot);
    if (!base.failures.length && measureApplies > 0) {
      const m = await gate.measure(previous, measureApplies);
      result.pruneMedian = m.prune;
      result.plainMedian = m.plain;
      progress(`base platform: median of ${measureApplies} applies: ${m.prune.toFixed(2)}s pruning, ${m.plain.toFixed(2)}s plain`);
    }
    for (const ch of CHANGES) {
      const next = { ...state, ...ch.change };
      const shown: string[] = [];
      const refusedFirst: string[] = [];
      if (ch.refused) {
        // without the acknowledgement, the synth must refuse the change with the manual step in its message
        try {
          gate.synth(next);
          refusedFirst.push('the safe-change check did NOT refuse it without the acknowledgement');
        } catch (e) {
          const message = (e as Error).message;
          shown.push(`refused at synth, as it must be: ${message.replace(/\s+/g, ' ')}`);
          if (!ch.refused.refusal.test(message)) refusedFirst.push(`refused, but without naming the field, object and manual step (${ch.refused.refusal.source})`);
        }
      }
      let step;
      try {
        step = gate.synth(next, ch.refused ? [ch.refused.acknowledge] : []);
      } catch (e) {
        gate.rows.push({ name: ch.name, applied: 0, pruned: 0, seconds: 0, failures: [...refusedFirst, `synth refused: ${(e as Error).message}`], notes: shown, change: true });
        continue;
      }
      if (ch.refused) shown.push(`made with the manual step below and Acknowledge.change(catalog, '${ch.refused.acknowledge.object}', AcknowledgedChange.${Object.entries(AcknowledgedChange).find(([, v]) => v === ch.refused!.acknowledge.change)?.[0]}, '${ch.refused.acknowledge.reason}')`);
      const row = await gate.applyAndCheck(ch.name, step, previous.objects, ch.manual?.(next));
      row.change = true;
      row.notes.unshift(...shown);
      row.failures.unshift(...refusedFirst);
      state = next;
      previous = step;
    }
    await gate.rebootstrap();
    // the checks can fail: give the operators their grant back, then take it and a service away without --prune
    const widened = { ...state, ordersOperators: true };
    const before = gate.synth(widened);
    await gate.applyAndCheck('self-test setup: team access widened again (orders operators)', before, previous.objects);
    const without = gate.synth({ ...widened, ordersOperators: false, recommendationsName: 'suggestions-v2' });
    await gate.selfTest(before, without, { orphan: 'Deployment.apps/catalog/suggestions', grant: /Group oidc:orders-team-operators may/ });
    await gate.applyAndCheck('self-test: the same change with --prune (operators narrowed, suggestions renamed) is clean', without, before.objects);
  } finally {
    stopProvisioner();
    await c.stop();
    removeTemp(dir);
  }
  result.rows = gate.rows;
  result.failed = gate.rows.filter((r) => r.failures.length).length;
  result.passed = gate.rows.length - result.failed;
  result.changes = gate.rows.filter((r) => r.change).length;
  result.prunedTotal = gate.rows.filter((r) => r.change).reduce((n, r) => n + r.pruned, 0);
  printDay2(result, notes);
  return result;
}

/** Prints the table: per change its name, objects applied and pruned, seconds, and what failed. */
export function printDay2(r: Day2Result, notes: string[] = []): void {
  const lines = ['', '== day 2: a base platform, then everyday changes, each applied with the ApplySet prune command'];
  lines.push(`${'change'.padEnd(78)} ${'applied'.padStart(7)} ${'pruned'.padStart(6)} ${'seconds'.padStart(7)}  result`);
  for (const row of r.rows) {
    lines.push(`${row.name.padEnd(78)} ${String(row.applied).padStart(7)} ${String(row.pruned).padStart(6)} ${row.seconds.toFixed(1).padStart(7)}  ${row.failures.length ? 'FAIL' : 'ok'}`);
    for (const n of row.notes) lines.push(`    ${n}`);
    for (const f of row.failures) lines.push(`    FAIL ${f}`);
  }
  for (const n of notes) lines.push(`note: ${n}`);
  lines.push(`${r.changes} scripted changes after the base platform, ${r.prunedTotal} objects pruned by them (${r.rows.reduce((n, x) => n + x.pruned, 0)} by every apply of the gate, self-test included)`);
  if (r.pruneMedian !== undefined) lines.push(`apply of the base platform, median of the timed applies: ${r.pruneMedian.toFixed(2)}s with --prune --applyset, ${r.plainMedian!.toFixed(2)}s plain server-side`);
  lines.push(`day2: ${r.passed} passed, ${r.failed} failed`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (require.main === module) {
  progressLabel('day2');
  const newest = (readVersionsEnv().KUBERNETES_VERSIONS ?? '').split(/\s+/)[0];
  const tools = ensureTools(undefined, ['etcd', 'simulation']);
  day2Gate(tools, newest, 5).then((r) => process.exit(r.failed ? 1 : 0), (err: Error) => {
    process.stderr.write(`day2: ${err.stack ?? err.message}\n`);
    process.exit(2);
  });
}
