import { AcknowledgedChange } from './acknowledge';
import type { _Manifest } from './previous-output';

/**
 * What the API server refuses to change on an object that exists: one row per field,
 * for the kinds the library renders. Derived from the update validations of
 * Kubernetes 1.37 (k8s.io/kubernetes pkg/apis/<group>/validation/validation.go):
 *
 * - apps `ValidateStatefulSetUpdate`: spec.selector, spec.volumeClaimTemplates,
 *   spec.serviceName, spec.podManagementPolicy (`ValidateImmutableField` each);
 * - apps `ValidateDeploymentUpdate`: spec.selector;
 * - batch `ValidateJobUpdate` -> `ValidateJobSpecUpdate`: spec.selector,
 *   spec.template (`validatePodTemplateUpdate`: only scheduling directives of a
 *   suspended Job may change), spec.completionMode, spec.podFailurePolicy,
 *   spec.backoffLimitPerIndex, spec.managedBy, spec.successPolicy;
 * - core `ValidateServiceUpdate` -> `validateUpgradeDowngradeClusterIPs`: the primary
 *   cluster IP may not change once set, so a Service cannot turn headless
 *   (`clusterIP: None`) or back;
 * - scheduling `ValidatePriorityClassUpdate`: value, preemptionPolicy;
 * - core `ValidatePersistentVolumeClaimUpdate`: the spec except resources.requests
 *   (which may only grow) and volumeAttributesClassName: storageClassName,
 *   accessModes, volumeMode, selector, volumeName;
 * - rbac `ValidateRoleBindingUpdate` and `ValidateClusterRoleBindingUpdate`: roleRef;
 * - core `ValidateConfigMapUpdate` and `ValidateSecretUpdate`: data, binaryData
 *   (stringData for a Secret) and `immutable` itself, once `immutable` is true.
 *
 * @internal
 */
export interface _ImmutableField {
  /** The API group ('' for core). */
  readonly group: string;
  /** The kind. */
  readonly kind: string;
  /** The field, as a path of keys from the object's root. */
  readonly field: readonly string[];
  /** The update validation of Kubernetes that refuses the change. */
  readonly validation: string;
  /** The acknowledgement that lets the change through once the manual step is done. */
  readonly acknowledge: AcknowledgedChange;
  /** Whether the change is refused: by default, whenever the field's value differs. */
  readonly refuses?: (oldValue: unknown, newValue: unknown, oldObject: _Manifest) => boolean;
  /** The value the API server defaults an absent field to. */
  readonly defaultValue?: unknown;
  /**
   * The manual step, for the object `Kind namespace/name` as `o`: the commands to run
   * before the apply.
   */
  readonly manualStep: (o: _ManualStepSubject) => string;
}

/** What a manual step names. @internal */
export interface _ManualStepSubject {
  /** `kubectl -n <namespace>` or `kubectl` for a cluster-scoped object. */
  readonly kubectl: string;
  /** The object's resource name for kubectl (`statefulset`, `priorityclass`). */
  readonly resource: string;
  /** The object's name. */
  readonly name: string;
  /** The object as it was. */
  readonly oldObject: _Manifest;
  /** The object as it will be. */
  readonly newObject: _Manifest;
}

const ORPHAN_STATEFULSET = (o: _ManualStepSubject) =>
  `${o.kubectl} delete statefulset ${o.name} --cascade=orphan (the pods and their claims stay), then apply: the new StatefulSet adopts the pods and rolls them`;

const DELETE_AND_REAPPLY = (consequence: string) => (o: _ManualStepSubject) =>
  `${o.kubectl} delete ${o.resource} ${o.name}, then apply to re-create it (${consequence})`;

const DATA_IN_CLAIM = (o: _ManualStepSubject) =>
  `copy the claim's data aside, ${o.kubectl} delete pvc ${o.name}, apply to re-create it, then copy the data back`;

