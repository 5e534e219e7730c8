/**
 * The simulation's release phase (issue 21): on a simulated cluster of its own (real
 * kube-apiserver, kube-controller-manager, kube-scheduler, kwok nodes in 3 zones), the
 * steps of release-steps.ts, each synthesized by the library with the step before as its
 * previous output (the safe-change check runs) and applied with the README's ApplySet
 * prune command (`ApplySet.applyCommand`, after its bootstrap), so that the objects a
 * step drops are pruned. The scenario's own checks (scenario.ts) watch every step: the
 * disruption budgets on each pod and workload change, the quota on each update, and at
 * the step's steady state availability, scheduling, spread, priority and HPAs; after each
 * apply the set's members must be exactly the step's output. A step whose track never
 * becomes ready (kwok stage stages/pod-never-ready.yaml) gets the failed-track check
 * (release-checks.ts) instead of waiting for it. One row per step (release-report.ts).
 *
 *   npm run simulate -- --release      the release phase alone (83-97 s warm on a shared 2-core machine)
 */
import * as fs from 'fs';
import * as path from 'path';
import { LoadedObject, loadObjects, makeTemp, manifestFiles, removeTemp, Tools } from '../conformance/harness';
import { progress } from '../conformance/processes';
import { compareMembers, kubectl, settledMembers } from '../conformance/day2-checks';
import { prunedAlready } from '../conformance/day2';
import { PreviousOutput, synthesize } from '../../lib';
import { ApplySet, checkApplySetMembers } from '../../lib/change/applyset';
import { _YamlEmitter } from '../../lib/internal/yaml';
import { SimCluster, startSimulatedCluster } from './cluster';
import { Hpa, NodeSize, Pdb, platformDemand, Pod, podIsActive, podIsHealthy, sizeNodes, Workload } from './model';
import { EndpointSlice, failedTrackVerdict } from './release-checks';
import { ReleaseResult, ReleaseRow } from './release-report';
import {
  buildReleaseStep, objectName, prunedBy, RELEASE_ENVIRONMENT, RELEASE_NAMESPACE, RELEASE_PLATFORM, RELEASE_SELF_TEST_STEPS, RELEASE_SERVICE, RELEASE_STEPS, ReleaseStep,
} from './release-steps';
import { ownPods, Simulation } from './scenario';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const NODES = 6;
const ZONES = 3;
/** seconds the failed-track check waits for the EndpointSlice controller to catch up */
const ENDPOINTS_SECONDS = 15;

export interface ReleasePhaseOptions {
  /** seconds each wait may take */
  timeout: number;
  /** the steps (default RELEASE_STEPS) */
  steps?: readonly ReleaseStep[];
  label?: string;
}

interface Synthesized { step: ReleaseStep; rel: string; objects: LoadedObject[]; pruned: string[]; error?: string }

/** Synthesizes the next step after `out` into `dir/step-NN/`, with the one before as its previous output (the safe-change check runs). */
function synthesizeNext(dir: string, steps: readonly ReleaseStep[], out: Synthesized[]): Synthesized {
  const i = out.length;
  const step = steps[i];
  const rel = `step-${String(i).padStart(2, '0')}/`;
  const previous = i === 0 ? PreviousOutput.NONE : PreviousOutput.fromDirectory(path.join(dir, out[i - 1].rel));
  try {
    synthesize((app) => { buildReleaseStep(app, step); }, { outdir: path.join(dir, rel), previous });
  } catch (e) {
    return { step, rel, objects: [], pruned: [], error: `synth refused the step: ${(e as Error).message.replace(/\s+/g, ' ')}` };
  }
  const objects = loadObjects(manifestFiles(path.join(dir, rel)));
  checkApplySetMembers(objects.map((o) => o.obj));
  return { step, rel, objects, pruned: i === 0 ? [] : prunedBy(out[i - 1].objects.map((o) => o.obj), objects.map((o) => o.obj)) };
}

/** Synthesizes every step, each with the one before as its previous output; stops at the first refused. */
export function synthesizeSteps(dir: string, steps: readonly ReleaseStep[]): Synthesized[] {
  const out: Synthesized[] = [];
  while (out.length < steps.length && !out.some((s) => s.error)) out.push(synthesizeNext(dir, steps, out));
  return out;
}

/** The node size for `synthesized`: NODES - 1 nodes hold every object any of the steps runs, at maximum scale plus surge. */
function nodeSize(synthesized: Synthesized[]): NodeSize {
  const union = new Map(synthesized.flatMap((s) => s.objects.map((o) => [objectName(o.obj), o.obj] as const)));
  return sizeNodes(platformDemand([...union.values()]), NODES);
}

