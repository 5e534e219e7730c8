import { PolicyManifest, PolicyPack, PolicyViolation } from '../../lib';

/** A rendered object, mutable, for fixtures. */
export type Obj = { [key: string]: any };

/**
 * A workload that complies with every rule of the pack, with what it needs beside
 * it: its own ServiceAccount, a disruption budget and a default-deny network policy.
 * Each call returns fresh objects, so that a test can break one thing.
 */
export function compliantApp(): { sa: Obj; deployment: Obj; pdb: Obj; deny: Obj; all: Obj[] } {
  const labels = { 'app.kubernetes.io/name': 'web' };
  const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'shop' }, automountServiceAccountToken: false };
  const deployment = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' },
    spec: {
      replicas: 3,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels: { ...labels, tier: 'frontend' } },
        spec: {
          serviceAccountName: 'web',
          automountServiceAccountToken: false,
          priorityClassName: 'standard',
          securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } },
            { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: labels } },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
          containers: [container('web', 'ghcr.io/acme/web:1.4.2')],
        },
      },
    },
  };
  const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'shop' }, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } };
  const deny = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
  return { sa, deployment, pdb, deny, all: [sa, deployment, pdb, deny] };
}

/** A container that complies with every rule. */
export function container(name: string, image: string): Obj {
  return {
    name, image,
    env: [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
    args: ['--port=8080', '--password-file=/run/secrets/db/password'],
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    livenessProbe: { httpGet: { path: '/live', port: 8080 } },
    resources: {
      requests: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '64Mi' },
      limits: { 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '256Mi' },
    },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}

/** The violations of the whole pack on `manifests`, as `ruleId path` strings (what a reader compares). */
export function found(manifests: readonly Obj[] | readonly PolicyManifest[]): string[] {
  return new PolicyPack().check(manifests).violations.map(v => `${v.ruleId} ${v.kind}/${v.name} ${v.path}`);
}

/** The violations of the whole pack on `manifests`. */
export function violations(manifests: readonly Obj[]): PolicyViolation[] {
  return new PolicyPack().check(manifests).violations;
}

/** The pod spec of the compliant Deployment. */
export function pod(app: { deployment: Obj }): Obj {
  return app.deployment.spec.template.spec;
}
