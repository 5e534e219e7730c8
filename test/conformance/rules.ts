/**
 * The harness's own implementation of the nine kube-linter checks issue 3 adds to
 * kube-linter's defaults. It runs only when kube-linter itself cannot be built (the
 * module proxy here refuses golang.stackrox.io/kube-linter), and the report says so.
 * Check ids are kube-linter's, so a suppression written for kube-linter applies to both.
 */
import type { Finding, K8sObject, LoadedObject, ObjectRef } from './harness';

export const STAND_IN_CHECKS = ['no-liveness-probe', 'no-readiness-probe', 'default-service-account', 'non-isolated-pod',
  'wildcard-in-rules', 'cluster-admin-role-binding', 'access-to-create-pods', 'exposed-services', 'priority-class-name'];

interface Container { name?: string; livenessProbe?: unknown; readinessProbe?: unknown }
interface PodSpec {
  containers?: Container[]; serviceAccountName?: string; serviceAccount?: string; priorityClassName?: string;
}
interface LabelSelector { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> }
interface PolicyRule { apiGroups?: string[]; resources?: string[]; verbs?: string[] }

/** The pod template of a workload, with its labels; undefined for other kinds. */
export function podTemplate(obj: K8sObject): { spec: PodSpec; labels: Record<string, string> } | undefined {
  const spec = obj.spec as Record<string, unknown> | undefined;
  switch (obj.kind) {
    case 'Pod':
      return { spec: (spec ?? {}) as PodSpec, labels: obj.metadata?.labels ?? {} };
    case 'Deployment': case 'StatefulSet': case 'DaemonSet': case 'ReplicaSet': case 'Job': case 'ReplicationController': {
      const t = (spec?.template ?? {}) as { metadata?: { labels?: Record<string, string> }; spec?: PodSpec };
      return { spec: t.spec ?? {}, labels: t.metadata?.labels ?? {} };
    }
    case 'CronJob': {
      const t = (((spec?.jobTemplate as Record<string, unknown> | undefined)?.spec as Record<string, unknown> | undefined)?.template ?? {}) as
        { metadata?: { labels?: Record<string, string> }; spec?: PodSpec };
      return { spec: t.spec ?? {}, labels: t.metadata?.labels ?? {} };
    }
    default:
      return undefined;
  }
}

export function selects(sel: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!sel) return false;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const inValues = has && (e.values ?? []).includes(labels[e.key]);
    if (e.operator === 'In' && !inValues) return false;
    if (e.operator === 'NotIn' && inValues) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** kube-linter's access-to-create-pods parameters, as it ships them ('cronjob', singular, included) */
const CREATE_PODS_RESOURCES = ['pods', 'deployments', 'statefulsets', 'replicasets', 'cronjob', 'jobs', 'daemonsets'];

export function standInKubeLinter(objects: LoadedObject[]): Finding[] {
  const findings: Finding[] = [];
  const add = (o: LoadedObject, check: string, message: string): void => {
    findings.push({ gate: 'kube-linter', context: '', object: o.ref as ObjectRef, check, message, file: o.file });
  };
  const policies = objects.filter((o) => o.obj.kind === 'NetworkPolicy');

  for (const o of objects) {
    const obj = o.obj;
    const pod = podTemplate(obj);
    if (pod) {
      const longRunning = !['Job', 'CronJob'].includes(String(obj.kind));
      for (const c of pod.spec.containers ?? []) {
        if (longRunning && !c.livenessProbe) add(o, 'no-liveness-probe', `container "${c.name}" does not specify a liveness probe`);
        if (longRunning && !c.readinessProbe) add(o, 'no-readiness-probe', `container "${c.name}" does not specify a readiness probe`);
      }
      const sa = pod.spec.serviceAccountName ?? pod.spec.serviceAccount ?? '';
      if (sa === '' || sa === 'default') add(o, 'default-service-account', 'the pods run as the namespace\'s default service account; give them their own');
      if (!pod.spec.priorityClassName) add(o, 'priority-class-name', 'the pods set no priorityClassName');
      const ns = obj.metadata?.namespace ?? '';
      const isolated = policies.some((p) => (p.obj.metadata?.namespace ?? '') === ns
        && selects(((p.obj.spec ?? {}) as { podSelector?: LabelSelector }).podSelector ?? {}, pod.labels));
      if (!isolated) add(o, 'non-isolated-pod', 'no NetworkPolicy in its namespace selects these pods');
    }
    if (obj.kind === 'Role' || obj.kind === 'ClusterRole') {
      for (const rule of (obj.rules ?? []) as PolicyRule[]) {
        const verbs = rule.verbs ?? [];
        const resources = rule.resources ?? [];
        if (verbs.includes('*') || resources.includes('*')) {
          add(o, 'wildcard-in-rules', `rule ${JSON.stringify(rule)} uses '*'; list the verbs and resources it needs`);
        }
      }
    }
    if (obj.kind === 'RoleBinding' || obj.kind === 'ClusterRoleBinding') {
      const ref = (obj.roleRef ?? {}) as { kind?: string; name?: string };
      if (ref.kind === 'ClusterRole' && ref.name === 'cluster-admin') add(o, 'cluster-admin-role-binding', 'binds the cluster-admin role');
      // like kube-linter's access-to-resources template: the finding is on the binding
      const role = objects.find((r) => r.obj.kind === ref.kind && r.obj.metadata?.name === ref.name
        && (ref.kind === 'ClusterRole' || (r.obj.metadata?.namespace ?? '') === (obj.metadata?.namespace ?? '')));
      for (const rule of ((role?.obj.rules ?? []) as PolicyRule[])) {
        const verbs = rule.verbs ?? [];
        const granted = (rule.resources ?? []).filter((r) => r === '*' || CREATE_PODS_RESOURCES.includes(r));
        if ((verbs.includes('create') || verbs.includes('*')) && granted.length) {
          add(o, 'access-to-create-pods', `binds ${ref.kind} ${ref.name}, which may create ${granted.join(', ')}: its subjects can start pods`);
        }
      }
    }
    if (obj.kind === 'Service') {
      const type = ((obj.spec ?? {}) as { type?: string }).type ?? 'ClusterIP';
      if (type === 'NodePort' || type === 'LoadBalancer') add(o, 'exposed-services', `Service type ${type} exposes it outside the cluster; use ClusterIP behind the gateway`);
    }
  }
  return findings;
}