/** Runs a command line as the README prints it (`VAR=value kubectl ...`), files relative to `dir`. */
async function commandLine(c: SimCluster, dir: string, line: string): Promise<{ code: number; out: string; seconds: number }> {
  const words = line.replace(/ -f (\S+)/g, (_m, f: string) => ` -f ${path.join(dir, f)}`).split(' ');
  const env: NodeJS.ProcessEnv = {};
  while (/^[A-Z_]+=/.test(words[0])) { const [k, v] = words.shift()!.split('='); env[k] = v; }
  if (words.shift() !== 'kubectl') throw new Error(`not a kubectl command line: ${line}`);
  return kubectl(c, words, env);
}

/** The failures every row of the scenario's checks gained since `before` (their lengths). */
function newFailures(sim: Simulation, before: Map<string, number>): string[] {
  return [...sim.rows.values()].flatMap((r) => r.failures.slice(before.get(r.check) ?? 0).map((f) => `${r.check}: ${f}`));
}

class ReleasePhase {
  readonly rows: ReleaseRow[] = [];
  budgetEvaluations = 0;
  private readonly set: ApplySet;

  constructor(private readonly c: SimCluster, private readonly sim: Simulation, version: string, private readonly dir: string, private readonly timeout: number) {
    this.set = new ApplySet({ platform: RELEASE_PLATFORM, environment: RELEASE_ENVIRONMENT, kubectlVersion: version });
  }

  /** The ApplySet's bootstrap, as the README runs it once per cluster. */
  async bootstrap(): Promise<string[]> {
    const emitter = new _YamlEmitter();
    fs.writeFileSync(path.join(this.dir, 'applyset-crd.yaml'), emitter.stringify([this.set.crd()]));
    fs.writeFileSync(path.join(this.dir, `${RELEASE_ENVIRONMENT}.applyset.yaml`), emitter.stringify([this.set.parent()]));
    const failures: string[] = [];
    for (const line of this.set.bootstrapCommands('applyset-crd.yaml', `${RELEASE_ENVIRONMENT}.applyset.yaml`)) {
      const r = await commandLine(this.c, this.dir, line);
      if (r.code !== 0) failures.push(`bootstrap '${line}' exited ${r.code}: ${r.out.trim().slice(0, 300)}`);
    }
    return failures;
  }

  private pods(): Pod[] { return this.sim.pods().filter((p) => p.metadata.namespace === RELEASE_NAMESPACE); }
  private deployment(name: string): Workload | undefined {
    return this.sim.workloads('Deployment').find((w) => w.metadata.namespace === RELEASE_NAMESPACE && w.metadata.name === name);
  }

