/**
 * What the library knows of the built-in Kubernetes API for RBAC: which group each
 * built-in resource lives in (a rule naming `deployments` in the core group grants
 * nothing, silently), and what the built-in ClusterRoles grant (so that a grant is
 * judged by its permissions, not by its name: `system:aggregate-to-edit` carries what
 * `edit` does).
 *
 * @see https://kubernetes.io/docs/reference/kubernetes-api/
 * @see https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles
 */

/** Built-in API groups ('' is core) and their resources, with the subresources RBAC names. */
const BUILT_IN: { [group: string]: string[] } = {
  '': ['bindings', 'componentstatuses', 'configmaps', 'endpoints', 'events', 'limitranges', 'namespaces', 'namespaces/finalize',
    'namespaces/status', 'nodes', 'nodes/proxy', 'nodes/status', 'persistentvolumeclaims', 'persistentvolumeclaims/status',
    'persistentvolumes', 'persistentvolumes/status', 'pods', 'pods/attach', 'pods/binding', 'pods/ephemeralcontainers', 'pods/eviction',
    'pods/exec', 'pods/log', 'pods/portforward', 'pods/proxy', 'pods/resize', 'pods/status', 'podtemplates', 'replicationcontrollers',
    'replicationcontrollers/scale', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status', 'secrets',
    'serviceaccounts', 'serviceaccounts/token', 'services', 'services/proxy', 'services/status',
    // what the impersonate verb names
    'groups', 'uids', 'users'],
  'apps': ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status',
    'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status'],
  'batch': ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'],
  'autoscaling': ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'],
  'policy': ['poddisruptionbudgets', 'poddisruptionbudgets/status'],
  'networking.k8s.io': ['ingressclasses', 'ingresses', 'ingresses/status', 'ipaddresses', 'networkpolicies', 'servicecidrs', 'servicecidrs/status'],
  'rbac.authorization.k8s.io': ['clusterrolebindings', 'clusterroles', 'rolebindings', 'roles'],
  'coordination.k8s.io': ['leases', 'leasecandidates'],
  'discovery.k8s.io': ['endpointslices'],
  'events.k8s.io': ['events'],
  'scheduling.k8s.io': ['priorityclasses'],
  'storage.k8s.io': ['csidrivers', 'csinodes', 'csistoragecapacities', 'storageclasses', 'volumeattachments', 'volumeattachments/status', 'volumeattributesclasses'],
  'node.k8s.io': ['runtimeclasses'],
  'certificates.k8s.io': ['certificatesigningrequests', 'certificatesigningrequests/approval', 'certificatesigningrequests/status', 'clustertrustbundles'],
  'admissionregistration.k8s.io': ['mutatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicies/status',
    'validatingadmissionpolicybindings', 'validatingwebhookconfigurations', 'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings'],
  'apiextensions.k8s.io': ['customresourcedefinitions', 'customresourcedefinitions/status'],
  'apiregistration.k8s.io': ['apiservices', 'apiservices/status'],
  'authentication.k8s.io': ['selfsubjectreviews', 'tokenreviews'],
  'authorization.k8s.io': ['localsubjectaccessreviews', 'selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'subjectaccessreviews'],
  'flowcontrol.apiserver.k8s.io': ['flowschemas', 'flowschemas/status', 'prioritylevelconfigurations', 'prioritylevelconfigurations/status'],
  'metrics.k8s.io': ['nodes', 'pods'],
  'resource.k8s.io': ['deviceclasses', 'resourceclaims', 'resourceclaims/status', 'resourceclaimtemplates', 'resourceslices'],
};

/** Where a built-in resource lives, or undefined for a resource no built-in group has. */
export function _builtInGroupsOf(resource: string): string[] {
  return Object.entries(BUILT_IN).filter(([, resources]) => resources.includes(resource)).map(([g]) => g);
}

/** Whether `group` is a built-in API group (its resources are known). */
export function _isBuiltInGroup(group: string): boolean {
  return Object.prototype.hasOwnProperty.call(BUILT_IN, group);
}

/** The built-in resources of a group whose name is closest to `resource` (a typo, a singular). */
export function _closestResource(group: string, resource: string): string | undefined {
  const candidates = BUILT_IN[group] ?? [];
  const plural = candidates.find(c => c === `${resource}s` || c === `${resource}es` || c === resource.toLowerCase());
  if (plural) {
    return plural;
  }
  let best: { name: string; distance: number } | undefined;
  for (const c of candidates) {
    const d = distance(resource, c);
    if (d <= 3 && (!best || d < best.distance)) best = { name: c, distance: d };
  }
  return best?.name;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** A built-in ClusterRole: whether a context may bind it, and why not. */
export interface _KnownClusterRole {
  /** Whether binding it in a namespace stays within what a team may hold. */
  readonly bindable: boolean;
  /** What it grants, for the error message. */
  readonly grants: string;
}

const REACHES = 'reads and writes Secrets, execs into pods and impersonates ServiceAccounts';

/**
 * The built-in ClusterRoles by name, including the aggregated pieces they are built from:
 * `system:aggregate-to-edit` is `edit` under another name.
 */
export const _KNOWN_CLUSTER_ROLES: { [name: string]: _KnownClusterRole } = {
  'view': { bindable: true, grants: 'read access to most objects of the namespace, not Secrets' },
  'system:aggregate-to-view': { bindable: true, grants: 'the read access `view` aggregates, not Secrets' },
  'edit': { bindable: false, grants: REACHES },
  'system:aggregate-to-edit': { bindable: false, grants: `the part of \`edit\` that ${REACHES}` },
  'admin': { bindable: false, grants: `everything \`edit\` does, and it ${REACHES}, and manages Roles and RoleBindings` },
  'system:aggregate-to-admin': { bindable: false, grants: 'the part of `admin` that manages Roles, RoleBindings and LocalSubjectAccessReviews' },
  'cluster-admin': { bindable: false, grants: 'every verb on every resource' },
};
