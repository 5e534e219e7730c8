/**
 * Generated models (issue 13) in the mesh (issue 24): for every generated platform,
 * the (caller, callee, port) calls the rendered AuthorizationPolicies allow equal
 * those the NetworkPolicies allow, and both equal the declared calls; every context
 * requires mutual TLS and denies by default; the gateway's proxies are allowed on
 * exactly the routed ports. Sidecar and ambient mode alternate (ambient: every call's
 * NetworkPolicy rule admits HBONE too).
 */
import { App, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { buildPlatform, PlatformSpec, platformSpec } from '../model/spec';
import { authorizedCalls, callKey, differences, HBONE_PORT, Manifest, networkCalls } from './mesh-invariants';

const params: fc.Parameters<unknown> = {
  numRuns: Number(process.env.FC_RUNS ?? 60),
  seed: Number(process.env.FC_SEED ?? 20261206),
  ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
};

function synth(p: PlatformSpec): Manifest[] {
  const app: App = Testing.app();
  buildPlatform(app, p);
  return app.node.children.flatMap(c => Testing.synth(c as never));
}

export function meshProblems(objects: Manifest[], p: PlatformSpec): string[] {
  const declared = new Set(p.calls.map(call => {
    const from = p.contexts[call.from[0]];
    const to = p.contexts[call.to[0]];
    const callee = to.workloads[call.to[1]];
    return callKey(`${from.name}/${from.workloads[call.from[1]].name}`, `${to.name}/${callee.name}`, callee.ports[call.port].number);
  }));
  const workloads = new Set(p.contexts.flatMap(c => c.workloads.map(w => `${c.name}/${w.name}`)));
  const authz = authorizedCalls(objects);
  const routed = new Set(p.routes.map(r => callKey('envoy-gateway-system/*', `${p.contexts[r.to[0]].name}/${p.contexts[r.to[0]].workloads[r.to[1]].name}`, p.contexts[r.to[0]].workloads[r.to[1]].ports[0].number)));
  const out = [
    ...authz.problems,
    ...differences('AuthorizationPolicy', declared, authz.calls),
    ...differences('NetworkPolicy', declared, networkCalls(objects, workloads)),
    ...differences('AuthorizationPolicy (gateway proxies)', routed, authz.wildcards),
  ];
  for (const c of p.contexts) {
    const pa = objects.find(o => o.kind === 'PeerAuthentication' && o.metadata.namespace === c.name && o.metadata.name === 'default');
    if (pa?.spec?.mtls?.mode !== 'STRICT') out.push(`${c.name}: no PeerAuthentication 'default' with mTLS STRICT`);
    if (!objects.some(o => o.kind === 'AuthorizationPolicy' && o.metadata.namespace === c.name && o.metadata.name === 'default-deny')) out.push(`${c.name}: no default-deny AuthorizationPolicy`);
    for (const w of c.workloads) {
      if (!objects.some(o => o.kind === 'AuthorizationPolicy' && o.metadata.namespace === c.name && o.metadata.name === w.name)) out.push(`${c.name}/${w.name}: no AuthorizationPolicy`);
    }
  }
  if (p.mesh === 'ambient') {
    for (const o of objects.filter(x => x.kind === 'NetworkPolicy' && workloads.has(`${x.metadata.namespace}/${x.metadata.name}`))) {
      for (const r of [...(o.spec.ingress ?? []), ...(o.spec.egress ?? [])]) {
        const peers = [...(r.from ?? []), ...(r.to ?? [])];
        if (peers.some((x: Manifest) => x.podSelector) && !(r.ports ?? []).some((x: Manifest) => x.port === HBONE_PORT)) {
          out.push(`${o.metadata.namespace}/${o.metadata.name}: a call's rule without HBONE (${HBONE_PORT}) in ambient mode`);
        }
      }
    }
  }
  return out;
}

describe('generated platform models in the mesh', () => {
  test('the AuthorizationPolicies allow exactly the calls the NetworkPolicies allow, which are exactly the declared calls', () => {
    let calls = 0;
    fc.assert(fc.property(platformSpec, fc.boolean(), (spec, ambient) => {
      const p: PlatformSpec = { ...spec, mesh: ambient ? 'ambient' : 'sidecar' };
      calls += p.calls.length;
      const problems = meshProblems(synth(p), p);
      if (problems.length > 0) throw new Error(problems.join('\n'));
    }), params);
    // the property is about calls: the generated models must declare some
    expect(calls).toBeGreaterThan(50);
  });

  test('the comparison fails when a policy allows one call more or one less', () => {
    const [spec] = fc.sample(platformSpec.filter(s => s.calls.length > 0), { numRuns: 1, seed: 7 });
    const p: PlatformSpec = { ...spec, mesh: 'sidecar' };
    const objects = synth(p);
    expect(meshProblems(objects, p)).toEqual([]);
    const policy = objects.find(o => o.kind === 'AuthorizationPolicy' && o.spec?.rules?.some((r: Manifest) => !r.from[0].source.principals[0].endsWith('*')));
    const widened = JSON.parse(JSON.stringify(objects)) as Manifest[];
    const target = widened.find(o => o.kind === 'AuthorizationPolicy' && o.metadata.name === policy.metadata.name && o.metadata.namespace === policy.metadata.namespace);
    target.spec.rules[0].to[0].operation.ports.push('9999');
    expect(meshProblems(widened, p).join('\n')).toMatch(/AuthorizationPolicy: .*:9999 is allowed but was never declared/);
    target.spec.rules.shift();
    expect(meshProblems(widened, p).join('\n')).toMatch(/AuthorizationPolicy: declared .* is not allowed/);
  });
});