  /** Applies one step and checks it; `previous` is the output before it. */
  async step(s: Synthesized, previous: LoadedObject[]): Promise<ReleaseRow> {
    const started = Date.now();
    const phase = `${s.step.sequence}: ${s.step.name}`;
    const row: ReleaseRow = { sequence: s.step.sequence, step: s.step.name, applied: 0, pruned: 0, pods: 0, ready: 0, seconds: 0, failures: [], notes: [] };
    this.rows.push(row);
    if (s.error) { row.failures.push(s.error); return row; }
    const failing = new Set(s.step.failing ?? []);
    const inOutput = new Set(s.objects.map((o) => objectName(o.obj)));
    const inPrevious = new Set(previous.map((o) => objectName(o.obj)));
    const before = new Map([...this.sim.rows.values()].map((r) => [r.check, r.failures.length]));
    this.sim.setPhase(phase);
    this.sim.useObjects(s.objects);
    // a budget the step removes promises nothing (its track is being deleted, not disrupted), nor
    // one it adds (its track's first pods are starting, none was healthy to lose); a failing
    // track's budget is never met (its pods never become ready): the failed-track check instead
    this.sim.watchBudgets(phase, (pdb: Pdb) => {
      const k = objectName({ ...pdb, kind: 'PodDisruptionBudget' });
      return failing.has(pdb.metadata.name) || !inOutput.has(k) || !inPrevious.has(k);
    });
    const t: [string, number][] = [];
    let lap = Date.now();
    const timed = (what: string): void => { t.push([what, (Date.now() - lap) / 1000]); lap = Date.now(); };

    const line = this.set.applyCommand(s.rel);
    let r = await commandLine(this.c, this.dir, line);
    const count = (out: string, word: string): number => out.split('\n').filter((l) => l.endsWith(` ${word}`)).length;
    row.applied = count(r.out, 'serverside-applied');
    row.pruned = count(r.out, 'pruned');
    const raced = r.code !== 0 ? prunedAlready(r.out) : undefined;
    if (raced) {
      // kubectl stops its prune at a NotFound (the README's remedy: the same command again)
      r = await commandLine(this.c, this.dir, line);
      row.pruned += count(r.out, 'pruned');
      row.notes.push(`kubectl stopped its prune at '${raced}', already deleted; the same command run again: exit ${r.code}`);
    }
    if (r.code !== 0) row.failures.push(`apply: '${line}' exited ${r.code}: ${r.out.split('\n').filter((l) => /error|invalid|conflict/i.test(l)).join(' | ').slice(0, 600)}`);
    if (s.pruned.length) row.notes.push(`pruned by the step: ${s.pruned.join(', ')}`);
    timed('apply');

    // available, on the step's images; a failing track is not waited for
    const hpas = s.objects.filter((o) => o.obj.kind === 'HorizontalPodAutoscaler').map((o) => o.obj as unknown as Hpa);
    const floors = new Map(hpas.map((h) => [`${h.spec.scaleTargetRef.kind}/${h.metadata.namespace}/${h.spec.scaleTargetRef.name}`, h.spec.minReplicas ?? 1]));
    const images = new Map(s.objects.filter((o) => o.obj.kind === 'Deployment').map((o) => [o.ref.name,
      new Map((o.obj as unknown as Workload).spec.template.spec.containers.map((c) => [c.name, c.image]))]));
    const notRolled = (w: Workload): string | undefined => {
      const want = images.get(w.metadata.name);
      if (!want || w.metadata.namespace !== RELEASE_NAMESPACE) return undefined;
      if (w.spec.template.spec.containers.some((c) => want.get(c.name) !== c.image)) return 'template not yet updated';
      const old = ownPods(w, this.pods()).filter((p) => podIsActive(p) && p.spec.containers.some((c) => want.get(c.name) !== c.image));
      return old.length ? `${old.length} pods still run the old image` : undefined;
    };
    const stuck = await this.sim.waitReady(phase, floors, notRolled, (w) => w.metadata.namespace === RELEASE_NAMESPACE && failing.has(w.metadata.name));
    row.failures.push(...stuck.map((x) => `available: ${x}`));
    row.failures.push(...await this.leftovers(s));
    timed('available');
    if (failing.size) { row.failures.push(...await this.failedTrack(failing, floors, row)); timed('failed track'); }

    const budgets = this.sim.stopWatchingBudgets(phase);
    this.budgetEvaluations += budgets.evaluations;
    row.failures.push(...budgets.failures.map((f) => `budgets: ${f}`));
    await this.sim.steadyChecks(stuck);
    const added = s.objects.filter((o) => o.obj.kind === 'HorizontalPodAutoscaler' && !previous.some((p) => objectName(p.obj) === objectName(o.obj)));
    timed('steady checks');
    if (added.length) { await this.sim.checkHpas(); timed('hpa'); }
    row.failures.push(...newFailures(this.sim, before), ...this.sim.quotaExceeded(phase).map((q) => `quota: status.used above hard: ${q}`));

    // the set holds exactly the step's output: what it dropped was pruned
    const members = await settledMembers(this.c, this.set.parentRef, this.set.id, s.objects, this.timeout);
    timed('members');
    const { orphaned, missing } = compareMembers(s.objects, members.keys);
    for (const k of orphaned) row.failures.push(`members: ${k} is left although the step's output dropped it`);
    for (const k of missing) row.failures.push(`members: ${k} is in the step's output but not on the cluster`);
    const pods = this.pods().filter(podIsActive);
    row.pods = pods.length;
    row.ready = pods.filter(podIsHealthy).length;
    row.seconds = (Date.now() - started) / 1000;
    row.notes.push(`${members.keys.size} members; budgets checked on ${budgets.evaluations} pod and workload changes; seconds: ${t.map(([n, x]) => `${n} ${x.toFixed(1)}`).join(', ')}`);
    progress(`release ${phase}: ${row.applied} applied, ${row.pruned} pruned, ${row.ready}/${row.pods} pods ready in ${row.seconds.toFixed(1)}s; ${row.failures.length ? `${row.failures.length} FAILURES` : 'ok'}`);
    return row;
  }

