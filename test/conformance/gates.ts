/**
 * Gate self-test (issue 3): a gate that cannot fail proves nothing. Each broken
 * fixture under fixtures/broken/ must be reported by the gate(s) named below, and
 * the good sample under fixtures/good/ must pass every gate.
 *
 *   npx tsx test/conformance/gates.ts        (or: npm run conformance -- --gates)
 *
 * Ends with the line 'gates: N passed, N failed' and exits non-zero on a failure.
 */
import * as path from 'path';
import { dryRunCases } from './models';
import {
  clusterGates, ControlPlane, ensureTools, finalize, GateName, GateResult, linterGates, loadObjects, manifestFiles,
  printReport, progress, readVersionsEnv, startControlPlane, Tools,
} from './harness';

const FIXTURES = path.join(__dirname, 'fixtures');

interface Expectation { gate: GateName; check?: string; message?: RegExp }

/** fixture file -> what must be reported (every entry must match at least one finding) */
export const EXPECTED: Record<string, Expectation[]> = {
  'unknown-field.yaml': [
    // server-side apply words it: ".metadata.lables: field not declared in schema"
    { gate: 'apply', check: 'error', message: /lables/ },
    { gate: 'dry-run', check: 'error', message: /lables/ },
  ],
  'privileged-pod.yaml': [
    { gate: 'apply', check: 'warning', message: /PodSecurity "restricted:latest".*privileged/ },
    { gate: 'kube-score', check: 'container-security-context-privileged' },
    { gate: 'kube-linter', check: 'no-readiness-probe' },
  ],
  'missing-probe.yaml': [
    { gate: 'kube-score', check: 'pod-probes' },
    { gate: 'kube-linter', check: 'no-readiness-probe' },
    { gate: 'kube-linter', check: 'no-liveness-probe' },
  ],
  'wildcard-role.yaml': [
    { gate: 'kube-linter', check: 'wildcard-in-rules' },
    { gate: 'kube-linter', check: 'access-to-create-pods' },
  ],
  'service-without-pods.yaml': [{ gate: 'kube-score', check: 'service-targets-pod' }],
  'latest-tag.yaml': [{ gate: 'kube-score', check: 'container-image-tag' }],
  'duplicate-object.yaml': [{ gate: 'idempotent', check: 'duplicate-object' }],
  'undocumented-suppression.yaml': [
    { gate: 'suppressions', check: 'suppression-without-reason' },
    { gate: 'suppressions', check: 'native-suppression-without-reason' },
    { gate: 'suppressions', check: 'suppression-not-native' },
    { gate: 'kube-linter', check: 'access-to-create-pods' },
  ],
  // only the real linters catch these
  'host-network.yaml': [
    { gate: 'kube-linter', check: 'host-network' },
    { gate: 'polaris', check: 'hostNetworkSet' },
  ],
  'pod-exec-role.yaml': [
    { gate: 'polaris', check: 'rolePodExecAttach' },
    { gate: 'polaris', check: 'rolebindingRolePodExecAttach' },
  ],
};

export interface SelfTestSummary { passed: number; failed: number; lines: string[] }

async function check(tools: Tools, plane: ControlPlane, target: string): Promise<GateResult[]> {
  const files = manifestFiles(target);
  const objects = loadObjects(files);
  const results = [...await clusterGates(plane, objects, path.basename(target)), ...await linterGates(tools, target, files, objects)];
  return finalize(results, objects);
}

