import { _LONG_RUNNING_KINDS, _containersOf, _podTemplateOf } from '../pod-template';
import { PolicyFinding, PolicyManifest, PolicyRule } from '../policy-rule';
import { _at } from '../json';

/**
 * CMS-002: every long-running container (a regular container or a native sidecar of
 * a long-running workload) has a readiness and a liveness probe.
 */
export const PROBES: PolicyRule = {
  id: 'CMS-002',
  slug: 'probes',
  description: 'every long-running container has a readiness and a liveness probe',
  reason: 'without readiness a pod gets traffic before it can serve and during a rollout; without liveness a hung process is never restarted',
  fix: 'add readinessProbe and livenessProbe (different checks: readiness says whether to send traffic, liveness whether to restart)',
  kinds: _LONG_RUNNING_KINDS,
  check(manifest: PolicyManifest): PolicyFinding[] {
    const findings: PolicyFinding[] = [];
    const pod = _podTemplateOf(manifest);
    for (const c of pod === undefined ? [] : _containersOf(pod).filter(x => x.longRunning)) {
      for (const probe of ['readinessProbe', 'livenessProbe']) {
        if (c.container[probe] === undefined || c.container[probe] === null) {
          findings.push({ path: _at(c.path, probe), message: `container '${c.name}' has no ${probe}` });
        }
      }
    }
    return findings;
  },
};
