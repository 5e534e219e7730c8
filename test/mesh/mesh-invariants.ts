/**
 * Who may call whom, read back from rendered manifests (issue 24): the
 * AuthorizationPolicies' (caller, callee, port) triples, the NetworkPolicies' ones,
 * and the declared calls, so that a test can show the two layers and the model agree
 * call by call. Used by the generated-model test and by the access matrix on dist/.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export type Manifest = any;

/** ztunnel's HBONE port, which ambient mode adds to every call's NetworkPolicy rule. */
export const HBONE_PORT = 15008;

/** A call as `<caller ns>/<caller>` -> `<callee ns>/<callee>`:`<container port>`. */
export type CallKey = string;

export const callKey = (caller: string, callee: string, port: number | string): CallKey => `${caller} -> ${callee}:${port}`;

const IDENTITY = /^[^/]+\/ns\/([^/]+)\/sa\/([^/*]+)$/;

/**
 * The calls the workloads' AuthorizationPolicies allow from one ServiceAccount
 * (a caller is named by its namespace and ServiceAccount, which the library names
 * after the workload), and the wildcard grants (a whole namespace's identities: a
 * gateway's proxies, Prometheus) apart.
 */
export function authorizedCalls(objects: Manifest[]): { calls: Set<CallKey>; wildcards: Set<CallKey>; problems: string[] } {
  const calls = new Set<CallKey>();
  const wildcards = new Set<CallKey>();
  const problems: string[] = [];
  for (const o of objects.filter(x => x.kind === 'AuthorizationPolicy' && x.apiVersion === 'security.istio.io/v1')) {
    const callee = `${o.metadata.namespace}/${o.metadata.name}`;
    const action = o.spec?.action ?? 'ALLOW';
    if (action !== 'ALLOW') problems.push(`${callee}: action ${action}, where only ALLOW policies are rendered`);
    if (!o.spec?.selector && o.metadata.name !== 'default-deny') problems.push(`${callee}: a workload's policy without a selector applies to the whole namespace`);
    if (o.metadata.name === 'default-deny' && (o.spec?.selector || o.spec?.rules)) problems.push(`${callee}: the namespace's default-deny selects or allows something`);
    for (const rule of o.spec?.rules ?? []) {
      if (rule.when || !rule.from || !rule.to) problems.push(`${callee}: a rule without a source or an operation, or with conditions, allows more than a call`);
      for (const from of rule.from ?? []) {
        for (const principal of from.source?.principals ?? []) {
          for (const to of rule.to ?? []) {
            for (const port of to.operation?.ports ?? []) {
              const id = IDENTITY.exec(principal);
              const wildcard = /^[^/]+\/ns\/([^/]+)\/sa\/\*$/.exec(principal);
              if (id) calls.add(callKey(`${id[1]}/${id[2]}`, callee, port));
              else if (wildcard) wildcards.add(callKey(`${wildcard[1]}/*`, callee, port));
              else problems.push(`${callee}: principal '${principal}' is neither one identity nor one namespace`);
            }
            if (!to.operation?.ports) problems.push(`${callee}: a rule on every port`);
          }
        }
        if (!from.source?.principals || Object.keys(from.source).length !== 1) problems.push(`${callee}: a source other than principals (${JSON.stringify(from.source)})`);
      }
    }
  }
  return { calls, wildcards, problems };
}

/**
 * The calls the workloads' own NetworkPolicies (named after the workload) admit on
 * ingress from one workload (a peer selecting a namespace and a workload), without
 * the HBONE port of ambient mode.
 */
export function networkCalls(objects: Manifest[], workloads: Set<string>): Set<CallKey> {
  const out = new Set<CallKey>();
  for (const o of objects.filter(x => x.kind === 'NetworkPolicy' && workloads.has(`${x.metadata.namespace}/${x.metadata.name}`))) {
    const callee = `${o.metadata.namespace}/${o.metadata.name}`;
    for (const r of o.spec?.ingress ?? []) {
      for (const peer of r.from ?? []) {
        const ns = peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
        const labels = peer.podSelector?.matchLabels ?? {};
        const name = labels['app.kubernetes.io/instance'] ?? labels['app.kubernetes.io/name'];
        if (!ns || !name) continue;
        for (const p of r.ports ?? []) if (p.port !== HBONE_PORT) out.add(callKey(`${ns}/${name}`, callee, p.port));
      }
    }
  }
  return out;
}

/** The differences between two sets of calls, one line each. */
export function differences(what: string, want: Set<CallKey>, got: Set<CallKey>): string[] {
  return [
    ...[...want].filter(k => !got.has(k)).map(k => `${what}: declared ${k} is not allowed`),
    ...[...got].filter(k => !want.has(k)).map(k => `${what}: ${k} is allowed but was never declared`),
  ];
}
