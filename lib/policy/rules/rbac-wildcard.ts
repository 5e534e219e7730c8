import { PolicyFinding, PolicyManifest, PolicyRule } from '../policy-rule';
import { _at, _list, _obj } from '../json';

/** Verbs that hand out more than they name: granting roles one does not hold, acting as someone else. */
const ESCALATING_VERBS = ['bind', 'escalate', 'impersonate'];

/**
 * CMS-012: no wildcard in a Role's or ClusterRole's rules (verbs, resources, API
 * groups, non-resource URLs) and none of the verbs that escalate by definition
 * (`bind`, `escalate`, `impersonate`).
 */
export const RBAC_WILDCARD: PolicyRule = {
  id: 'CMS-012',
  slug: 'rbac-wildcard',
  description: 'no wildcard verbs, resources or API groups, and no bind, escalate or impersonate, in Roles and ClusterRoles',
  reason: 'a wildcard grants every resource and verb added later too (CRDs included); bind, escalate and impersonate let the holder grant itself anything',
  fix: 'list the API groups, resources and verbs the subject needs; grant roles through the platform pipeline rather than bind or escalate',
  kinds: ['Role', 'ClusterRole'],
  check(manifest: PolicyManifest): PolicyFinding[] {
    const findings: PolicyFinding[] = [];
    _list(manifest.rules).forEach((r, i) => {
      const rule = _obj(r);
      const at = _at(_at('$', 'rules'), i);
      for (const field of ['verbs', 'resources', 'apiGroups', 'nonResourceURLs']) {
        const values = _list(rule[field]);
        const j = values.findIndex(v => v === '*' || (typeof v === 'string' && v.endsWith('/*')));
        if (j >= 0) findings.push({ path: _at(_at(at, field), j), message: `rule ${i} grants the wildcard '${String(values[j])}' in ${field}` });
      }
      _list(rule.verbs).forEach((v, j) => {
        if (typeof v === 'string' && ESCALATING_VERBS.includes(v)) {
          findings.push({ path: _at(_at(at, 'verbs'), j), message: `rule ${i} grants '${v}' on ${_list(rule.resources).join(', ')}` });
        }
      });
    });
    return findings;
  },
};
