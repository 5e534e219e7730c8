import { ConfigurationError, ErrorCode } from '../internal/configuration-error';
import { _Resources } from '../platform/context-quota';
import { _Footprint } from '../platform/members';
import { _at, _list, _obj, _str } from '../policy/json';
import { _containersOf, _podTemplateOf } from '../policy/pod-template';
import { PolicyManifest } from '../policy/policy-rule';

/**
 * The kinds of the Kubernetes API that are cluster-scoped: a third-party chart in a
 * bounded context may render none of them. A custom resource of a cluster-scoped type
 * that is not listed here (a cert-manager ClusterIssuer, say) is not recognized: it
 * would be given the context's namespace and refused by the API server.
 * @internal
 */
export const _CLUSTER_SCOPED_KINDS: readonly string[] = [
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
  'APIService', 'PriorityClass', 'StorageClass', 'VolumeAttachment', 'CSIDriver', 'CSINode', 'RuntimeClass', 'IngressClass',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding', 'CertificateSigningRequest', 'FlowSchema', 'PriorityLevelConfiguration',
  'ComponentStatus', 'ClusterTrustBundle', 'DeviceClass', 'GatewayClass', 'ClusterIssuer',
];

/** An object's `Kind namespace/name`, as errors name it. @internal */
export function _objectName(m: PolicyManifest): string {
  const ns = m.metadata?.namespace;
  return `${m.kind ?? '(no kind)'} ${ns === undefined || ns === '' ? '' : `${ns}/`}${m.metadata?.name ?? '(no name)'}`;
}

/**
 * Refuses a chart's objects that would leave the bounded context: cluster-scoped kinds,
 * and objects that name another namespace. An object without a namespace is fine (it
 * is given the context's).
 * @internal
 */
export function _checkScope(path: string, namespace: string, manifests: readonly PolicyManifest[]): ConfigurationError[] {
  const errors: ConfigurationError[] = [];
  for (const m of manifests) {
    if (_CLUSTER_SCOPED_KINDS.includes(m.kind ?? '')) {
      errors.push(new ConfigurationError({ path, prop: 'chart', value: _objectName(m),
        expected: `must render only namespaced objects: a ${m.kind} is cluster-scoped, and a bounded context grants nothing outside its namespace ('${namespace}')`,
        fix: 'turn it off in the chart\'s values (most charts have a switch such as rbac.create or crds.install), or install it with the platform, not in a context',
        code: ErrorCode.WRONG_SCOPE }));
      continue;
    }
    const ns = m.metadata?.namespace;
    if (ns !== undefined && ns !== namespace) {
      errors.push(new ConfigurationError({ path, prop: 'chart', value: _objectName(m),
        expected: `must be in the context's namespace ('${namespace}'), not '${ns}'`,
        fix: 'set the chart\'s namespace value to the context\'s, or leave the namespace out of the template (it is given the context\'s)',
        code: ErrorCode.WRONG_SCOPE }));
    }
  }
  return errors;
}

const CPU = /^([0-9]+(?:\.[0-9]+)?)(m?)$/;
const BYTES = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|)$/;
const FACTOR: { readonly [suffix: string]: number } = {
  '': 1, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18,
  'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60,
};

/** A CPU quantity in millicores ('250m', '0.5', 2), or undefined when it is not one. @internal */
export function _parseCpu(q: unknown): number | undefined {
  const m = CPU.exec(String(q ?? ''));
  return m === null ? undefined : Math.ceil(Number(m[1]) * (m[2] === 'm' ? 1 : 1000));
}

/** A memory or storage quantity in bytes ('256Mi', '1G', 1024), or undefined when it is not one. @internal */
export function _parseBytes(q: unknown): number | undefined {
  const m = BYTES.exec(String(q ?? ''));
  return m === null ? undefined : Math.ceil(Number(m[1]) * FACTOR[m[2]]);
}

/** How many pods of a workload run at once at its peak (a rolling update's surge, an autoscaler's maximum). */
function peakPods(m: PolicyManifest, maxReplicas: number | undefined): number {
  const spec = _obj(m.spec);
  const replicas = maxReplicas ?? (typeof spec.replicas === 'number' ? spec.replicas : 1);
  switch (m.kind) {
    case 'Deployment': {
      const surge = _obj(_obj(spec.strategy).rollingUpdate).maxSurge ?? '25%';
      const extra = typeof surge === 'number' ? surge : Math.ceil(replicas * Number(String(surge).replace('%', '')) / 100);
      return _obj(spec.strategy).type === 'Recreate' ? replicas : replicas + extra;
    }
    case 'StatefulSet': case 'ReplicaSet': case 'ReplicationController': return replicas;
    case 'Job': return typeof spec.parallelism === 'number' ? spec.parallelism : 1;
    // a CronJob's runs may overlap unless it forbids it: count two at once then
    case 'CronJob': {
      const job = _obj(_obj(spec.jobTemplate).spec);
      const parallel = typeof job.parallelism === 'number' ? job.parallelism : 1;
      return spec.concurrencyPolicy === 'Forbid' || spec.concurrencyPolicy === 'Replace' ? parallel : 2 * parallel;
    }
    default: return 1;
  }
}

/** What one of a chart's workloads asks of the context's quota. @internal */
export interface _ChartWorkload {
  /** `Kind/name`, how quota errors name it. */
  readonly name: string;
  /** Its footprint, as the context sums it with its own workloads'. */
  readonly footprint: _Footprint;
}

