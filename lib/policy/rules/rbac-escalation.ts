import { ESCALATION_ANNOTATION, _escalationOf } from '../../access/escalation';
import { _KNOWN_CLUSTER_ROLES } from '../../internal/rbac';
import { PolicyFinding, PolicyManifest, PolicyRule } from '../policy-rule';
import { _at, _list, _obj, _str } from '../json';

/** Verbs that read. */
const READ_VERBS = ['get', 'list', 'watch'];

/** Core subresources that reach into a running pod or mint credentials, with the verbs that do. */
const REACHING: { readonly [resource: string]: readonly string[] } = {
  'pods/exec': ['create', 'get'],
  'pods/attach': ['create', 'get'],
  'serviceaccounts/token': ['create'],
  'nodes/proxy': ['create', 'get'],
};

function roleFindings(manifest: PolicyManifest): PolicyFinding[] {
  // the library's acknowledgement of an escalating Role: a reviewed, written reason (Escalation.acknowledge asks 10 characters)
  if ((_str(manifest.metadata?.annotations?.[ESCALATION_ANNOTATION]) ?? '').trim().length >= 10) {
    return [];
  }
  const findings: PolicyFinding[] = [];
  _list(manifest.rules).forEach((r, i) => {
    const rule = _obj(r);
    const at = _at(_at('$', 'rules'), i);
    const groups = _list(rule.apiGroups).filter((g): g is string => typeof g === 'string');
    const resources = _list(rule.resources).filter((x): x is string => typeof x === 'string');
    const verbs = _list(rule.verbs).filter((v): v is string => typeof v === 'string');
    if (groups.includes('') && resources.includes('secrets')) {
      const read = verbs.filter(v => READ_VERBS.includes(v));
      if (read.length > 0) findings.push({ path: _at(at, 'resources'), message: `rule ${i} reads Secrets (${read.join(', ')})` });
    }
    if (groups.includes('')) {
      for (const res of resources.filter(x => REACHING[x] !== undefined)) {
        const v = verbs.find(x => REACHING[res].includes(x));
        if (v !== undefined) findings.push({ path: _at(at, 'resources'), message: `rule ${i} grants ${v} ${res}, which reaches into pods or mints tokens` });
      }
    }
    for (const apiGroup of groups) {
      const e = _escalationOf({ apiGroup, resources, verbs });
      if (e !== undefined) findings.push({ path: _at(at, 'verbs'), message: `rule ${i} grants ${e.what}, which ${e.why}` });
    }
  });
  return findings;
}

/**
 * CMS-013: no grant that reaches beyond what it names: reading Secrets, exec or
 * attach into pods, minting tokens, pod-creating or ExternalSecret writes, unless
 * the Role carries the acknowledgement `cdk8s-microservices.io/escalation` with its
 * reason (as `Escalation.acknowledge` and the operator role write it); and no
 * binding of the built-in roles that reach Secrets (`edit`, `admin`,
 * `cluster-admin` and their aggregated pieces).
 */
export const RBAC_ESCALATION: PolicyRule = {
  id: 'CMS-013',
  slug: 'rbac-escalation',
  description: 'no unacknowledged grant that reaches Secrets, pods\' insides or other identities (Secret reads, exec, tokens, pod-creating writes), no edit/admin bindings',
  reason: 'each of these lets the holder act with other workloads\' credentials: whoever can create a pod can mount any Secret and run as any ServiceAccount of the namespace',
  fix: 'grant only what the subject needs; mount the Secrets a workload needs instead of reading them through the API; acknowledge a deployer\'s pod-creating grant with the cdk8s-microservices.io/escalation annotation and its reason',
  kinds: ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
  check(manifest: PolicyManifest): PolicyFinding[] {
    if (manifest.kind === 'Role' || manifest.kind === 'ClusterRole') {
      return roleFindings(manifest);
    }
    const ref = _obj(manifest.roleRef);
    const known = ref.kind === 'ClusterRole' ? _KNOWN_CLUSTER_ROLES[_str(ref.name) ?? ''] : undefined;
    return known === undefined || known.bindable ? []
      : [{ path: '$.roleRef.name', message: `binds the built-in ClusterRole '${String(ref.name)}', which grants ${known.grants}` }];
  },
};
