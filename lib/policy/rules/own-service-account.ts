import { _POD_KINDS, _podTemplateOf, _sameNamespace } from '../pod-template';
import { PolicyContext, PolicyFinding, PolicyManifest, PolicyRule } from '../policy-rule';
import { _at, _str } from '../json';

/** The ServiceAccount a pod runs as (`serviceAccountName`, or the deprecated `serviceAccount`), or 'default'; undefined without a pod template. */
function accountOf(manifest: PolicyManifest): string | undefined {
  const spec = _podTemplateOf(manifest)?.spec;
  return spec === undefined ? undefined : _str(spec.serviceAccountName) ?? _str(spec.serviceAccount) ?? 'default';
}

/** The application a pod template belongs to (`app.kubernetes.io/name`), if it says. */
function applicationOf(manifest: PolicyManifest): string | undefined {
  return _podTemplateOf(manifest)?.labels['app.kubernetes.io/name'];
}

/**
 * CMS-006: every workload runs as a ServiceAccount of its own, defined in the same
 * set of manifests and used by no other workload of the set. The tracks of one
 * application (the same `app.kubernetes.io/name` on their pods: a canary, the
 * blue and green of a release) are one identity and share it.
 */
export const OWN_SERVICE_ACCOUNT: PolicyRule = {
  id: 'CMS-006',
  slug: 'own-service-account',
  description: 'every workload runs as its own ServiceAccount, defined beside it and shared with no other workload',
  reason: 'the namespace\'s default ServiceAccount, or one shared by several workloads, gives each of them the permissions of all: RBAC and audit logs cannot tell them apart (the release tracks of one application, same app.kubernetes.io/name, are one identity)',
  fix: 'create a ServiceAccount per workload in the same app and set serviceAccountName to it',
  kinds: _POD_KINDS,
  check(manifest: PolicyManifest, context: PolicyContext): PolicyFinding[] {
    const pod = _podTemplateOf(manifest);
    const account = accountOf(manifest);
    if (pod === undefined || account === undefined) {
      return [];
    }
    const path = _at(pod.path, 'serviceAccountName');
    if (account === 'default') {
      return [{ path, message: 'the pods run as the namespace\'s default ServiceAccount' }];
    }
    if (!_sameNamespace(context, manifest, 'ServiceAccount').some(sa => sa.metadata?.name === account)) {
      return [{ path, message: `ServiceAccount '${account}' is not among the manifests (in namespace '${manifest.metadata?.namespace ?? ''}')` }];
    }
    const app = applicationOf(manifest);
    const others = context.manifests.filter(m => m !== manifest && _POD_KINDS.includes(m.kind ?? '')
      && (m.metadata?.namespace ?? '') === (manifest.metadata?.namespace ?? '') && accountOf(m) === account
      && (app === undefined || applicationOf(m) !== app));
    if (others.length > 0) {
      return [{ path, message: `ServiceAccount '${account}' is shared with ${others.map(o => `${o.kind} '${o.metadata?.name ?? ''}'`).join(', ')}` }];
    }
    return [];
  },
};
