import { _POD_KINDS, _containersOf, _podTemplateOf } from '../pod-template';
import { PolicyFinding, PolicyManifest, PolicyRule } from '../policy-rule';
import { _at, _obj } from '../json';

/** CMS-005: every container runs with a read-only root filesystem. */
export const READ_ONLY_ROOT_FILESYSTEM: PolicyRule = {
  id: 'CMS-005',
  slug: 'read-only-root-filesystem',
  description: 'every container has a read-only root filesystem (writable paths are emptyDir or claim volumes)',
  reason: 'an attacker who gets code execution cannot replace the application\'s binaries or drop tools into the image, and nothing writes unbounded data to the node\'s disk',
  fix: 'set securityContext.readOnlyRootFilesystem: true and mount an emptyDir (with a sizeLimit) where the program writes, such as /tmp',
  kinds: _POD_KINDS,
  check(manifest: PolicyManifest): PolicyFinding[] {
    const pod = _podTemplateOf(manifest);
    return (pod === undefined ? [] : _containersOf(pod)).filter(c => c.list !== 'ephemeralContainers')
      .filter(c => _obj(c.container.securityContext).readOnlyRootFilesystem !== true)
      .map(c => ({ path: _at(_at(c.path, 'securityContext'), 'readOnlyRootFilesystem'), message: `container '${c.name}' has a writable root filesystem` }));
  },
};
