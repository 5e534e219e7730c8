import { _POD_KINDS, _podTemplateOf, _sameNamespace } from '../pod-template';
import { PolicyContext, PolicyFinding, PolicyManifest, PolicyRule } from '../policy-rule';
import { _at, _str } from '../json';

/**
 * CMS-007: no API token is mounted unless asked for: ServiceAccounts set
 * `automountServiceAccountToken: false`, and pods set it too, or run as a
 * ServiceAccount of the set that does.
 */
export const SERVICE_ACCOUNT_TOKEN: PolicyRule = {
  id: 'CMS-007',
  slug: 'service-account-token',
  description: 'no Kubernetes API token is mounted into pods that do not call the API (automountServiceAccountToken: false)',
  reason: 'a mounted token lets anyone who gets code execution in the container call the API server with the ServiceAccount\'s permissions',
  fix: 'set automountServiceAccountToken: false on the ServiceAccount and the pod spec; a pod that calls the API mounts a projected, short-lived token explicitly',
  kinds: [..._POD_KINDS, 'ServiceAccount'],
  check(manifest: PolicyManifest, context: PolicyContext): PolicyFinding[] {
    if (manifest.kind === 'ServiceAccount') {
      return manifest.automountServiceAccountToken === false ? []
        : [{ path: '$.automountServiceAccountToken', message: `ServiceAccount '${manifest.metadata?.name ?? ''}' does not set automountServiceAccountToken: false` }];
    }
    const pod = _podTemplateOf(manifest);
    if (pod === undefined) {
      return [];
    }
    const own = pod.spec.automountServiceAccountToken;
    if (own === false) {
      return [];
    }
    const account = _str(pod.spec.serviceAccountName) ?? _str(pod.spec.serviceAccount) ?? 'default';
    const sa = _sameNamespace(context, manifest, 'ServiceAccount').find(s => s.metadata?.name === account);
    if (own === undefined && sa?.automountServiceAccountToken === false) {
      return [];
    }
    return [{ path: _at(pod.path, 'automountServiceAccountToken'),
      message: own === true ? 'the pods mount the ServiceAccount token (automountServiceAccountToken: true)'
        : `the pods mount the token of ServiceAccount '${account}' (automountServiceAccountToken is not false on the pod or on a ServiceAccount of the set)` }];
  },
};