/** Whether a Service's cluster IP turns headless or back: 'None' on one side only. */
function headlessChanges(oldValue: unknown, newValue: unknown): boolean {
  return (oldValue === 'None') !== (newValue === 'None') || (oldValue !== undefined && newValue !== undefined && oldValue !== newValue);
}

/** Whether immutable data may not change: the old object was `immutable: true`. */
function whenImmutable(oldValue: unknown, newValue: unknown, oldObject: _Manifest): boolean {
  return oldObject.immutable === true && !_deepEqual(oldValue, newValue);
}

/** The rows: see `_ImmutableField`. @internal */
export const _IMMUTABLE_FIELDS: readonly _ImmutableField[] = [
  ...['selector', 'volumeClaimTemplates', 'serviceName', 'podManagementPolicy'].map((f): _ImmutableField => ({
    group: 'apps', kind: 'StatefulSet', field: ['spec', f], validation: 'ValidateStatefulSetUpdate',
    acknowledge: AcknowledgedChange.RECREATE_STATEFULSET,
    defaultValue: f === 'podManagementPolicy' ? 'OrderedReady' : undefined,
    manualStep: o => f === 'volumeClaimTemplates' ? _claimTemplateStep(o) : ORPHAN_STATEFULSET(o),
  })),
  {
    group: 'apps', kind: 'Deployment', field: ['spec', 'selector'], validation: 'ValidateDeploymentUpdate',
    acknowledge: AcknowledgedChange.RECREATE,
    manualStep: o => `${o.kubectl} delete deployment ${o.name} --cascade=orphan, apply, and once the new pods are ready ` +
      `${o.kubectl} delete replicaset -l ${_selector(o.oldObject)} (the old pods, which the new selector does not adopt)`,
  },
  ...['selector', 'template', 'completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy'].map((f): _ImmutableField => ({
    group: 'batch', kind: 'Job', field: ['spec', f], validation: 'ValidateJobUpdate',
    acknowledge: AcknowledgedChange.RECREATE,
    manualStep: DELETE_AND_REAPPLY('the Job runs again'),
  })),
  {
    group: '', kind: 'Service', field: ['spec', 'clusterIP'], validation: 'ValidateServiceUpdate',
    acknowledge: AcknowledgedChange.RECREATE, refuses: headlessChanges,
    manualStep: DELETE_AND_REAPPLY('callers reach it by DNS name; connections are cut while it is re-created'),
  },
  ...['value', 'preemptionPolicy'].map((f): _ImmutableField => ({
    group: 'scheduling.k8s.io', kind: 'PriorityClass', field: [f], validation: 'ValidatePriorityClassUpdate',
    acknowledge: AcknowledgedChange.RECREATE,
    defaultValue: f === 'preemptionPolicy' ? 'PreemptLowerPriority' : undefined,
    manualStep: DELETE_AND_REAPPLY('running pods keep the old value until they are re-created'),
  })),
  ...['storageClassName', 'accessModes', 'volumeMode', 'selector', 'volumeName'].map((f): _ImmutableField => ({
    group: '', kind: 'PersistentVolumeClaim', field: ['spec', f], validation: 'ValidatePersistentVolumeClaimUpdate',
    acknowledge: AcknowledgedChange.RECREATE, manualStep: DATA_IN_CLAIM,
  })),
  {
    group: '', kind: 'PersistentVolumeClaim', field: ['spec', 'resources', 'requests', 'storage'], validation: 'ValidatePersistentVolumeClaimUpdate',
    acknowledge: AcknowledgedChange.RECREATE, manualStep: DATA_IN_CLAIM,
    refuses: (a, b) => typeof a === 'string' && typeof b === 'string' && _bytesOf(b) < _bytesOf(a),
  },
  ...['RoleBinding', 'ClusterRoleBinding'].map((kind): _ImmutableField => ({
    group: 'rbac.authorization.k8s.io', kind, field: ['roleRef'], validation: `Validate${kind}Update`,
    acknowledge: AcknowledgedChange.RECREATE,
    manualStep: DELETE_AND_REAPPLY('the subjects lose the grant until the apply'),
  })),
  ...[['ConfigMap', 'data'], ['ConfigMap', 'binaryData'], ['ConfigMap', 'immutable'], ['Secret', 'data'], ['Secret', 'stringData'], ['Secret', 'immutable']]
    .map(([kind, f]): _ImmutableField => ({
      group: '', kind, field: [f], validation: `Validate${kind}Update`, acknowledge: AcknowledgedChange.RECREATE, refuses: whenImmutable,
      manualStep: DELETE_AND_REAPPLY('pods that mount it keep the old content until they restart'),
    })),
];

