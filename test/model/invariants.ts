/**
 * What must hold of the manifests of every valid platform model (issue 13): each
 * declared call opens exactly the caller's egress and the callee's ingress on the
 * callee's port, and nothing else is open; every name is a valid DNS name of the
 * right length; no credential is stored in plaintext.
 */
import { _credentialKind } from '../../lib/internal/credentials';
import { PlatformSpec } from './spec';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Manifest = any;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Kinds whose names must be DNS labels (63), not just subdomains (253). */
const LABEL_NAMED = ['Namespace', 'Service', 'StatefulSet', 'CronJob'];
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Problems with the names and labels of the manifests, one line each. */
export function nameProblems(objects: Manifest[]): string[] {
  const out: string[] = [];
  for (const o of objects) {
    const name: string = o.metadata?.name ?? '';
    const where = `${o.kind}/${o.metadata?.namespace ?? ''}/${name}`;
    const label = LABEL_NAMED.includes(o.kind) || (o.kind === 'ClusterRole' ? false : false);
    if (o.kind !== 'ClusterRole' && o.kind !== 'ClusterRoleBinding' && !(label ? DNS_LABEL.test(name) && name.length <= 63 : DNS_SUBDOMAIN.test(name) && name.length <= 253)) {
      out.push(`${where}: name is not a valid ${label ? 'DNS label' : 'DNS subdomain'}`);
    }
    if (o.kind === 'CronJob' && name.length > 52) out.push(`${where}: a CronJob name longer than 52 characters`);
    for (const [k, v] of Object.entries({ ...(o.metadata?.labels ?? {}), ...(o.spec?.template?.metadata?.labels ?? {}) })) {
      if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) out.push(`${where}: label ${k}=${String(v)} is not a valid label value`);
    }
  }
  return out;
}

/** Plaintext credentials in Secrets or ConfigMaps. */
export function plaintextProblems(objects: Manifest[]): string[] {
  const out: string[] = [];
  for (const o of objects) {
    const where = `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
    if (o.kind === 'Secret' && (Object.keys(o.data ?? {}).length > 0 || Object.keys(o.stringData ?? {}).length > 0)) out.push(`${where}: plaintext Secret`);
    if (o.kind === 'ConfigMap') {
      for (const [k, v] of Object.entries(o.data ?? {})) {
        const kind = _credentialKind(String(v), k);
        if (kind) out.push(`${where}: ${k} looks like ${kind}`);
      }
    }
  }
  return out;
}

interface Rule { peer: string; port: number }

function rules(list: Manifest[] | undefined, side: 'from' | 'to'): Rule[] {
  const out: Rule[] = [];
  for (const r of list ?? []) {
    for (const peer of r[side] ?? []) {
      const ns = peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
      const instance = peer.podSelector?.matchLabels?.['app.kubernetes.io/instance'];
      const who = ns && instance ? `${ns}/${instance}` : peer.ipBlock ? `ip:${peer.ipBlock.cidr}` : JSON.stringify(peer);
      for (const p of r.ports ?? []) out.push({ peer: who, port: p.port });
    }
  }
  return out;
}

const key = (r: Rule) => `${r.peer}:${r.port}`;

/**
 * The declared calls against the workloads' own NetworkPolicies: each call is an
 * egress rule of the caller and an ingress rule of the callee on the callee's
 * container port; the policies hold nothing else (but the API server egress of a
 * workload granted API access).
 */
export function trafficProblems(objects: Manifest[], p: PlatformSpec): string[] {
  const out: string[] = [];
  const policy = (ns: string, name: string) => objects.find(o => o.kind === 'NetworkPolicy' && o.metadata.namespace === ns && o.metadata.name === name);
  const expected = new Map<string, { ingress: Set<string>; egress: Set<string> }>();
  const entry = (ns: string, name: string) => {
    const k = `${ns}/${name}`;
    if (!expected.has(k)) expected.set(k, { ingress: new Set(), egress: new Set() });
    return expected.get(k)!;
  };
  p.contexts.forEach(c => c.workloads.forEach(w => {
    const e = entry(c.name, w.name);
    if (w.grant) e.egress.add(`ip:${p.apiServerCidr}:443`);
  }));
  for (const call of p.calls) {
    const fc = p.contexts[call.from[0]];
    const tc = p.contexts[call.to[0]];
    const caller = fc.workloads[call.from[1]];
    const callee = tc.workloads[call.to[1]];
    const port = callee.ports[call.port].number;
    entry(fc.name, caller.name).egress.add(`${tc.name}/${callee.name}:${port}`);
    entry(tc.name, callee.name).ingress.add(`${fc.name}/${caller.name}:${port}`);
  }
  for (const [k, want] of expected) {
    const [ns, name] = k.split('/');
    const pol = policy(ns, name);
    if (!pol) { out.push(`${k}: no NetworkPolicy`); continue; }
    if (JSON.stringify(pol.spec.policyTypes) !== JSON.stringify(['Ingress', 'Egress'])) out.push(`${k}: policyTypes ${JSON.stringify(pol.spec.policyTypes)}`);
    const got = { ingress: new Set(rules(pol.spec.ingress, 'from').map(key)), egress: new Set(rules(pol.spec.egress, 'to').map(key)) };
    for (const side of ['ingress', 'egress'] as const) {
      for (const r of want[side]) if (!got[side].has(r)) out.push(`${k}: declared ${side} ${r} is missing`);
      for (const r of got[side]) if (!want[side].has(r)) out.push(`${k}: ${side} ${r} is open but was never declared`);
    }
  }
  return out;
}
