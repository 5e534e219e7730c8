/**
 * The simulation scenario (issue 14): on a simulated cluster (cluster.ts), apply a
 * directory of manifests in one pass, wait until every workload is available, check
 * scheduling, quota, spread, priority and HPAs, scale to the HPAs' maximum, roll every
 * workload to a changed image while watching the disruption budgets, drain one node with
 * the eviction API, and report one row per check. Workloads are discovered from the
 * cluster (the namespaces the manifests use), so new kinds in dist/ need no change here.
 */
import { LoadedObject, removeTemp, run, splitForKubectl, Tools } from '../conformance/harness';
import { progress } from '../conformance/processes';
import { ApiObject, Informer } from './api';
import { SimCluster, startSimulatedCluster } from './cluster';
import { CheckName, CheckRow, CHECKS, SimulationResult } from './report';
import {
  evaluatePdb, evaluateSpread, formatResource, Hpa, hpaFor, Node, NodeSize, parseQuantity, Pdb, platformDemand, Pod, podCondition,
  podIsActive, podIsHealthy, podIsScheduled, quotaExcess, Quota, rolledImage, selects, sizeNodes, Workload, workloadReady, ZONE,
} from './model';

export interface SimulationOptions {
  /** what to apply (dist/ or a fixture), already loaded */
  objects: LoadedObject[];
  label: string;
  nodes: number;
  zones: number;
  /** node capacity; default: sizeNodes() of the manifests' demand */
  size?: NodeSize;
  /** seconds each wait may take (available, max scale, rollout, rescheduling) */
  timeout: number;
  /** seconds kubectl drain may take */
  drainTimeout: number;
}


