/**
 * The server-side half of the generated-model tests (issue 13): a few hundred
 * generated platforms, valid ones and single mutations of valid ones, are
 * synthesized; what the library refuses is counted, what it accepts goes through a
 * strict server-side dry-run on a real API server. The gate fails on every case the
 * library accepted and the API server rejected (or warned about).
 *
 *   CONFORMANCE_MODELS=300 CONFORMANCE_MODELS_SEED=7 npm run conformance
 */
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { MUTATIONS } from '../model/mutations';
import { buildPlatform, PlatformSpec, platformSpec } from '../model/spec';
import { ControlPlane, Finding, GateResult, K8sObject, makeTemp, progress, removeTemp, run } from './harness';

export interface Case { index: number; label: string; objects: K8sObject[] }

/** The cases: every fourth a valid model, the others a mutation of one (deterministic for a seed). */
export function generateCases(count: number, seed: number): { accepted: Case[]; refused: number } {
  const samples = fc.sample(fc.tuple(platformSpec, fc.nat(), fc.nat()), { numRuns: count, seed });
  const accepted: Case[] = [];
  let refused = 0;
  samples.forEach(([spec, m, at], index) => {
    const mutation = index % 4 === 0 ? undefined : MUTATIONS[m % MUTATIONS.length];
    const model: PlatformSpec = mutation ? mutation.apply(spec, at) : spec;
    try {
      const app = Testing.app();
      buildPlatform(app, model);
      const objects = app.node.children.flatMap(c => Testing.synth(c as never)) as K8sObject[];
      accepted.push({ index, label: mutation ? `mutation '${mutation.name}'` : 'valid model', objects });
    } catch {
      refused++; // the message shape of every refusal is held by test/model.test.ts
    }
  });
  return { accepted, refused };
}

export async function modelGate(plane: ControlPlane): Promise<GateResult> {
  const count = Number(process.env.CONFORMANCE_MODELS ?? 240);
  const seed = Number(process.env.CONFORMANCE_MODELS_SEED ?? 20261123);
  const started = Date.now();
  progress(`models: generating ${count} platform models (seed ${seed}; replay with CONFORMANCE_MODELS_SEED=${seed})`);
  const { accepted, refused } = generateCases(count, seed);
  const { findings, objects } = await dryRunCases(plane, accepted, `${refused} refused by the library`);
  return {
    gate: 'models', context: plane.version, tool: `kubectl ${plane.version}`, objects: count, findings, suppressed: [],
    seconds: (Date.now() - started) / 1000,
    note: `${count} generated platforms (seed ${seed}): ${refused} refused by the library, ${accepted.length} accepted and dry-run on the API server (${objects} objects), ${findings.length} of those rejected`,
  };
}

/**
 * A strict server-side dry-run of the accepted cases (their Namespaces created for
 * real first); one finding per case the API server rejected or warned about.
 */
export async function dryRunCases(plane: ControlPlane, accepted: Case[], what: string): Promise<{ findings: Finding[]; objects: number }> {
  const kc = ['--kubeconfig', plane.kubeconfig];
  const nsDir = makeTemp('cdk8s-ms-models-ns-');
  const dir = makeTemp('cdk8s-ms-models-');
  const findings: Finding[] = [];
  try {
    let files = 0;
    const namespaces = new Set<string>();
    for (const c of accepted) {
      c.objects.forEach((o, i) => {
        if (o.kind === 'Namespace') {
          namespaces.add(String(o.metadata?.name));
          fs.writeFileSync(path.join(nsDir, `ns-${String(o.metadata?.name)}.json`), JSON.stringify(o));
        } else {
          fs.writeFileSync(path.join(dir, `c${String(c.index).padStart(4, '0')}-${String(i).padStart(3, '0')}.json`), JSON.stringify(o));
          files++;
        }
      });
    }
    progress(`models: ${accepted.length} accepted, ${what}; creating ${namespaces.size} namespaces, then a strict server-side dry-run of ${files} objects`);
    // namespaced objects can be dry-run only in an existing namespace; the rest is never persisted.
    // --force-conflicts: a model may reuse a name dist/ applied for real (a PriorityClass, a namespace)
    if (namespaces.size > 0) {
      const ns = await run(plane.kubectl, [...kc, 'apply', '--server-side', '--force-conflicts', '--field-manager=cdk8s-microservices-models', '-f', nsDir]);
      if (ns.code !== 0) findings.push({ gate: 'models', context: plane.version, check: 'error', message: `creating the models' namespaces failed: ${ns.out.slice(-1000)}` });
    }
    const r = await run(plane.kubectl, [...kc, 'apply', '--server-side', '--force-conflicts', '--dry-run=server', '--validate=strict',
      '--field-manager=cdk8s-microservices-models', '-f', dir], { timeoutMs: 900_000 });
    // server-side apply errors name the object, not the file: "(namespace/name; /v1, Kind=ConfigMap)"
    const owners = new Map<string, number>();
    for (const c of accepted) {
      for (const o of c.objects) owners.set(`${o.kind}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`, c.index);
    }
    const rejected = new Map<number, string[]>();
    for (const line of r.out.split('\n')) {
      const m = /c(\d{4})-\d{3}\.json/.exec(line);
      const named = /\(([^;()\s]+); [^)]*Kind=(\w+)\)/.exec(line);
      if (/^(Error|error)\b/.test(line) || (m && !/serverside-applied/.test(line))) {
        const index = m ? Number(m[1]) : named ? owners.get(`${named[2]}/${named[1]}`) ?? -1 : -1;
        rejected.set(index, [...(rejected.get(index) ?? []), line.replace(/"?\/[^"\s]*cdk8s-ms-models-[^"\s/]*\//g, '').slice(0, 400)]);
      } else if (/^Warning:/.test(line)) {
        rejected.set(-1, [...(rejected.get(-1) ?? []), line]);
      }
    }
    for (const [index, lines] of rejected) {
      const c = accepted.find(x => x.index === index);
      findings.push({ gate: 'models', context: plane.version, check: 'accepted-but-rejected',
        message: `${c ? `case ${index} (${c.label})` : 'a case'} was accepted by the library and rejected by the API server: ${lines.join(' | ')}` });
    }
    if (r.code !== 0 && findings.length === 0) findings.push({ gate: 'models', context: plane.version, check: 'error', message: `kubectl exited ${r.code}: ${r.out.slice(-1000)}` });
    return { findings, objects: files };
  } finally {
    removeTemp(nsDir);
    removeTemp(dir);
  }
}
