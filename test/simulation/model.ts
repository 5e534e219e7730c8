/**
 * The simulation's pure logic (issue 14): what a check decides, given Kubernetes objects
 * as the API server returns them. No I/O here, so each rule is tested in `npm test`
 * (model.test.ts) with objects that pass and objects that fail.
 *
 *  - quantities, label and node selectors, tolerations
 *  - pod requests (LimitRange defaults included), the platform's demand, node sizing
 *  - PodDisruptionBudget: how many pods it promises to keep, how many are healthy
 *  - topology spread: the skew of each constraint, as kube-scheduler counts it
 *  - ResourceQuota: used above hard
 *  - workload availability and rollout completion, the rolled image
 */

// ------------------------------------------------------------------ shapes (the fields used)

export interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
  ownerReferences?: { kind: string; name: string; uid?: string; controller?: boolean }[];
}
export interface Requirement { key: string; operator: string; values?: string[] }
export interface LabelSelector { matchLabels?: Record<string, string>; matchExpressions?: Requirement[] }
export interface Resources { requests?: Record<string, string | number>; limits?: Record<string, string | number> }
export interface Container { name: string; image: string; resources?: Resources; restartPolicy?: string }
export interface Toleration { key?: string; operator?: string; value?: string; effect?: string }
export interface Taint { key: string; value?: string; effect: string }
export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: string;
  labelSelector?: LabelSelector;
  matchLabelKeys?: string[];
  minDomains?: number;
  nodeAffinityPolicy?: string;
  nodeTaintsPolicy?: string;
}
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: { matchExpressions?: Requirement[] }[] } } };
  tolerations?: Toleration[];
  topologySpreadConstraints?: SpreadConstraint[];
  priorityClassName?: string;
  priority?: number;
}
export interface PodTemplate { metadata?: { labels?: Record<string, string> }; spec: PodSpec }
export interface Condition { type: string; status: string; reason?: string; message?: string }
export interface Pod {
  metadata: Meta;
  spec: PodSpec;
  status?: { phase?: string; conditions?: Condition[] };
}
export interface Node {
  metadata: Meta;
  spec?: { unschedulable?: boolean; taints?: Taint[] };
  status?: { conditions?: Condition[]; allocatable?: Record<string, string> };
}
export type IntOrString = number | string;
export interface Workload {
  apiVersion?: string;
  kind: string;
  metadata: Meta;
  spec: {
    replicas?: number;
    selector?: LabelSelector;
    template: PodTemplate;
    strategy?: { type?: string; rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString } };
    parallelism?: number;
    completions?: number;
    jobTemplate?: { spec: { parallelism?: number; template: PodTemplate } };
  };
  status?: Record<string, unknown> & { conditions?: Condition[] };
}
export interface Pdb { metadata: Meta; spec: { minAvailable?: IntOrString; maxUnavailable?: IntOrString; selector?: LabelSelector } }
export interface Hpa { metadata: Meta; spec: { minReplicas?: number; maxReplicas: number; scaleTargetRef: { apiVersion?: string; kind: string; name: string } } }
export interface Quota { metadata: Meta; spec?: { hard?: Record<string, string> }; status?: { hard?: Record<string, string>; used?: Record<string, string> } }
export interface LimitRange { metadata: Meta; spec: { limits: { type: string; default?: Record<string, string>; defaultRequest?: Record<string, string> }[] } }

/** What the loaded manifests hold: `kind` and `metadata` at least. */
export interface Manifest { apiVersion?: string; kind?: string; metadata?: Partial<Meta>; [k: string]: unknown }

// ------------------------------------------------------------------ quantities and selectors

const SUFFIX: Record<string, number> = {
  '': 1, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18,
  'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60,
};

/** A Kubernetes quantity ("250m", "384Mi", "1.5", "2e3") as a number of base units. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = /^([+-]?\d+(?:\.\d+)?|[+-]?\.\d+)(?:([eE][+-]?\d+)|(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?)$/.exec(q.trim());
  if (!m) throw new Error(`'${q}' is not a Kubernetes quantity`);
  return Number(m[1]) * (m[2] ? 10 ** Number(m[2].slice(1)) : SUFFIX[m[3] ?? '']);
}

/** How a resource reads in a message: CPU in cores/millicores, bytes in Mi/Gi, counts as they are. */
export function formatResource(resource: string, n: number): string {
  if (/(^|\.)cpu$/.test(resource)) return n < 1 ? `${Math.round(n * 1000)}m` : `${+n.toFixed(3)}`;
  if (/memory|storage/.test(resource)) return n >= 2 ** 30 ? `${+(n / 2 ** 30).toFixed(2)}Gi` : `${+(n / 2 ** 20).toFixed(1)}Mi`;
  return `${n}`;
}