const FIELD_MANAGER = '--field-manager=cdk8s-microservices-simulation';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** after kubectl returns, for the watches to deliver what it did (they trail by milliseconds) */
const SETTLE_MS = 500;
const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;
type Obj = ApiObject & { metadata: ApiObject['metadata'] & { uid?: string; labels?: Record<string, string> } };
const key = (o: { kind?: string; metadata: { namespace?: string; name: string } }, kind = o.kind): string => `${kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** A workload's pods: selected by it and controlled by it (a Deployment through its ReplicaSets). */
export function ownPods(w: Workload, pods: Pod[]): Pod[] {
  return pods.filter((p) => p.metadata.namespace === w.metadata.namespace && selects(w.spec.selector, p.metadata.labels)
    && (p.metadata.ownerReferences ?? []).some((r) => (w.kind === 'Deployment'
      ? r.kind === 'ReplicaSet' && r.name.startsWith(`${w.metadata.name}-`) : r.kind === w.kind && r.name === w.metadata.name)));
}

/** The checks, on the cluster's informers; the scenario below, and the release phase (release-phase.ts), drive them. */
export class Simulation {
  readonly rows = new Map<CheckName, CheckRow>(CHECKS.map((c) => [c, { check: c, objects: 0, detail: '', failures: [], warnings: [] }]));
  readonly timings: [string, number][] = [];
  readonly notes: string[] = [];
  private readonly scope: Set<string>;
  private readonly informers = new Map<string, Informer<Obj>>();
  /** the phase whose budgets are watched (rollout-pdb, drain-pdb, a release step), and the budgets it leaves out */
  private pdbPhase?: string;
  private pdbIgnored: (pdb: Pdb) => boolean = () => false;
  /** per phase and budget: the lowest healthy count seen below what it promises */
  private readonly pdbLow = new Map<string, { healthy: number; text: string }>();
  /** per phase: how many cluster states the budgets were evaluated on */
  private readonly pdbEvaluations = new Map<string, number>();
  private readonly quotaSeen = new Map<string, string>();
  private readonly quotaPeak = new Map<string, Map<string, [number, number]>>();
  private readonly provisioned = new Set<string>();
  private readonly completedJobs = new Set<string>();
  private readonly eventsSeen = new Set<string>();
  /** the workloads of the manifests, and the Jobs created from CronJobs: each must show up */
  private expected: string[];
  private objects: LoadedObject[];
  private phase = 'start';
  peakPods = 0;
  podsAfterApply = 0;
  private steadyStates = 0;

  constructor(private readonly c: SimCluster, private readonly opts: SimulationOptions) {
    this.scope = new Set(opts.objects.flatMap((o) => (o.obj.kind === 'Namespace' ? [o.ref.name] : o.ref.namespace ? [o.ref.namespace] : [])));
    this.objects = opts.objects;
    this.expected = this.workloadKeys(opts.objects);
  }

  private workloadKeys(objects: LoadedObject[]): string[] {
    return objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(o.ref.kind)).map((o) => `${o.ref.kind}/${o.ref.namespace ?? ''}/${o.ref.name}`);
  }

  /** The release phase: the objects of its current step (what must show up, what the HPA check reads); the namespaces stay. */
  useObjects(objects: LoadedObject[]): void { this.objects = objects; this.expected = this.workloadKeys(objects); }
  setPhase(phase: string): void { this.phase = phase; }

  /** Watches every budget but the `ignored` ones on each pod and workload change, as during the rollout, under `phase`. */
  watchBudgets(phase: string, ignored: (pdb: Pdb) => boolean = () => false): void { this.pdbPhase = phase; this.pdbIgnored = ignored; this.watchPdbs(); }

  /** Stops watching; the budgets that fell below their promise during `phase`, and on how many changes they were evaluated. */
  stopWatchingBudgets(phase: string): { failures: string[]; evaluations: number } {
    this.pdbPhase = undefined;
    this.pdbIgnored = () => false;
    return { failures: [...this.pdbLow].filter(([k]) => k.startsWith(`${phase}|`)).map(([, v]) => v.text), evaluations: this.pdbEvaluations.get(phase) ?? 0 };
  }

  /** The quota resources seen above hard during `phase`. */
  quotaExceeded(phase: string): string[] { return [...this.quotaSeen.values()].filter((v) => v.startsWith(`${phase}: `)); }

  row(c: CheckName): CheckRow { return this.rows.get(c)!; }
  fail(c: CheckName, msg: string): void { this.row(c).failures.push(`${this.phase}: ${msg}`); }
  warn(c: CheckName, msg: string): void { this.row(c).warnings.push(`${this.phase}: ${msg}`); }
  private inScope(o: Obj): boolean { return this.scope.has(o.metadata.namespace ?? ''); }
  private live<T>(name: string): T[] { return this.informers.get(name)!.list().filter((o) => this.inScope(o)) as unknown as T[]; }
  pods(): Pod[] { return this.live<Pod>('pods'); }
  nodes(): Node[] { return this.informers.get('nodes')!.list() as unknown as Node[]; }
  workloads(...kinds: string[]): Workload[] {
    const all: Workload[] = [];
    for (const [name, kind] of [['deployments', 'Deployment'], ['statefulsets', 'StatefulSet'], ['daemonsets', 'DaemonSet'], ['jobs', 'Job']]) {
      if (!kinds.length || kinds.includes(kind)) all.push(...this.live<Workload>(name).map((w) => ({ ...w, kind })));
    }
    return all;
  }

  async startInformers(): Promise<void> {
    const paths: Record<string, string> = {
      pods: '/api/v1/pods', nodes: '/api/v1/nodes', quotas: '/api/v1/resourcequotas', pvcs: '/api/v1/persistentvolumeclaims',
      deployments: '/apis/apps/v1/deployments', statefulsets: '/apis/apps/v1/statefulsets', daemonsets: '/apis/apps/v1/daemonsets',
      jobs: '/apis/batch/v1/jobs', cronjobs: '/apis/batch/v1/cronjobs', pdbs: '/apis/policy/v1/poddisruptionbudgets',
      hpas: '/apis/autoscaling/v2/horizontalpodautoscalers',
    };
    const onChange: Record<string, (o: Obj) => void> = {
      pods: () => { this.peakPods = Math.max(this.peakPods, this.pods().filter(podIsActive).length); this.watchPdbs(); },
      deployments: () => this.watchPdbs(),
      statefulsets: () => this.watchPdbs(),
      quotas: (o) => this.watchQuota(o as unknown as Quota),
      pvcs: (o) => { this.provision(o).catch((e: Error) => this.notes.push(`PersistentVolume for ${key(o, 'PVC')}: ${e.message}`)); },
      jobs: (o) => { if (workloadReady({ ...(o as unknown as Workload), kind: 'Job' }).ready) this.completedJobs.add(key(o, 'Job')); },
    };
    for (const [name, p] of Object.entries(paths)) {
      const inf = new Informer<Obj>(this.c.api, p, (_t, o) => { if (name === 'nodes' || this.inScope(o)) onChange[name]?.(o); });
      await inf.start();
      this.informers.set(name, inf);
    }
  }

  stopInformers(): void { for (const i of this.informers.values()) i.stop(); }

  /** Called on every pod and workload change while a rollout or drain runs. */
  private watchPdbs(): void {
    if (!this.pdbPhase) return;
    const pods = this.pods();
    const workloads = this.workloads('Deployment', 'StatefulSet');
    this.pdbEvaluations.set(this.pdbPhase, (this.pdbEvaluations.get(this.pdbPhase) ?? 0) + 1);
    for (const pdb of this.live<Pdb>('pdbs').filter((b) => !this.pdbIgnored(b))) {
      const k = key(pdb, 'PodDisruptionBudget');
      const s = evaluatePdb(pdb, pods, workloads);
      const lowKey = `${this.pdbPhase}|${k}`;
      if (s.healthy < s.desiredHealthy && s.healthy < (this.pdbLow.get(lowKey)?.healthy ?? Infinity)) {
        this.pdbLow.set(lowKey, { healthy: s.healthy, text: `${k}: down to ${s.healthy} healthy pods; the budget promises ${s.desiredHealthy} of ${s.expected}` });
      }
    }
  }

  private watchQuota(q: Quota): void {
    const k = key(q, 'ResourceQuota');
    for (const e of quotaExcess(q)) if (!this.quotaSeen.has(`${k}|${e}`)) this.quotaSeen.set(`${k}|${e}`, `${this.phase}: ${k}: ${e}`);
    const peak = this.quotaPeak.get(k) ?? new Map<string, [number, number]>();
    for (const [r, hard] of Object.entries(q.status?.hard ?? {})) {
      const used = q.status?.used?.[r];
      if (used === undefined) continue;
      const u = parseQuantity(used);
      if (u >= (peak.get(r)?.[0] ?? -1)) peak.set(r, [u, parseQuantity(hard)]);
    }
    this.quotaPeak.set(k, peak);
  }

  /** No storage provisioner runs here: a pending claim gets a matching PersistentVolume, bound to it. */
  private async provision(o: Obj): Promise<void> {
    const pvc = o as unknown as { metadata: { name: string; namespace: string; uid: string }; spec: { volumeName?: string; storageClassName?: string; accessModes?: string[]; volumeMode?: string; resources?: { requests?: { storage?: string } } }; status?: { phase?: string } };
    const k = key(o, 'PVC');
    if (pvc.spec.volumeName || pvc.status?.phase === 'Bound' || this.provisioned.has(k)) return;
    this.provisioned.add(k);
    const name = `sim-${pvc.metadata.namespace}-${pvc.metadata.name}`.slice(0, 253).replace(/[^a-z0-9.-]/g, '-');
    await this.c.api.create('/api/v1/persistentvolumes', {
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name, labels: { 'simulation.cdk8s-microservices.io/provisioned': 'true' } },
      spec: {
        capacity: { storage: pvc.spec.resources?.requests?.storage ?? '1Gi' }, accessModes: pvc.spec.accessModes ?? ['ReadWriteOnce'],
        storageClassName: pvc.spec.storageClassName ?? '', volumeMode: pvc.spec.volumeMode ?? 'Filesystem', persistentVolumeReclaimPolicy: 'Retain',
        hostPath: { path: `/var/lib/simulated/${pvc.metadata.namespace}/${pvc.metadata.name}` },
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid },
      },
    });
  }

  /** FailedCreate events not seen before: refused by quota, or by anything else (admission, a missing object). */
  async failedCreates(): Promise<{ quota: { line: string; count: number }[]; conflict: { line: string; count: number }[]; other: { line: string; count: number }[] }> {
    const ev = await this.c.api.list<{ metadata: { uid: string; namespace: string }; involvedObject: { kind: string; name: string }; message: string; count?: number }>(
      '/api/v1/events?fieldSelector=reason%3DFailedCreate');
    const out = { quota: [] as { line: string; count: number }[], conflict: [] as { line: string; count: number }[], other: [] as { line: string; count: number }[] };
    for (const e of ev.items) {
      if (!this.scope.has(e.metadata.namespace) || this.eventsSeen.has(e.metadata.uid)) continue;
      this.eventsSeen.add(e.metadata.uid);
      const line = `${e.involvedObject.kind}/${e.metadata.namespace}/${e.involvedObject.name}: ${e.message.replace(/\s+/g, ' ').slice(0, 400)}`;
      // "Operation cannot be fulfilled on resourcequotas ...: the object has been modified": two
      // controllers updated the quota's usage at once; the losing one retries (a write conflict)
      const bucket = /exceeded quota|must specify limits|status unknown for quota/.test(e.message) ? out.quota
        : /the object has been modified; please apply your changes to the latest version/.test(e.message) ? out.conflict : out.other;
      bucket.push({ line, count: e.count ?? 1 });
    }
    return out;
  }

  // ---------------------------------------------------------------- phases

  async apply(objects: LoadedObject[], what: string): Promise<boolean> {
    const { dir } = splitForKubectl(objects);
    try {
      const r = await run(this.c.kubectl, ['--kubeconfig', this.c.plane.kubeconfig, 'apply', '--server-side', FIELD_MANAGER, '-R', '-f', dir]);
      if (r.code !== 0) {
        const errs = r.out.split('\n').filter((l) => /error|Error|invalid|forbidden/.test(l)).map((l) => l.replace(/"?\/[^"\s]*cdk8s-ms-conformance-split-[^"\s]*"?/g, 'it'));
        this.fail('apply', `${what}: kubectl apply exited ${r.code}: ${(errs.length ? errs : [r.out.slice(-500)]).join(' | ')}`);
        return false;
      }
      progress(`${this.phase}: applied ${what} (${objects.length} objects, server-side, one pass) in ${r.seconds.toFixed(1)}s`);
      await sleep(SETTLE_MS);
      return true;
    } finally {
      removeTemp(dir);
    }
  }

  /**
   * Waits until every workload in scope is ready (workloadReady) and `extra` holds,
   * printing a progress line; returns the workloads that were not, with why.
   */
  async waitReady(what: string, floors: Map<string, number>, extra: (w: Workload) => string | undefined = () => undefined,
    ignored: (w: Workload) => boolean = () => false): Promise<string[]> {
    const start = Date.now();
    let lastLine = '';
    let lastPrint = 0;
    for (;;) {
      const ws = this.workloads();
      const pods = this.pods();
      const jobs = new Set(ws.filter((w) => w.kind === 'Job').map((w) => key(w)));
      const pending: string[] = [];
      for (const w of ws.filter((x) => !ignored(x))) {
        const r = w.kind === 'Job' && this.completedJobs.has(key(w)) ? { ready: true, detail: '' } : workloadReady(w, floors.get(key(w)));
        const more = r.ready ? this.podsBehind(w, pods) ?? extra(w) : undefined;
        if (!r.ready || more) pending.push(`${key(w)}: ${more ?? r.detail}`);
      }
      // Jobs a TTL removed after they completed still count as done
      const gone = [...this.completedJobs].filter((j) => !jobs.has(j)).length;
      // what the manifests hold must be there (the informers may trail kubectl by a moment)
      const live = new Set(ws.map((w) => key(w)));
      const missing = this.expected.filter((k) => !live.has(k) && !this.completedJobs.has(k));
      for (const k of missing) pending.push(`${k}: not in the cluster`);
      const total = ws.filter((x) => !ignored(x)).length + gone + missing.length;
      const active = pods.filter(podIsActive);
      const line = `${what}: ${total - pending.length}/${total} workloads ready; ${active.length} pods `
        + `(${active.filter(podIsHealthy).length} ready, ${active.filter((p) => !podIsScheduled(p)).length} unscheduled, `
        + `${pods.filter((p) => p.metadata.deletionTimestamp).length} terminating)`;
      const elapsed = (Date.now() - start) / 1000;
      if (!pending.length && (total > 0 || ws.length > 0)) { progress(`${line} -- done in ${elapsed.toFixed(1)}s`); return []; }
      if (elapsed > this.opts.timeout) { progress(`${line} -- timed out after ${this.opts.timeout}s`); return pending; }
      if (line !== lastLine || Date.now() - lastPrint > 10_000) { progress(line); lastLine = line; lastPrint = Date.now(); }
      await sleep(250);
    }
  }

  /**
   * The pods themselves, not only the workload's status (which its controller writes a
   * moment later): as many Ready, active pods as it wants, e.g. right after a drain.
   */
  private podsBehind(w: Workload, pods: Pod[]): string | undefined {
    if (w.kind === 'Job') return undefined;
    const want = w.kind === 'DaemonSet' ? Number(w.status?.desiredNumberScheduled ?? 0) : w.spec.replicas ?? 1;
    const own = ownPods(w, pods).filter(podIsActive);
    const ready = own.filter(podIsHealthy).length;
    return ready === want && own.length === want ? undefined : `${ready} of ${own.length} pods Ready, ${want} wanted`;
  }

  /**
   * The checks of a steady state: every pod scheduled, spread, PriorityClass, quota so far.
   * `stuck`: the workloads the phase's wait gave up on (a quota refusal of theirs is a failure).
   */
  async steadyChecks(stuck: string[] = []): Promise<void> {
    const pods = this.pods().filter(podIsActive);
    const nodes = this.nodes();
    const sched = this.row('scheduled');
    sched.objects = Math.max(sched.objects, pods.length);
    this.steadyStates++;
    sched.detail = `every pod bound to a node, checked after ${this.steadyStates} phases`;
    for (const p of pods.filter((x) => !podIsScheduled(x))) {
      const c = podCondition(p, 'PodScheduled');
      this.fail('scheduled', `Pod/${p.metadata.namespace}/${p.metadata.name} not scheduled${c?.message ? `: ${c.message}` : ''}`);
    }
    const spread = this.row('spread');
    const ws = this.workloads('Deployment', 'StatefulSet');
    // a soft constraint (ScheduleAnyway) is held to maxSkew while every node is schedulable;
    // with a node drained the zones' capacity differs and only hard constraints must hold
    const cordoned = nodes.filter((n) => n.spec?.unschedulable).map((n) => n.metadata.name);
    spread.objects = Math.max(spread.objects, ws.length);
    spread.detail = `${ws.reduce((n, w) => n + (w.spec.template.spec.topologySpreadConstraints ?? []).length, 0)} constraints, skew counted after ${this.steadyStates} phases`;
    for (const w of ws) {
      const ns = pods.filter((p) => p.metadata.namespace === w.metadata.namespace);
      const own = ns.filter((p) => selects(w.spec.selector, p.metadata.labels));
      for (const r of evaluateSpread(w.spec.template, own, ns, nodes)) {
        if (r.skew <= r.constraint.maxSkew) continue;
        const msg = `${key(w)}: ${r.constraint.topologyKey} (${r.constraint.whenUnsatisfiable}) skew ${r.skew} > maxSkew ${r.constraint.maxSkew}: `
          + `${Object.entries(r.counts).map(([d, n]) => `${d}=${n}`).join(' ')}${r.group ? ` [${r.group}]` : ''}`;
        if (r.constraint.whenUnsatisfiable === 'ScheduleAnyway' && cordoned.length) this.warn('spread', `${msg} (a soft constraint, with ${cordoned.join(', ')} cordoned)`);
        else this.fail('spread', msg);
      }
    }
    const classes = new Map((await this.c.api.list<{ metadata: { name: string }; value: number }>('/apis/scheduling.k8s.io/v1/priorityclasses')).items.map((c) => [c.metadata.name, c.value]));
    const prio = this.row('priority');
    prio.objects = Math.max(prio.objects, pods.length);
    prio.detail = `PriorityClasses ${[...classes].filter(([n]) => !n.startsWith('system-')).map(([n, v]) => `${n}=${v}`).join(', ')}`;
    for (const p of pods) {
      const name = p.spec.priorityClassName;
      const id = `Pod/${p.metadata.namespace}/${p.metadata.name}`;
      if (!name) this.fail('priority', `${id} has no priorityClassName (priority ${p.spec.priority ?? 0}): it is preempted before every platform tier`);
      else if (!classes.has(name)) this.fail('priority', `${id}: PriorityClass ${name} does not exist`);
      else if (p.spec.priority !== classes.get(name)) this.fail('priority', `${id}: priority ${p.spec.priority}, PriorityClass ${name} has ${classes.get(name)}`);
    }
    const ev = await this.failedCreates();
    // a refusal the controllers recovered from (the workload became ready) slowed the phase;
    // one of a workload that never did is a failure: the quota does not hold it
    const stuckKeys = stuck.map((x) => x.split(':')[0]);
    const ownerOf = (line: string): string => {
      const m = /^(\w+)\/([^/]+)\/([^:]+):/.exec(line)!;
      return m[1] === 'ReplicaSet' ? `Deployment/${m[2]}/${m[3].replace(/-[a-z0-9]+$/, '')}` : `${m[1]}/${m[2]}/${m[3]}`;
    };
    for (const q of ev.quota) {
      const owner = ownerOf(q.line);
      if (stuckKeys.includes(owner)) this.fail('quota', `refused, and ${owner} never became ready: ${q.line}`);
      else this.warn('quota', `refused until pods were gone (${q.count}x), then recovered: ${q.line}`);
    }
    for (const c of ev.conflict) {
      const owner = ownerOf(c.line);
      if (stuckKeys.includes(owner)) this.fail('available', `pod creation refused, and ${owner} never became ready: ${c.line}`);
      else this.warn('available', `a write conflict on the quota, retried by the controller (${c.count}x): ${c.line}`);
    }
    for (const o of ev.other) this.fail('available', `pod creation refused: ${o.line}`);
  }

  /** HPAs: the target exists and can be scaled, replicas within bounds; a Deployment without replicas has one. */
  async checkHpas(): Promise<void> {
    type LiveHpa = Hpa & { status?: { conditions?: { type: string; status: string; reason?: string }[] } };
    // the HPA controller tries the metrics API once the target is within min..max: wait for
    // that attempt (condition ScalingActive), so the report says what it found
    // (an HPA that cannot even read its target never gets that far)
    const tried = (h: LiveHpa): boolean => !!h.status?.conditions?.some((c) => c.type === 'ScalingActive' || (c.type === 'AbleToScale' && c.status === 'False'));
    for (let i = 0; i < 60 && !this.live<LiveHpa>('hpas').every(tried); i++) await sleep(250);
    const hpas = this.live<LiveHpa>('hpas');
    const row = this.row('hpa');
    row.objects = hpas.length;
    const reasons = new Set<string>();
    for (const h of hpas) {
      const t = h.spec.scaleTargetRef;
      const res = { Deployment: 'deployments', StatefulSet: 'statefulsets', ReplicaSet: 'replicasets' }[t.kind];
      const id = key(h, 'HorizontalPodAutoscaler');
      if (!res) { this.notes.push(`${id}: scale target kind ${t.kind} not checked`); continue; }
      try {
        const scale = await this.c.api.get<{ spec: { replicas: number } }>(`/apis/apps/v1/namespaces/${h.metadata.namespace}/${res}/${t.name}/scale`);
        const min = h.spec.minReplicas ?? 1;
        if (scale.spec.replicas < min || scale.spec.replicas > h.spec.maxReplicas) {
          this.fail('hpa', `${id}: ${t.kind}/${t.name} runs ${scale.spec.replicas} replicas, outside ${min}..${h.spec.maxReplicas}`);
        }
      } catch (e) {
        this.fail('hpa', `${id}: scale target ${t.kind}/${t.name} cannot be read: ${(e as Error).message}`);
        continue;
      }
      const able = h.status?.conditions?.find((c) => c.type === 'AbleToScale');
      if (able && able.status !== 'True') this.fail('hpa', `${id}: AbleToScale ${able.status} (${able.reason})`);
      const active = h.status?.conditions?.find((c) => c.type === 'ScalingActive');
      if (active && active.status !== 'True' && active.reason) reasons.add(active.reason);
    }
    for (const o of this.objects) {
      if ((o.obj.kind === 'Deployment' || o.obj.kind === 'StatefulSet') && (o.obj.spec as { replicas?: number }).replicas === undefined
        && !hpaFor({ kind: o.obj.kind, metadata: { name: o.ref.name, namespace: o.ref.namespace } }, hpas)) {
        this.fail('hpa', `${key({ kind: o.ref.kind, metadata: { name: o.ref.name, namespace: o.ref.namespace } })} has no spec.replicas and no HPA: it runs 1 replica`);
      }
    }
    row.detail = `no metrics API: utilization targets not evaluated${reasons.size ? ` (ScalingActive False: ${[...reasons].join(', ')})` : ''}; min/max enforced`;
  }

  // ---------------------------------------------------------------- the scenario

  async run(): Promise<void> {
    const t = (name: string, since: number): void => { this.timings.push([name, (Date.now() - since) / 1000]); };
    const objects = this.opts.objects;
    const hpas = objects.filter((o) => o.obj.kind === 'HorizontalPodAutoscaler').map((o) => o.obj as unknown as Hpa);
    const floor = (max: boolean): Map<string, number> => new Map(hpas.map((h) => [
      `${h.spec.scaleTargetRef.kind}/${h.metadata.namespace}/${h.spec.scaleTargetRef.name}`, max ? h.spec.maxReplicas : h.spec.minReplicas ?? 1]));
    await this.startInformers();

    // 1. one server-side apply of everything; CronJobs: one Job each, from their template
    this.phase = 'apply';
    let since = Date.now();
    this.row('apply').objects = objects.length;
    if (!await this.apply(objects, this.opts.label)) {
      for (const r of this.rows.values()) if (r.check !== 'apply') r.detail = 'not run: the apply failed';
      return;
    }
    for (const cj of this.live<Workload>('cronjobs')) {
      const name = `${cj.metadata.name}-simulated`.slice(0, 52);
      const r = await run(this.c.kubectl, ['--kubeconfig', this.c.plane.kubeconfig, '-n', cj.metadata.namespace!, 'create', 'job', name, `--from=cronjob/${cj.metadata.name}`]);
      if (r.code !== 0) this.fail('available', `${key(cj, 'CronJob')}: a Job from its template could not be created: ${r.out.trim()}`);
      else {
        this.expected.push(`Job/${cj.metadata.namespace}/${name}`);
        this.notes.push(`${key(cj, 'CronJob')}: not fired on its schedule; Job ${cj.metadata.namespace}/${name} created from its template instead`);
      }
    }
    t('apply', since);

    // 2. available: every Deployment, StatefulSet and DaemonSet available, every Job complete
    this.phase = 'available';
    since = Date.now();
    const stuck = await this.waitReady('available', floor(false));
    for (const s of stuck) this.fail('available', s);
    const avail = this.row('available');
    avail.objects = this.workloads().length;
    const pods0 = this.pods().filter(podIsActive);
    avail.detail = `${pods0.length} pods on ${new Set(pods0.map((p) => p.spec.nodeName).filter(Boolean)).size} nodes`;
    this.podsAfterApply = pods0.length;
    t('available', since);
    await this.steadyChecks(stuck);
    await this.checkHpas();

    // 3. maximum scale: every HPA's minReplicas raised to its maxReplicas (a copy of the manifests)
    this.phase = 'max-scale';
    since = Date.now();
    const maxed = objects.map((o) => (o.obj.kind === 'HorizontalPodAutoscaler'
      ? { ...o, obj: { ...clone(o.obj), spec: { ...(o.obj.spec as object), minReplicas: (o.obj as unknown as Hpa).spec.maxReplicas } } } : o));
    const ms = this.row('max-scale');
    ms.objects = hpas.length;
    if (await this.apply(maxed, `${this.opts.label} with every HPA at maxReplicas`)) {
      const st = await this.waitReady('max-scale', floor(true));
      for (const s of st) this.fail('max-scale', s);
      await this.steadyChecks(st);
    }
    ms.detail = `${this.pods().filter(podIsActive).length} pods`;
    t('max-scale', since);

    // 4. rollout: every workload's images changed, applied at once; budgets watched throughout
    this.phase = 'rollout';
    since = Date.now();
    const images = new Map<string, Map<string, string>>();
    const rolled = maxed.map((o) => {
      const spec = o.obj.kind === 'CronJob' ? (o.obj.spec as Workload['spec']).jobTemplate?.spec.template.spec
        : ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.obj.kind ?? '') ? (o.obj.spec as Workload['spec']).template.spec : undefined;
      if (!spec) return o; // a Job's template is immutable: Jobs are not rolled
      const copy = clone(o.obj);
      const s = copy.kind === 'CronJob' ? (copy.spec as Workload['spec']).jobTemplate!.spec.template.spec : (copy.spec as Workload['spec']).template.spec;
      const m = new Map<string, string>();
      for (const ctr of [...s.containers, ...(s.initContainers ?? [])]) { ctr.image = rolledImage(ctr.image); m.set(ctr.name, ctr.image); }
      images.set(`${copy.kind}/${o.ref.namespace ?? ''}/${o.ref.name}`, m);
      return { ...o, obj: copy };
    });
    const ro = this.row('rollout');
    ro.objects = [...images.keys()].filter((k) => !k.startsWith('CronJob/')).length;
    this.pdbPhase = 'rollout-pdb';
    this.watchPdbs();
    const peakBefore = this.peakPods;
    this.peakPods = 0;
    if (await this.apply(rolled, `${this.opts.label} with every image changed`)) {
      const notRolled = (w: Workload): string | undefined => {
        const want = images.get(key(w));
        if (!want) return undefined;
        const live = [...w.spec.template.spec.containers, ...(w.spec.template.spec.initContainers ?? [])];
        if (live.some((c) => want.get(c.name) !== c.image)) return 'template not yet updated';
        const old = ownPods(w, this.pods()).filter((p) => podIsActive(p) && p.spec.containers.some((c) => want.has(c.name) && want.get(c.name) !== c.image));
        return old.length ? `${old.length} pods still run the old image` : undefined;
      };
      const st = await this.waitReady('rollout', floor(true), notRolled);
      for (const s of st) this.fail('rollout', s);
      await this.steadyChecks(st);
    }
    this.pdbPhase = undefined;
    ro.detail = `peak ${this.peakPods} pods while rolling`;
    this.peakPods = Math.max(this.peakPods, peakBefore);
    this.closePdbRow('rollout-pdb');
    t('rollout', since);

    // 5. drain the busiest node with the eviction API; budgets watched throughout
    this.phase = 'drain';
    since = Date.now();
    const onNode = (n: string): Pod[] => this.pods().filter((p) => podIsActive(p) && p.spec.nodeName === n
      && !(p.metadata.ownerReferences ?? []).some((r) => r.kind === 'DaemonSet'));
    const target = this.nodes().map((n) => n.metadata.name).sort().reduce((best, n) => (onNode(n).length > onNode(best).length ? n : best));
    const zone = this.nodes().find((n) => n.metadata.name === target)!.metadata.labels![ZONE];
    const evicted = onNode(target);
    const dr = this.row('drain');
    dr.objects = evicted.length;
    this.pdbPhase = 'drain-pdb';
    this.watchPdbs();
    progress(`drain: kubectl drain ${target} (${zone}, ${evicted.length} pods) --ignore-daemonsets --delete-emptydir-data --timeout=${this.opts.drainTimeout}s`);
    const d = await run(this.c.kubectl, ['--kubeconfig', this.c.plane.kubeconfig, 'drain', target, '--ignore-daemonsets', '--delete-emptydir-data',
      `--timeout=${this.opts.drainTimeout}s`], { timeoutMs: (this.opts.drainTimeout + 30) * 1000 });
    await sleep(SETTLE_MS);
    this.pdbPhase = undefined;
    if (d.code !== 0) {
      const why = [...new Set(d.out.split('\n').filter((l) => /^error|Cannot evict|timed out|disruption budget/i.test(l)).map((l) => l.trim()))].slice(0, 8);
      this.fail('drain', `kubectl drain ${target} exited ${d.code} after ${d.seconds.toFixed(0)}s: ${(why.length ? why : [d.out.slice(-400)]).join(' | ')}`);
    }
    for (const p of onNode(target)) this.fail('drain', `Pod/${p.metadata.namespace}/${p.metadata.name} is still on ${target}`);
    dr.detail = `${target} in ${zone}: ${evicted.length} pods evicted in ${d.seconds.toFixed(1)}s`;
    this.closePdbRow('drain-pdb');
    t('drain', since);

    // 6. rescheduled: every workload available again, nothing on the drained node, spread kept
    this.phase = 'rescheduled';
    since = Date.now();
    const rst = await this.waitReady('rescheduled', floor(true));
    for (const s of rst) this.fail('rescheduled', s);
    const after = this.pods().filter(podIsActive);
    const res = this.row('rescheduled');
    res.objects = evicted.length;
    const zones = new Map<string, number>();
    const nodeZone = new Map(this.nodes().map((n) => [n.metadata.name, n.metadata.labels![ZONE]]));
    const evictedUids = new Set(evicted.map((p) => p.metadata.uid));
    for (const p of after) {
      if (evictedUids.has(p.metadata.uid)) this.fail('rescheduled', `Pod/${p.metadata.namespace}/${p.metadata.name} was not evicted from ${target}`);
      else if (p.spec.nodeName === target && !(p.metadata.ownerReferences ?? []).some((r) => r.kind === 'DaemonSet')) {
        this.fail('rescheduled', `Pod/${p.metadata.namespace}/${p.metadata.name} scheduled on the cordoned ${target}`);
      }
      if (p.spec.nodeName && !p.metadata.ownerReferences?.some((r) => r.kind === 'DaemonSet')) {
        zones.set(nodeZone.get(p.spec.nodeName) ?? '?', (zones.get(nodeZone.get(p.spec.nodeName) ?? '?') ?? 0) + 1);
      }
    }
    await this.steadyChecks(rst);
    res.detail = `pods per zone now ${[...zones].sort().map(([z, n]) => `${z}=${n}`).join(' ')}`;
    t('rescheduled', since);
    this.closeQuotaRow();
  }

  private closePdbRow(c: 'rollout-pdb' | 'drain-pdb'): void {
    const row = this.row(c);
    row.objects = this.live<Pdb>('pdbs').length;
    for (const [k, v] of this.pdbLow) if (k.startsWith(`${c}|`)) row.failures.push(v.text);
    row.detail = `every budget checked on each of ${this.pdbEvaluations.get(c) ?? 0} pod and workload changes`;
  }

  private closeQuotaRow(): void {
    const row = this.row('quota');
    row.objects = this.quotaPeak.size;
    for (const v of this.quotaSeen.values()) row.failures.push(`status.used above hard: ${v}`);
    const peaks: string[] = [];
    for (const [k, m] of [...this.quotaPeak].sort()) {
      const ns = k.split('/')[1];
      const show = ['pods', 'requests.cpu', 'requests.memory'].filter((r) => m.has(r)).map((r) => `${r} ${formatResource(r, m.get(r)![0])}/${formatResource(r, m.get(r)![1])}`);
      peaks.push(`${ns}: ${show.join(', ')}`);
    }
    row.detail = peaks.length ? `peak used/hard: ${peaks.join('; ')}` : 'no ResourceQuota';
  }
}

/** Runs the whole scenario on a fresh simulated cluster, which is stopped at the end. */
export async function simulate(tools: Tools, version: string, opts: SimulationOptions): Promise<SimulationResult> {
  const demand = platformDemand(opts.objects.map((o) => o.obj));
  const size = opts.size ?? sizeNodes(demand, opts.nodes);
  progress(`${opts.label}: ${opts.objects.length} objects; at most ${demand.pods} pods at once (every workload at maximum scale plus surge); `
    + `${opts.nodes} nodes of ${size.cpu} CPU, ${size.memory / 2 ** 30}Gi memory, ${size.ephemeral / 2 ** 30}Gi ephemeral storage, ${size.pods} pods`
    + `${opts.size ? '' : ` (sized so ${Math.max(1, opts.nodes - 1)} nodes hold it)`}`);
  const started = Date.now();
  const cluster = await startSimulatedCluster(tools, version, opts.nodes, opts.zones, size);
  const sim = new Simulation(cluster, opts);
  sim.timings.push(['cluster start', cluster.seconds]);
  try {
    await sim.run();
  } finally {
    sim.stopInformers();
    await cluster.stop();
  }
  sim.timings.push(['total', (Date.now() - started) / 1000]);
  return {
    label: opts.label, rows: [...sim.rows.values()], timings: sim.timings, size, nodes: opts.nodes, pods: sim.podsAfterApply,
    peakPods: sim.peakPods, notes: sim.notes,
  };
}
