import { _POD_KINDS, _containersOf, _podTemplateOf } from '../pod-template';
import { PolicyFinding, PolicyManifest, PolicyRule } from '../policy-rule';
import { _at, _obj } from '../json';

const RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

/**
 * CMS-003: every container (init and sidecar containers too) requests and limits
 * CPU, memory and ephemeral storage.
 */
export const RESOURCES_SET: PolicyRule = {
  id: 'CMS-003',
  slug: 'resources',
  description: 'every container sets requests and limits for cpu, memory and ephemeral-storage',
  reason: 'without requests the scheduler overcommits nodes; without limits one pod can starve its neighbours or fill the node\'s disk (logs, /tmp, emptyDir) and get every pod on it evicted',
  fix: 'set resources.requests and resources.limits for cpu, memory and ephemeral-storage on every container',
  kinds: _POD_KINDS,
  check(manifest: PolicyManifest): PolicyFinding[] {
    const findings: PolicyFinding[] = [];
    const pod = _podTemplateOf(manifest);
    for (const c of pod === undefined ? [] : _containersOf(pod).filter(x => x.list !== 'ephemeralContainers')) {
      const resources = _obj(c.container.resources);
      for (const side of ['requests', 'limits']) {
        const set = _obj(resources[side]);
        const missing = RESOURCES.filter(r => set[r] === undefined || set[r] === null || set[r] === '');
        if (missing.length > 0) {
          findings.push({ path: _at(_at(c.path, 'resources'), side), message: `container '${c.name}' has no ${side} for ${missing.join(', ')}` });
        }
      }
    }
    return findings;
  },
};
