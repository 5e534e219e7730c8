/** Kubernetes recommended labels and this library's own. */
export const LABEL = {
  NAME: 'app.kubernetes.io/name',
  INSTANCE: 'app.kubernetes.io/instance',
  VERSION: 'app.kubernetes.io/version',
  COMPONENT: 'app.kubernetes.io/component',
  PART_OF: 'app.kubernetes.io/part-of',
  MANAGED_BY: 'app.kubernetes.io/managed-by',
  CONTEXT: 'cdk8s-microservices.io/context',
  TEAM: 'cdk8s-microservices.io/team',
  TIER: 'cdk8s-microservices.io/priority-tier',
  NAMESPACE_NAME: 'kubernetes.io/metadata.name',
} as const;

/** The value of `app.kubernetes.io/managed-by` on everything rendered. */
export const MANAGED_BY = 'cdk8s';

/**
 * The labels that make Pod Security admission enforce, audit and warn at the
 * `restricted` level, on the namespaces the library renders (a bounded context's, a
 * gateway's).
 */
export function _podSecurityLabels(): { [key: string]: string } {
  const labels: { [key: string]: string } = {};
  for (const mode of ['enforce', 'audit', 'warn']) {
    labels[`pod-security.kubernetes.io/${mode}`] = 'restricted';
    labels[`pod-security.kubernetes.io/${mode}-version`] = 'latest';
  }
  return labels;
}