export async function runGateSelfTest(tools: Tools, plane: ControlPlane): Promise<SelfTestSummary> {
  const lines: string[] = ['', `== gate self-test (fixtures in ${path.relative(process.cwd(), FIXTURES)}, control plane ${plane.version})`];
  let passed = 0;
  let failed = 0;
  const verdict = (ok: boolean, what: string): void => {
    if (ok) passed++; else failed++;
    lines.push(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  };

  // the good sample passes every gate: the harness can pass
  progress('self-test: good sample');
  const good = await check(tools, plane, path.join(FIXTURES, 'good'));
  for (const r of good) {
    verdict(r.findings.length === 0, `good: ${r.gate}${r.context ? ` ${r.context}` : ''} reports nothing`
      + (r.findings.length ? ` -- but reported: ${r.findings.map((f) => `${f.object?.name} [${f.check}] ${f.message}`).join('; ')}` : ''));
  }

  // a suppression with a reason is honoured, and printed with that reason
  progress('self-test: suppressed/deployer.yaml');
  const sup = await check(tools, plane, path.join(FIXTURES, 'suppressed'));
  const linter = sup.find((r) => r.gate === 'kube-linter');
  const honoured = linter?.suppressed.find((x) => x.check === 'access-to-create-pods' && x.object.name === 'deployer');
  // kube-linter honours its own annotation (no finding as a user runs it); without the
  // annotation it reports the binding, and the harness prints our reason for it
  verdict(!!linter && linter.findings.length === 0 && !!honoured && /roll out Deployments/.test(honoured.reason),
    `suppressed/deployer.yaml: kube-linter [access-to-create-pods] suppressed by its own annotation, printed with our reason`
    + (honoured ? ` -> ${honoured.reason.slice(0, 80)}` : ` -- but findings: ${linter?.findings.map((f) => f.check).join(', ') || 'none'}`));
  verdict(sup.every((r) => r.findings.length === 0), 'suppressed/deployer.yaml: no other gate reports anything'
    + sup.filter((r) => r.findings.length).map((r) => ` -- ${r.gate}: ${r.findings.map((f) => f.message.slice(0, 80)).join('; ')}`).join(''));

  // the models gate reports a case the API server rejects: a generated platform's
  // Deployment with a field the schema lacks stands in for a library bug
  progress('self-test: models gate with a case the API server rejects');
  const bad = await dryRunCases(plane, [{ index: 7, label: 'fixture', objects: [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'conformance-models-selftest' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'conformance-models-selftest' }, data: { a: 'b' }, spec: { replicas: 1 } },
  ] }], 'self-test');
  verdict(bad.findings.some((f) => f.check === 'accepted-but-rejected' && /case 7/.test(f.message)),
    `models: a case the API server rejects is reported${bad.findings.length ? ` -> ${bad.findings[0].message.slice(0, 120)}` : ' -- but nothing was reported'}`);

  // every broken fixture is reported by the gate that should catch it: the harness can fail
  for (const [fixture, expectations] of Object.entries(EXPECTED)) {
    progress(`self-test: broken/${fixture}`);
    const results = await check(tools, plane, path.join(FIXTURES, 'broken', fixture));
    for (const e of expectations) {
      const gate = results.filter((r) => r.gate === e.gate);
      const hit = gate.flatMap((r) => r.findings).find((f) => (!e.check || f.check === e.check) && (!e.message || e.message.test(f.message)));
      const what = `${fixture}: ${e.gate}${e.check ? ` [${e.check}]` : ''}${e.message ? ` ${e.message}` : ''}`;
      verdict(!!hit, hit ? `${what} -> ${hit.object ? `${hit.object.kind}/${hit.object.name}: ` : ''}${hit.message.slice(0, 120)}`
        : `${what} was NOT reported; that gate cannot fail. It reported: ${gate.flatMap((r) => r.findings).map((f) => `[${f.check}] ${f.message.slice(0, 100)}`).join('; ') || 'nothing'}`);
    }
  }
  return { passed, failed, lines };
}

// standalone: tsx test/conformance/gates.ts [--verbose]
if (require.main === module) {
  (async () => {
    // the self-test needs only the newest Kubernetes version
    const newest = (readVersionsEnv().KUBERNETES_VERSIONS ?? '').split(/\s+/)[0];
    const tools = ensureTools([newest]);
    const plane = await startControlPlane(tools, newest);
    let summary: SelfTestSummary;
    try { summary = await runGateSelfTest(tools, plane); } finally { await plane.stop(); }
    if (process.argv.includes('--verbose')) {
      const good = path.join(FIXTURES, 'good');
      printReport('good sample (linters only)', finalize(await linterGates(tools, good, manifestFiles(good), loadObjects(manifestFiles(good))), loadObjects(manifestFiles(good))));
    }
    process.stdout.write(`${summary.lines.join('\n')}\ngates: ${summary.passed} passed, ${summary.failed} failed\n`);
    process.exit(summary.failed ? 1 : 0);
  })().catch((err: Error) => { process.stderr.write(`gates: ${err.message}\n`); process.exit(2); });
}
