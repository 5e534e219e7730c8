import { PolicyContext, PolicyManifest } from './policy-rule';
import { _at, _list, _obj, _str } from './json';

/** The kinds that carry a pod template (or are a pod), with where the pod spec is. */
const POD_SPEC_PATHS: { readonly [kind: string]: readonly string[] } = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  // Argo Rollouts: a Rollout with its own template (one with a workloadRef runs the pods of a Deployment, checked itself)
  Rollout: ['spec', 'template'],
};

/** The kinds that run pods. @internal */
export const _POD_KINDS: readonly string[] = Object.keys(POD_SPEC_PATHS);

/** The kinds that run pods for as long as they exist (not run to completion). @internal */
export const _LONG_RUNNING_KINDS: readonly string[] = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Rollout'];

/** The kinds whose replica count a PodDisruptionBudget and spreading matter for. @internal */
export const _REPLICATED_KINDS: readonly string[] = ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'Rollout'];

/** A pod spec inside an object, with its JSONPath and the pods' labels. @internal */
export interface _PodTemplate {
  /** The pod spec. */
  readonly spec: { readonly [key: string]: unknown };
  /** JSONPath of the pod spec. */
  readonly path: string;
  /** The pods' labels. */
  readonly labels: { readonly [key: string]: string };
}

/** One container of a pod spec. @internal */
export interface _Container {
  /** The container. */
  readonly container: { readonly [key: string]: unknown };
  /** Its name. */
  readonly name: string;
  /** JSONPath of the container. */
  readonly path: string;
  /** `containers`, `initContainers` or `ephemeralContainers`. */
  readonly list: string;
  /** Whether it runs for the pod's life: a regular container or a native sidecar (an init container that restarts Always). */
  readonly longRunning: boolean;
}

/** The pod template of `manifest`, or undefined for kinds that have none and objects without one (a Rollout with a workloadRef). @internal */
export function _podTemplateOf(manifest: PolicyManifest): _PodTemplate | undefined {
  const where = POD_SPEC_PATHS[manifest.kind ?? ''];
  if (where === undefined) {
    return undefined;
  }
  let node: unknown = manifest;
  let path = '$';
  for (const key of where) {
    node = _obj(node)[key];
    path = _at(path, key);
  }
  if (manifest.kind !== 'Pod' && (typeof node !== 'object' || node === null)) {
    return undefined;
  }
  const template = _obj(node);
  const labels = _obj(_obj(template.metadata).labels) as { [key: string]: string };
  return { spec: _obj(template.spec), path: _at(path, 'spec'), labels };
}

/** JSONPath of the pods' labels (beside the pod spec). @internal */
export function _labelsPath(pod: _PodTemplate): string {
  return `${pod.path.replace(/\.spec$/, '')}.metadata.labels`;
}

/** Every container of a pod spec, init and ephemeral ones included. @internal */
export function _containersOf(pod: _PodTemplate): _Container[] {
  const out: _Container[] = [];
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    _list(pod.spec[list]).forEach((c, i) => {
      const container = _obj(c);
      const longRunning = list === 'containers' || (list === 'initContainers' && container.restartPolicy === 'Always');
      out.push({ container, name: _str(container.name) ?? `#${i}`, path: _at(_at(pod.path, list), i), list, longRunning });
    });
  }
  return out;
}

/**
 * Whether a label selector (`matchLabels`, `matchExpressions`) selects pods with
 * `labels`; an empty selector selects every pod. @internal
 */
export function _selects(selector: unknown, labels: { readonly [key: string]: string }): boolean {
  const s = _obj(selector);
  for (const [key, value] of Object.entries(_obj(s.matchLabels))) {
    if (labels[key] !== value) {
      return false;
    }
  }
  for (const e of _list(s.matchExpressions).map(_obj)) {
    const key = _str(e.key) ?? '';
    const values = _list(e.values);
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    const ok = e.operator === 'In' ? has && values.includes(labels[key])
      : e.operator === 'NotIn' ? !has || !values.includes(labels[key])
        : e.operator === 'Exists' ? has
          : e.operator === 'DoesNotExist' ? !has : false;
    if (!ok) {
      return false;
    }
  }
  return true;
}

/** The objects of `kind` in the namespace of `manifest` (the same namespace, or both cluster-scoped). @internal */
export function _sameNamespace(context: PolicyContext, manifest: PolicyManifest, kind: string): PolicyManifest[] {
  const ns = manifest.metadata?.namespace ?? '';
  return context.manifests.filter(m => m.kind === kind && (m.metadata?.namespace ?? '') === ns);
}

/**
 * How many pods a workload may run at once: `spec.replicas` (1 when unset), or the
 * `maxReplicas` of a HorizontalPodAutoscaler of the set that scales it. @internal
 */
export function _maxReplicas(manifest: PolicyManifest, context: PolicyContext): number {
  const own = _obj(manifest.spec).replicas;
  const hpa = _sameNamespace(context, manifest, 'HorizontalPodAutoscaler').find(h => {
    const target = _obj(_obj(h.spec).scaleTargetRef);
    return target.kind === manifest.kind && target.name === manifest.metadata?.name;
  });
  const scaled = hpa === undefined ? undefined : _obj(hpa.spec).maxReplicas;
  return Math.max(typeof own === 'number' ? own : 1, typeof scaled === 'number' ? scaled : 0);
}