/**
 * The quota footprint of each workload of a chart. Every container (init containers
 * too) must set CPU and memory requests and limits: a pod without them could take what
 * the quota promises the context's own services. Ephemeral storage the chart leaves out
 * is counted at the context's LimitRange defaults, which the API server fills in.
 * A DaemonSet is refused: its pods scale with the nodes, not with anything the quota sees.
 * Services, ConfigMaps, Secrets and claims of the chart are counted on the first workload
 * (or a workload of none when the chart runs no pods).
 * @internal
 */
export function _chartFootprints(path: string, manifests: readonly PolicyManifest[], defaults: _Resources): { workloads: _ChartWorkload[]; errors: ConfigurationError[] } {
  const errors: ConfigurationError[] = [];
  const workloads: _ChartWorkload[] = [];
  const autoscaled = new Map<string, number>();
  for (const m of manifests.filter(o => o.kind === 'HorizontalPodAutoscaler')) {
    const spec = _obj(m.spec);
    const target = _obj(spec.scaleTargetRef);
    if (typeof spec.maxReplicas === 'number') autoscaled.set(`${_str(target.kind)}/${_str(target.name)}`, spec.maxReplicas);
  }
  let claims = 0;
  let storage = 0;
  for (const m of manifests) {
    if (m.kind === 'DaemonSet') {
      errors.push(new ConfigurationError({ path, prop: 'chart', value: _objectName(m),
        expected: 'must not be a DaemonSet: its pods scale with the cluster\'s nodes, which the context\'s quota cannot bound',
        fix: 'turn the DaemonSet off in the chart\'s values, or install the chart with the platform, not in a context', code: ErrorCode.QUOTA_EXCEEDED }));
      continue;
    }
    if (m.kind === 'PersistentVolumeClaim') {
      claims += 1;
      storage += _parseBytes(_obj(_obj(_obj(m.spec).resources).requests).storage) ?? 0;
    }
    const pod = _podTemplateOf(m);
    if (pod === undefined) continue;
    const key = `${m.kind}/${m.metadata?.name ?? ''}`;
    const peak = peakPods(m, autoscaled.get(key));
    const long = { cpuRequest: 0, cpuLimit: 0, memoryRequest: 0, memoryLimit: 0, ephemeralStorageRequest: 0, ephemeralStorageLimit: 0 };
    const init = { ...long };
    for (const c of _containersOf(pod).filter(x => x.list !== 'ephemeralContainers')) {
      const r = _obj(c.container.resources);
      const req = _obj(r.requests);
      const lim = _obj(r.limits);
      const amounts = {
        cpuRequest: _parseCpu(req.cpu), cpuLimit: _parseCpu(lim.cpu), memoryRequest: _parseBytes(req.memory), memoryLimit: _parseBytes(lim.memory),
        ephemeralStorageRequest: _parseBytes(req['ephemeral-storage'] ?? defaults.ephemeralStorageRequest),
        ephemeralStorageLimit: _parseBytes(lim['ephemeral-storage'] ?? defaults.ephemeralStorageLimit),
      };
      const missing = Object.entries(amounts).filter(([, v]) => v === undefined).map(([k]) => k);
      if (missing.length > 0) {
        errors.push(new ConfigurationError({ path, prop: 'chart', value: `${_objectName(m)} ${_at(c.path, 'resources')}`,
          expected: `must set CPU and memory requests and limits on every container (missing or not a quantity: ${missing.join(', ')}): the context's quota counts every pod`,
          fix: 'set them in the chart\'s values (most charts have resources: { requests, limits })', code: ErrorCode.MISSING_REQUIRED }));
        continue;
      }
      // init containers run one after the other, before the others: a pod needs the larger of the two
      const into = c.longRunning ? long : init;
      for (const k of Object.keys(long) as Array<keyof typeof long>) {
        into[k] = c.longRunning ? into[k] + amounts[k]! : Math.max(into[k], amounts[k]!);
      }
    }
    const perPod = Object.fromEntries(Object.keys(long).map(k => [k, Math.max(long[k as keyof typeof long], init[k as keyof typeof init])])) as unknown as _Resources;
    // a StatefulSet's claim templates: one claim per template and replica
    for (const t of m.kind === 'StatefulSet' ? _list(_obj(m.spec).volumeClaimTemplates).map(_obj) : []) {
      claims += peak;
      storage += peak * (_parseBytes(_obj(_obj(_obj(t.spec).resources).requests).storage) ?? 0);
    }
    workloads.push({ name: key, footprint: { peakPods: peak, perPod, services: 0, configMaps: 0, secrets: 0, claims: 0, storage: 0, pullSecrets: _pullSecrets(pod.spec) } });
  }
  const count = (kind: string) => manifests.filter(o => o.kind === kind).length;
  const shared = { services: count('Service'), configMaps: count('ConfigMap'), secrets: count('Secret'), claims, storage };
  const none: _Resources = { cpuRequest: 0, cpuLimit: 0, memoryRequest: 0, memoryLimit: 0, ephemeralStorageRequest: 0, ephemeralStorageLimit: 0 };
  const [first, ...rest] = workloads;
  const counted = first === undefined
    ? [{ name: '(no workload)', footprint: { peakPods: 0, perPod: none, pullSecrets: [], ...shared } }]
    : [{ name: first.name, footprint: { ...first.footprint, ...shared } }, ...rest];
  return { workloads: counted, errors };
}

function _pullSecrets(spec: { readonly [key: string]: unknown }): string[] {
  return _list(spec.imagePullSecrets).map(s => _str(_obj(s).name)).filter((n): n is string => n !== undefined);
}