/** The manual step of a changed claim template: orphan-delete, and for a resize patch each claim. */
function _claimTemplateStep(o: _ManualStepSubject): string {
  const oldTemplates: _Manifest[] = o.oldObject.spec?.volumeClaimTemplates ?? [];
  const newTemplates: _Manifest[] = o.newObject.spec?.volumeClaimTemplates ?? [];
  const replicas: number = o.newObject.spec?.replicas ?? 1;
  const patches: string[] = [];
  for (const t of newTemplates) {
    const before = oldTemplates.find(x => x.metadata?.name === t.metadata?.name);
    const size = t.spec?.resources?.requests?.storage;
    const was = before?.spec?.resources?.requests?.storage;
    if (before === undefined || size === undefined || was === undefined || size === was) continue;
    if (_bytesOf(size) < _bytesOf(was)) {
      patches.push(`claims cannot shrink: copy the data of each ${t.metadata.name}-${o.name}-<i> aside, delete the claim, and restore it after the apply`);
      continue;
    }
    for (let i = 0; i < replicas; i++) {
      patches.push(`${o.kubectl} patch pvc ${t.metadata.name}-${o.name}-${i} -p '{"spec":{"resources":{"requests":{"storage":"${size}"}}}}'`);
    }
  }
  const resize = patches.length > 0 ? `, then ${patches.join(', ')} (the storage class must allow volume expansion)` : '';
  return `${o.kubectl} delete statefulset ${o.name} --cascade=orphan (the pods and their claims stay)${resize}, then apply: the new StatefulSet adopts the pods and rolls them`;
}

/** `k=v,k=v` of an object's spec.selector.matchLabels. */
function _selector(o: _Manifest): string {
  return Object.entries(o.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
}

const SUFFIX: { [suffix: string]: number } = {
  '': 1, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18,
  'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60,
};

/** The bytes of a quantity string ('10Gi', '500M'); NaN when it is not one. @internal */
export function _bytesOf(quantity: string): number {
  const m = /^([0-9.]+)([kMGTPE]i?)?$/.exec(quantity);
  return m === null ? NaN : Number(m[1]) * (SUFFIX[m[2] ?? ''] ?? NaN);
}

/** Deep equality of JSON values (object keys in any order). @internal */
export function _deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every(k => _deepEqual((a as _Manifest)[k], (b as _Manifest)[k]));
}

/**
 * The first place two JSON values differ: its path (appended to `at`) and the two
 * values there. @internal
 */
export function _firstDifference(a: unknown, b: unknown, at: string): { field: string; oldValue: unknown; newValue: unknown } | undefined {
  if (_deepEqual(a, b)) return undefined;
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null && Array.isArray(a) === Array.isArray(b)) {
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const d = _firstDifference(a[i], b[i], `${at}[${i}]`);
        if (d !== undefined) return d;
      }
    } else {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
      for (const k of keys) {
        const d = _firstDifference((a as _Manifest)[k], (b as _Manifest)[k], `${at}.${k}`);
        if (d !== undefined) return d;
      }
    }
  }
  return { field: at, oldValue: a, newValue: b };
}