function requirementMatches(labels: Record<string, string>, r: Requirement): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case 'In': return has && (r.values ?? []).includes(labels[r.key]);
    case 'NotIn': return !has || !(r.values ?? []).includes(labels[r.key]);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    case 'Gt': return has && Number(labels[r.key]) > Number((r.values ?? [])[0]);
    case 'Lt': return has && Number(labels[r.key]) < Number((r.values ?? [])[0]);
    default: throw new Error(`unknown selector operator '${r.operator}'`);
  }
}

/** A label selector as the API means it: absent selects nothing, `{}` selects everything. */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => l[k] === v)
    && (selector.matchExpressions ?? []).every((r) => requirementMatches(l, r));
}

/** An IntOrString scaled against a total, as Kubernetes does (percentages rounded up or down). */
export function scaled(v: IntOrString | undefined, total: number, roundUp: boolean, dflt: IntOrString): number {
  const x = v ?? dflt;
  if (typeof x === 'number') return x;
  const m = /^(\d+)%$/.exec(x);
  if (!m) return Number(x);
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** The taint spec.unschedulable stands for (kube-scheduler treats a cordoned node so). */
const CORDON: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export function nodeTaints(node: Node): Taint[] {
  const t = [...(node.spec?.taints ?? [])];
  if (node.spec?.unschedulable && !t.some((x) => x.key === CORDON.key)) t.push(CORDON);
  return t;
}

export function tolerates(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => (!t.effect || t.effect === taint.effect)
    && (t.operator === 'Exists' ? (!t.key || t.key === taint.key) : t.key === taint.key && (t.value ?? '') === (taint.value ?? '')));
}

/** The pod's nodeSelector and required node affinity hold on this node. */
export function nodeAffinityMatches(spec: PodSpec, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  if (!Object.entries(spec.nodeSelector ?? {}).every(([k, v]) => labels[k] === v)) return false;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return !terms || terms.some((t) => (t.matchExpressions ?? []).every((r) => requirementMatches(labels, r)));
}

// ------------------------------------------------------------------ pods

export function podCondition(pod: Pod, type: string): Condition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