  /** Waits until no pod of a track the step dropped is left (kubectl prunes the Deployment; its pods follow). */
  private async leftovers(s: Synthesized): Promise<string[]> {
    const tracks = new Set(s.objects.filter((o) => o.obj.kind === 'Deployment').map((o) => o.ref.name));
    const left = (): Pod[] => this.pods().filter((p) => !(p.metadata.ownerReferences ?? []).some((o) => o.kind === 'ReplicaSet' && tracks.has(o.name.replace(/-[a-z0-9]+$/, ''))));
    const deadline = Date.now() + this.timeout * 1000;
    while (left().length && Date.now() < deadline) await sleep(250);
    return left().map((p) => `available: Pod/${p.metadata.namespace}/${p.metadata.name} of a pruned track is still there after ${this.timeout}s`);
  }

  /**
   * A step whose tracks in `failing` never become ready: waits until their pods run (the
   * kwok stage applied), each at its autoscaler's floor, and stop changing, then until the failed-track check passes, for
   * at most ENDPOINTS_SECONDS (the EndpointSlice controller trails); its last verdict.
   */
  private async failedTrack(failing: Set<string>, floors: Map<string, number>, row: ReleaseRow): Promise<string[]> {
    const failingPods = (): Pod[] => [...failing].flatMap((n) => { const w = this.deployment(n); return w ? ownPods(w, this.pods()) : []; })
      .filter((p) => podIsActive(p) && p.spec.containers.some((c) => c.image.endsWith('-never-ready')));
    const shape = (): string => failingPods().map((p) => `${p.metadata.name}:${p.status?.phase}`).sort().join(',');
    const deadline = Date.now() + this.timeout * 1000;
    let last = '';
    for (;;) {
      const now = shape();
      const running = failingPods().length > 0 && failingPods().every((p) => p.status?.phase === 'Running')
        // each failing Deployment scaled to its autoscaler's floor, with at least that many pods
        && [...failing].every((n) => {
          const w = this.deployment(n);
          const want = Math.max(1, floors.get(`Deployment/${RELEASE_NAMESPACE}/${n}`) ?? 1);
          return !!w && (w.spec.replicas ?? 1) >= want && ownPods(w, this.pods()).filter(podIsActive).length >= want;
        });
      if (running && now === last) break;
      if (Date.now() > deadline) return [`failed track: the pods of ${[...failing].join(', ')} did not settle within ${this.timeout}s (${now || 'none'})`];
      last = now;
      await sleep(1000);
    }
    const stable = (): Workload | undefined => this.deployment(RELEASE_SERVICE);
    let verdict: string[] = [];
    const until = Date.now() + ENDPOINTS_SECONDS * 1000;
    do {
      const slices = (await this.c.api.list<EndpointSlice>(`/apis/discovery.k8s.io/v1/namespaces/${RELEASE_NAMESPACE}/endpointslices`)).items;
      const st = stable();
      verdict = failedTrackVerdict({
        stable: st ? { ...st, kind: 'Deployment' } : undefined, stablePods: st ? ownPods({ ...st, kind: 'Deployment' }, this.pods()) : [],
        failingPods: failingPods(), slices, stableService: `${RELEASE_SERVICE}-stable`, service: RELEASE_SERVICE,
      });
      if (!verdict.length) break;
      await sleep(1000);
    } while (Date.now() < until);
    const fp = failingPods();
    row.notes.push(`failing: ${fp.length} pods of ${[...failing].join(', ')} Running, ${fp.filter(podIsHealthy).length} Ready `
      + `(${fp[0]?.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? 'no Ready condition'}); their budgets are not held to their promise`);
    return verdict.map((v) => `failed track: ${v}`);
  }
}

/**
 * Runs the release phase on a new simulated cluster, sized so that NODES - 1 nodes hold
 * the largest step; the cluster is stopped at the end.
 */
