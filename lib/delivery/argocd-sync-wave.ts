/**
 * The Argo CD sync waves of the platform's objects, derived from their kinds: what an
 * object needs must be applied, and healthy, before it. Argo CD applies an
 * application's waves in ascending order and waits for each wave to be healthy before
 * the next; inside a wave it orders by kind (Namespace first, workloads after their
 * Services), but it puts every kind it does not know (the custom resources of
 * External Secrets, Sealed Secrets, Gateway API, prometheus-operator) after all the
 * kinds it knows: without waves an ExternalSecret would be applied after the
 * Deployment that mounts its Secret.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 */

/** The annotation that carries an object's sync wave. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/**
 * The waves, in the order Argo CD applies them. Each names what it holds and why it
 * comes where it does.
 */
export const ArgoCdSyncWave = {
  /** The namespace and what governs it: quota, limits, RBAC, network policy, configuration, cluster-scoped policy. Nothing in it runs. */
  FOUNDATION: 0,
  /** The sources of Secrets (ExternalSecret, SealedSecret, SecretStore, Secret) and the configuration custom resources: a pod that mounts a Secret waits for it. */
  SECRETS: 1,
  /** Stores (StatefulSets and their claims) and the Services in front of workloads: the services that use a store start after it. */
  STORES: 2,
  /** The workloads (Deployment, Rollout, Job, CronJob) and what scales or protects them (HorizontalPodAutoscaler, PodDisruptionBudget). */
  WORKLOADS: 3,
  /** Traffic from outside and observation: the Gateway and its routes and policies, ServiceMonitors, PodMonitors, PrometheusRules, once their targets exist. */
  EXPOSURE: 4,
} as const;

/** One of the `ArgoCdSyncWave` values. */
export type ArgoCdSyncWave = typeof ArgoCdSyncWave[keyof typeof ArgoCdSyncWave];

/** Kinds by `group/Kind` (the core group is ''), and their wave. */
const WAVES: Readonly<Record<string, ArgoCdSyncWave>> = {
  '/Namespace': ArgoCdSyncWave.FOUNDATION,
  '/ResourceQuota': ArgoCdSyncWave.FOUNDATION,
  '/LimitRange': ArgoCdSyncWave.FOUNDATION,
  '/ServiceAccount': ArgoCdSyncWave.FOUNDATION,
  '/ConfigMap': ArgoCdSyncWave.FOUNDATION,
  'rbac.authorization.k8s.io/Role': ArgoCdSyncWave.FOUNDATION,
  'rbac.authorization.k8s.io/RoleBinding': ArgoCdSyncWave.FOUNDATION,
  'rbac.authorization.k8s.io/ClusterRole': ArgoCdSyncWave.FOUNDATION,
  'rbac.authorization.k8s.io/ClusterRoleBinding': ArgoCdSyncWave.FOUNDATION,
  'networking.k8s.io/NetworkPolicy': ArgoCdSyncWave.FOUNDATION,
  'scheduling.k8s.io/PriorityClass': ArgoCdSyncWave.FOUNDATION,
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy': ArgoCdSyncWave.FOUNDATION,
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding': ArgoCdSyncWave.FOUNDATION,
  'apiextensions.k8s.io/CustomResourceDefinition': ArgoCdSyncWave.FOUNDATION,
  '/Secret': ArgoCdSyncWave.SECRETS,
  'external-secrets.io/ExternalSecret': ArgoCdSyncWave.SECRETS,
  'external-secrets.io/SecretStore': ArgoCdSyncWave.SECRETS,
  'external-secrets.io/ClusterSecretStore': ArgoCdSyncWave.SECRETS,
  'bitnami.com/SealedSecret': ArgoCdSyncWave.SECRETS,
  'gateway.envoyproxy.io/EnvoyProxy': ArgoCdSyncWave.SECRETS,
  'argoproj.io/AnalysisTemplate': ArgoCdSyncWave.SECRETS,
  'apps/StatefulSet': ArgoCdSyncWave.STORES,
  '/PersistentVolumeClaim': ArgoCdSyncWave.STORES,
  '/Service': ArgoCdSyncWave.STORES,
  'apps/Deployment': ArgoCdSyncWave.WORKLOADS,
  'apps/DaemonSet': ArgoCdSyncWave.WORKLOADS,
  'argoproj.io/Rollout': ArgoCdSyncWave.WORKLOADS,
  'batch/Job': ArgoCdSyncWave.WORKLOADS,
  'batch/CronJob': ArgoCdSyncWave.WORKLOADS,
  'autoscaling/HorizontalPodAutoscaler': ArgoCdSyncWave.WORKLOADS,
  'policy/PodDisruptionBudget': ArgoCdSyncWave.WORKLOADS,
  'gateway.networking.k8s.io/Gateway': ArgoCdSyncWave.EXPOSURE,
  'gateway.networking.k8s.io/HTTPRoute': ArgoCdSyncWave.EXPOSURE,
  'gateway.networking.k8s.io/GRPCRoute': ArgoCdSyncWave.EXPOSURE,
  'gateway.networking.k8s.io/TCPRoute': ArgoCdSyncWave.EXPOSURE,
  'gateway.networking.k8s.io/TLSRoute': ArgoCdSyncWave.EXPOSURE,
  'gateway.networking.k8s.io/ReferenceGrant': ArgoCdSyncWave.EXPOSURE,
  'gateway.envoyproxy.io/BackendTrafficPolicy': ArgoCdSyncWave.EXPOSURE,
  'gateway.envoyproxy.io/ClientTrafficPolicy': ArgoCdSyncWave.EXPOSURE,
  'gateway.envoyproxy.io/SecurityPolicy': ArgoCdSyncWave.EXPOSURE,
  'networking.k8s.io/Ingress': ArgoCdSyncWave.EXPOSURE,
  'monitoring.coreos.com/ServiceMonitor': ArgoCdSyncWave.EXPOSURE,
  'monitoring.coreos.com/PodMonitor': ArgoCdSyncWave.EXPOSURE,
  'monitoring.coreos.com/PrometheusRule': ArgoCdSyncWave.EXPOSURE,
};

/**
 * The sync wave of an object of `apiVersion` and `kind`. A kind the table does not
 * know is configuration that workloads may read (a custom resource of an operator the
 * platform added): it goes with the Secrets, before every workload.
 */
export function argoCdSyncWaveOf(apiVersion: string, kind: string): ArgoCdSyncWave {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return WAVES[`${group}/${kind}`] ?? ArgoCdSyncWave.SECRETS;
}