/** Counts for quota, spread and budgets: not terminating, not finished. */
export function podIsActive(pod: Pod): boolean {
  return !pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

/** Bound to a node (the scheduler's decision; PodScheduled False means it could not). */
export function podIsScheduled(pod: Pod): boolean {
  return !!pod.spec.nodeName;
}

/** Healthy as the disruption controller counts it: active and Ready. */
export function podIsHealthy(pod: Pod): boolean {
  return podIsActive(pod) && podCondition(pod, 'Ready')?.status === 'True';
}

export interface Requests { cpu: number; memory: number; ephemeral: number }

type Defaults = { request?: Record<string, string>; limit?: Record<string, string> };

/** The LimitRange container defaults of each namespace, from manifests. */
export function limitRangeDefaults(objects: Manifest[]): Map<string, Defaults> {
  const out = new Map<string, Defaults>();
  for (const o of objects) {
    if (o.kind !== 'LimitRange' || !o.metadata?.namespace) continue;
    const c = (o as unknown as LimitRange).spec.limits.find((l) => l.type === 'Container');
    if (c) out.set(o.metadata.namespace, { request: c.defaultRequest ?? c.default, limit: c.default });
  }
  return out;
}

/**
 * What a pod requests once admitted: a container's request, else its limit (API
 * defaulting), else its namespace's LimitRange default; init containers as the scheduler
 * counts them (the larger of the app containers plus sidecars and each init container).
 */
export function podRequests(spec: PodSpec, defaults?: Defaults): Requests {
  const one = (c: Container, res: string): number => {
    const v = c.resources?.requests?.[res] ?? c.resources?.limits?.[res] ?? defaults?.request?.[res];
    return v === undefined ? 0 : parseQuantity(v);
  };
  const sum = (cs: Container[], res: string): number => cs.reduce((n, c) => n + one(c, res), 0);
  const sidecars = (spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  const inits = (spec.initContainers ?? []).filter((c) => c.restartPolicy !== 'Always');
  const r = (res: string): number => Math.max(sum([...spec.containers, ...sidecars], res), ...inits.map((c) => one(c, res) + sum(sidecars, res)));
  return { cpu: r('cpu'), memory: r('memory'), ephemeral: r('ephemeral-storage') };
}

// ------------------------------------------------------------------ demand and node sizing

export interface Demand {
  /** pods of the largest scale each workload can reach at once, and their requests */
  pods: number;
  /** per workload: [pods at maximum scale plus surge, requests of one pod] */
  workloads: { name: string; pods: number; requests: Requests }[];
  /** a DaemonSet's pods, one on every node */
  perNode: Requests & { pods: number };
}

export function hpaFor(workload: { kind: string; metadata: Partial<Meta> }, hpas: Hpa[]): Hpa | undefined {
  return hpas.find((h) => h.metadata.namespace === workload.metadata.namespace
    && h.spec.scaleTargetRef.kind === workload.kind && h.spec.scaleTargetRef.name === workload.metadata.name);
}

/**
 * The pods the manifests can run at once: each Deployment at its HPA's maxReplicas (else
 * its replicas) plus its rolling update's maxSurge; StatefulSets at maximum scale; a Job's
 * parallelism; one Job of each CronJob; DaemonSets on every node.
 */
export function platformDemand(objects: Manifest[]): Demand {
  const defaults = limitRangeDefaults(objects);
  const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler') as unknown as Hpa[];
  const demand: Demand = { pods: 0, workloads: [], perNode: { cpu: 0, memory: 0, ephemeral: 0, pods: 0 } };
  for (const o of objects) {
    const w = o as unknown as Workload;
    const ns = o.metadata?.namespace ?? '';
    const name = `${o.kind}/${ns}/${o.metadata?.name}`;
    let pods: number;
    let spec: PodSpec;
    if (o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'ReplicaSet') {
      const max = hpaFor(w, hpas)?.spec.maxReplicas ?? w.spec.replicas ?? 1;
      const surge = o.kind === 'Deployment' && w.spec.strategy?.type !== 'Recreate'
        ? scaled(w.spec.strategy?.rollingUpdate?.maxSurge, max, true, '25%') : 0;
      pods = max + surge;
      spec = w.spec.template.spec;
    } else if (o.kind === 'Job') {
      pods = Math.min(w.spec.parallelism ?? 1, w.spec.completions ?? Infinity);
      spec = w.spec.template.spec;
    } else if (o.kind === 'CronJob' && w.spec.jobTemplate) {
      pods = w.spec.jobTemplate.spec.parallelism ?? 1;
      spec = w.spec.jobTemplate.spec.template.spec;
    } else if (o.kind === 'DaemonSet') {
      const r = podRequests(w.spec.template.spec, defaults.get(ns));
      demand.perNode.cpu += r.cpu; demand.perNode.memory += r.memory; demand.perNode.ephemeral += r.ephemeral; demand.perNode.pods++;
      continue;
    } else continue;
    demand.workloads.push({ name, pods, requests: podRequests(spec, defaults.get(ns)) });
    demand.pods += pods;
  }
  return demand;
}

export interface NodeSize { cpu: number; memory: number; ephemeral: number; pods: number }

const GI = 2 ** 30;

/**
 * Node capacity so that count - 1 nodes hold the whole demand, each workload spread
 * evenly over them (ceil(pods / (count - 1)) of each on one node): one node's worth of
 * room for surge and for a drain. Whole cores, whole GiB, at least 110 pods (the
 * kubelet's default).
 */
export function sizeNodes(demand: Demand, count: number): NodeSize {
  const usable = Math.max(1, count - 1);
  const per = { cpu: demand.perNode.cpu, memory: demand.perNode.memory, ephemeral: demand.perNode.ephemeral, pods: demand.perNode.pods };
  for (const w of demand.workloads) {
    const n = Math.ceil(w.pods / usable);
    per.cpu += n * w.requests.cpu; per.memory += n * w.requests.memory; per.ephemeral += n * w.requests.ephemeral; per.pods += n;
  }
  return {
    cpu: Math.max(1, Math.ceil(per.cpu - 1e-9)),
    memory: Math.max(1, Math.ceil(per.memory / GI - 1e-9)) * GI,
    ephemeral: Math.max(1, Math.ceil(per.ephemeral / GI - 1e-9)) * GI,
    pods: Math.max(110, per.pods),
  };
}

export const ZONE = 'topology.kubernetes.io/zone';
export const HOSTNAME = 'kubernetes.io/hostname';
/** kwok manages the nodes that carry this annotation */
export const KWOK_ANNOTATION = 'kwok.x-k8s.io/node';

/** Simulated nodes, spread round-robin over `zones` zones: sim-zone-a-1, sim-zone-b-1, ... */
export function nodeManifests(count: number, zones: number, size: NodeSize): Node[] {
  const out: Node[] = [];
  for (let i = 0; i < count; i++) {
    const zone = `sim-zone-${String.fromCharCode(97 + (i % zones))}`;
    const name = `${zone}-${Math.floor(i / zones) + 1}`;
    const capacity = { 'cpu': `${size.cpu}`, 'memory': `${size.memory / 2 ** 20}Mi`, 'ephemeral-storage': `${size.ephemeral / 2 ** 20}Mi`, 'pods': `${size.pods}` };
    out.push({
      apiVersion: 'v1', kind: 'Node',
      metadata: {
        name,
        annotations: { [KWOK_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
        labels: {
          [HOSTNAME]: name, [ZONE]: zone, 'topology.kubernetes.io/region': 'sim-region',
          'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'node.kubernetes.io/instance-type': 'simulated', 'type': 'kwok',
        },
      },
      status: { allocatable: capacity, capacity, phase: 'Running' },
    } as unknown as Node);
  }
  return out;
}

// ------------------------------------------------------------------ disruption budgets

export interface PdbState { expected: number; desiredHealthy: number; healthy: number }

/**
 * What a PDB promises and what holds: `expected` is the scale of the workloads whose pods
 * it selects, desiredHealthy follows the disruption controller (percentages rounded up),
 * healthy counts Ready pods that are not terminating.
 */
export function evaluatePdb(pdb: Pdb, pods: Pod[], workloads: Workload[]): PdbState {
  const ns = pdb.metadata.namespace;
  const selected = pods.filter((p) => p.metadata.namespace === ns && selects(pdb.spec.selector, p.metadata.labels));
  const owners = workloads.filter((w) => w.metadata.namespace === ns && selects(pdb.spec.selector, w.spec.template.metadata?.labels));
  const expected = owners.reduce((n, w) => n + (w.spec.replicas ?? 1), 0);
  let desiredHealthy: number;
  if (pdb.spec.maxUnavailable !== undefined) desiredHealthy = expected - scaled(pdb.spec.maxUnavailable, expected, true, 0);
  else desiredHealthy = scaled(pdb.spec.minAvailable, expected, true, 1);
  return { expected, desiredHealthy: Math.max(0, desiredHealthy), healthy: selected.filter(podIsHealthy).length };
}

// ------------------------------------------------------------------ topology spread

export interface SpreadResult {
  constraint: SpreadConstraint;
  /** values of the matchLabelKeys labels the pods were counted for, e.g. pod-template-hash=abc */
  group: string;
  counts: Record<string, number>;
  skew: number;
}

/** Nodes that are a domain for this constraint of this pod template, as kube-scheduler decides. */
export function eligibleNodes(spec: PodSpec, c: SpreadConstraint, nodes: Node[]): Node[] {
  return nodes.filter((n) => n.metadata.labels?.[c.topologyKey] !== undefined
    && ((c.nodeAffinityPolicy ?? 'Honor') === 'Ignore' || nodeAffinityMatches(spec, n))
    && ((c.nodeTaintsPolicy ?? 'Ignore') === 'Ignore'
      || nodeTaints(n).filter((t) => t.effect !== 'PreferNoSchedule').every((t) => tolerates(spec.tolerations, t))));
}

/**
 * The skew of every topology spread constraint of a workload's pods (max - min pods per
 * domain; min is 0 below minDomains), counted per value of its matchLabelKeys. `pods` are
 * the pods of the workload's namespace; a result whose skew exceeds maxSkew is a violation.
 */
export function evaluateSpread(template: PodTemplate, ownPods: Pod[], pods: Pod[], nodes: Node[]): SpreadResult[] {
  const out: SpreadResult[] = [];
  const nodeByName = new Map(nodes.map((n) => [n.metadata.name, n]));
  for (const c of template.spec.topologySpreadConstraints ?? []) {
    const eligible = eligibleNodes(template.spec, c, nodes);
    const domains = new Set(eligible.map((n) => n.metadata.labels![c.topologyKey]));
    if (!domains.size) continue;
    const keys = c.matchLabelKeys ?? [];
    const groups = new Map<string, Record<string, string>>();
    for (const p of ownPods.filter(podIsActive)) {
      const g = Object.fromEntries(keys.map((k) => [k, p.metadata.labels?.[k] ?? '']));
      groups.set(keys.map((k) => `${k}=${g[k]}`).join(','), g);
    }
    for (const [group, values] of groups) {
      const counts: Record<string, number> = Object.fromEntries([...domains].sort().map((d) => [d, 0]));
      for (const p of pods) {
        if (!podIsActive(p) || !p.spec.nodeName || !selects(c.labelSelector, p.metadata.labels)) continue;
        if (!Object.entries(values).every(([k, v]) => p.metadata.labels?.[k] === v)) continue;
        const node = nodeByName.get(p.spec.nodeName);
        if (!node || !eligible.includes(node)) continue;
        counts[node.metadata.labels![c.topologyKey]]++;
      }
      const v = Object.values(counts);
      const min = domains.size < (c.minDomains ?? 1) ? 0 : Math.min(...v);
      out.push({ constraint: c, group, counts, skew: Math.max(...v) - min });
    }
  }
  return out;
}

// ------------------------------------------------------------------ quota

/** Every resource of a ResourceQuota whose status.used is above status.hard. */
export function quotaExcess(q: Quota): string[] {
  const hard = q.status?.hard ?? {};
  const used = q.status?.used ?? {};
  return Object.keys(hard).filter((r) => used[r] !== undefined && parseQuantity(used[r]) > parseQuantity(hard[r]))
    .map((r) => `${r}: used ${used[r]} > hard ${hard[r]}`);
}

// ------------------------------------------------------------------ workloads

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

/**
 * Whether a workload is available and fully rolled out (every pod of the current
 * template, every one available, nothing left of an old one), and in words if not.
 * `minReplicas`: an HPA's floor the workload must have been scaled to first.
 */
export function workloadReady(w: Workload, minReplicas?: number): { ready: boolean; detail: string } {
  const s = w.status ?? {};
  const gen = (w.metadata.generation ?? 0) <= num(s.observedGeneration);
  const want = w.spec.replicas ?? 1;
  if (w.kind === 'Job') {
    const done = (s.conditions ?? []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    return { ready: done?.type === 'Complete', detail: done ? `${done.type}${done.message ? `: ${done.message}` : ''}` : `${num(s.succeeded)}/${w.spec.completions ?? 1} completions` };
  }
  if (w.kind === 'DaemonSet') {
    const d = num(s.desiredNumberScheduled);
    const ok = gen && num(s.numberAvailable) === d && num(s.updatedNumberScheduled) === d && d > 0;
    return { ready: ok, detail: `${num(s.numberAvailable)}/${d} available, ${num(s.updatedNumberScheduled)} updated` };
  }
  const floor = minReplicas !== undefined && want < minReplicas;
  const ok = gen && !floor && num(s.updatedReplicas) === want && num(s.availableReplicas) === want && num(s.replicas) === want
    && (w.kind !== 'StatefulSet' || (num(s.readyReplicas) === want && (!s.updateRevision || s.currentRevision === s.updateRevision)));
  const detail = `${num(s.availableReplicas)}/${want} available, ${num(s.updatedReplicas)} updated, ${num(s.replicas)} total`
    + (floor ? ` (the HPA has not yet scaled it to minReplicas ${minReplicas})` : '') + (gen ? '' : ' (not yet observed)');
  return { ready: ok, detail };
}

/**
 * A different image that a rollout must pull: the tag gets "-rolled" (none: ":rolled"); a
 * digest is replaced by another well-formed one, so a pinned image changes too.
 */
export function rolledImage(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) {
    const digest = image.slice(at + 1);
    const m = /^([a-z0-9]+):([0-9a-f]+)$/.exec(digest);
    if (!m) throw new Error(`cannot read the digest of '${image}'`);
    const flipped = m[2].split('').map((ch) => (parseInt(ch, 16) ^ 0xf).toString(16)).join('');
    return `${image.slice(0, at)}@${m[1]}:${flipped}`;
  }
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? `${image}-rolled` : `${image}:rolled`;
}