export async function releasePhase(tools: Tools, version: string, opts: ReleasePhaseOptions): Promise<ReleaseResult> {
  const started = Date.now();
  const steps = opts.steps ?? RELEASE_STEPS;
  const label = opts.label ?? `${steps.length} steps of ${RELEASE_NAMESPACE}/${RELEASE_SERVICE} behind ApiGateway public, applied with the ApplySet prune command`;
  const dir = makeTemp('cdk8s-ms-release-');
  const result: ReleaseResult = { label, rows: [], nodes: '', budgetEvaluations: 0, timings: [] };
  try {
    // the first two steps size the nodes (the stable track and a second one, each at maximum
    // scale plus surge); the others are synthesized while the cluster starts, and must fit it
    const synthesized: Synthesized[] = [];
    while (synthesized.length < Math.min(2, steps.length) && !synthesized.some((s) => s.error)) synthesized.push(synthesizeNext(dir, steps, synthesized));
    const size = nodeSize(synthesized);
    result.nodes = `${NODES} kwok nodes in ${ZONES} zones of ${size.cpu} CPU / ${size.memory / 2 ** 30}Gi / ${size.pods} pods`;
    const starting = startSimulatedCluster(tools, version, NODES, ZONES, size);
    starting.catch(() => undefined); // awaited below
    while (synthesized.length < steps.length && !synthesized.some((s) => s.error)) {
      await new Promise((r) => setImmediate(r)); // the cluster's start goes on between two steps
      synthesized.push(synthesizeNext(dir, steps, synthesized));
    }
    result.timings.push(['synth', (Date.now() - started) / 1000]);
    const all = nodeSize(synthesized);
    progress(`release phase: ${steps.length} steps synthesized (${synthesized.filter((s) => !s.error).length} accepted by the safe-change check); ${result.nodes}`);
    const c = await starting;
    result.timings.push(['cluster start', c.seconds]);
    if (all.cpu > size.cpu || all.memory > size.memory || all.ephemeral > size.ephemeral || all.pods > size.pods) {
      await c.stop();
      throw new Error(`the later steps need larger nodes (${JSON.stringify(all)}) than the first two (${JSON.stringify(size)}): size the nodes from every step`);
    }
    const sim = new Simulation(c, { objects: synthesized[0].objects, label, nodes: NODES, zones: ZONES, size, timeout: opts.timeout, drainTimeout: opts.timeout });
    const phase = new ReleasePhase(c, sim, version, dir, opts.timeout);
    try {
      await sim.startInformers();
      const boot = await phase.bootstrap();
      let previous: LoadedObject[] = [];
      const stepsStart = Date.now();
      for (const s of synthesized) {
        const row = await phase.step(s, previous);
        if (previous.length === 0) row.failures.unshift(...boot);
        previous = s.objects;
      }
      result.timings.push(['steps', (Date.now() - stepsStart) / 1000]);
    } finally {
      sim.stopInformers();
      await c.stop();
    }
    result.rows = phase.rows;
    result.budgetEvaluations = phase.budgetEvaluations;
  } catch (e) {
    result.error = `the release phase could not run: ${(e as Error).message}`;
  } finally {
    removeTemp(dir);
  }
  result.timings.push(['total', (Date.now() - started) / 1000]);
  return result;
}

/** What the self-test's broken step must make the failed-track check report: the stable track, by name. */
export const RELEASE_EXPECTED: { message: RegExp; proves: string }[] = [
  { message: /^failed track: Deployment\/catalog\/products: not available and fully rolled out/, proves: 'a stable Deployment that cannot finish its rollout is reported' },
  { message: /^failed track: Deployment\/catalog\/products: Pod\/catalog\/products-[a-z0-9]+-[a-z0-9]+ is not Ready/, proves: 'a stable pod that is not Ready is reported' },
  { message: /^failed track: EndpointSlice\/catalog\/products-stable-[a-z0-9]+ of Service products-stable lists Pod\/catalog\/products-[a-z0-9]+-[a-z0-9]+, which is not ready/, proves: 'the stable Service listing a pod that is not ready is reported' },
];

/**
 * The failed-track check can fail: RELEASE_SELF_TEST_STEPS on a cluster of their own (a
 * stable 2.0.0, then the stable track itself set to a version that never becomes ready
 * beside a failing canary); the first step must pass, the second must be reported as
 * RELEASE_EXPECTED says.
 */
export async function releaseSelfTest(tools: Tools, version: string): Promise<{ passed: number; failed: number; lines: string[]; result: ReleaseResult }> {
  const result = await releasePhase(tools, version, { timeout: 30, steps: RELEASE_SELF_TEST_STEPS, label: 'self-test: a failing canary beside a broken stable track' });
  const lines: string[] = [];
  let passed = 0;
  let failed = 0;
  const verdict = (ok: boolean, what: string): void => { if (ok) passed++; else failed++; lines.push(`${ok ? 'ok  ' : 'FAIL'} ${what}`); };
  const [base, broken] = result.rows;
  verdict(!!base && !base.failures.length && !result.error, `release: the stable track alone passes every check${base?.failures.length ? ` -- but: ${base.failures.slice(0, 3).join('; ').slice(0, 400)}` : result.error ? ` -- ${result.error}` : ''}`);
  for (const e of RELEASE_EXPECTED) {
    const hit = broken?.failures.find((f) => e.message.test(f));
    verdict(!!hit, `release: failed track fails: ${e.proves}` + (hit ? ` -> ${hit.slice(0, 160)}`
      : ` -- NOT reported; that check cannot fail. It reported: ${broken?.failures.slice(0, 3).join('; ').slice(0, 300) || 'nothing'}`));
  }
  return { passed, failed, lines, result };
}
