/**
 * The harness parses each linter's JSON: these tests hold that parsing to output
 * recorded from the real tools (kube-linter v0.8.3, kube-score v1.20.0, Polaris
 * v10.2.2) on the broken fixtures, stderr merged in as the harness runs them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { kubeLinterConfig, parseKubeLinter, parseKubeScore, parsePolaris, KUBE_LINTER_EXTRA, PRIORITY_CHECK } from './linters';
import { LoadedObject } from './harness';
import { nativeSuppressions, readSuppressions } from './suppressions';

const recorded = (name: string) => fs.readFileSync(path.join(__dirname, 'recorded', name), 'utf8');
const ids = (findings: Array<{ check: string; object?: { name: string } }>) => findings.map(f => `${f.object?.name} ${f.check}`);

describe('parsing the linters\' JSON', () => {
  test('kube-linter: one finding per report, its trailing "Error: found N lint errors" ignored', () => {
    const findings = parseKubeLinter(recorded('kube-linter-missing-probe.out'));

    expect(ids(findings)).toEqual(['api no-anti-affinity', 'api unset-cpu-requirements', 'api unset-memory-requirements']);
    expect(findings[0]).toMatchObject({
      gate: 'kube-linter',
      object: { kind: 'Deployment', namespace: 'conformance-broken-missing-probe', name: 'api' },
      message: expect.stringMatching(/remediation: /),
    });
  });

  test('kube-linter: no reports is no finding', () => {
    expect(parseKubeLinter('{"Checks":[],"Reports":null,"Summary":{"ChecksStatus":"Passed"}}\n')).toEqual([]);
  });

  test('kube-score: every CRITICAL and WARNING check, nothing that passed or was skipped', () => {
    const { findings, objects } = parseKubeScore(recorded('kube-score-missing-probe.out'));

    expect(objects).toBeGreaterThan(0);
    expect(ids(findings)).toEqual(expect.arrayContaining(['api pod-probes', 'api pod-networkpolicy', 'api deployment-has-poddisruptionbudget']));
    expect(findings.find(f => f.check === 'deployment-has-host-podantiaffinity')?.message).toMatch(/^WARNING /);
    expect(findings.find(f => f.check === 'pod-probes')?.message).toMatch(/^CRITICAL /);
    expect(findings.every(f => f.object?.kind === 'Deployment')).toBe(true);
  });

  test('kube-score: `null` (nothing it scores) is no finding', () => {
    expect(parseKubeScore('null\n')).toEqual({ findings: [], objects: 0 });
  });

  test('polaris: failed danger and warning checks of the object, its pod and its containers, and the score', () => {
    const { findings, score } = parsePolaris(recorded('polaris-privileged-pod.out'));

    expect(score).toBe(48);
    expect(ids(findings)).toEqual(expect.arrayContaining(['root-shell runAsPrivileged', 'root-shell privilegeEscalationAllowed', 'root-shell deploymentMissingReplicas']));
    expect(findings.find(f => f.check === 'runAsPrivileged')?.message).toMatch(/^danger container /);
    expect(findings.find(f => f.check === 'deploymentMissingReplicas')?.message).toMatch(/^warning /);
  });

  test('output that is not the tool\'s JSON is an error, not "no findings"', () => {
    expect(() => parseKubeLinter('Error: failed to load config')).toThrow(/no JSON/);
    expect(() => parsePolaris('{"unexpected": true}')).toThrow(/without "Results"/);
    expect(() => parseKubeScore('panic: runtime error')).toThrow(/no JSON/);
  });
});

function loaded(docs: unknown[]): LoadedObject[] {
  return docs.map((obj, index) => {
    const o = obj as LoadedObject['obj'];
    return { obj: o, file: 'x.yaml', index, doc: index + 1, ref: { kind: String(o.kind), namespace: o.metadata?.namespace, name: String(o.metadata?.name) } };
  });
}

describe('the generated kube-linter configuration', () => {
  test('adds the nine checks, accepting exactly the PriorityClasses of the manifests', () => {
    const text = kubeLinterConfig(loaded([
      { kind: 'PriorityClass', metadata: { name: 'shop-standard' } },
      { kind: 'PriorityClass', metadata: { name: 'shop-critical' } },
      { kind: 'Deployment', metadata: { name: 'web', namespace: 'a' } },
    ]));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kube-linter-config-')), '.kube-linter.yaml');
    fs.writeFileSync(file, text);
    const [parsed] = Yaml.load(file) as Array<{ checks: { include: string[] }; customChecks: unknown[] }>;
    fs.rmSync(path.dirname(file), { recursive: true });

    expect(parsed.checks.include).toEqual([...KUBE_LINTER_EXTRA, PRIORITY_CHECK]);
    expect(parsed.checks.include).toHaveLength(9);
    expect(parsed.customChecks[0]).toMatchObject({ name: PRIORITY_CHECK, template: 'priority-class-name', params: { acceptedPriorityClassNames: ['shop-critical', 'shop-standard'] } });
  });
});

describe('suppressions: the tools\' own annotations and our reasons agree', () => {
  const object = (annotations: Record<string, string>) => loaded([{ kind: 'RoleBinding', metadata: { name: 'b', namespace: 'n', annotations } }]);
  const ours = (tool: string, check: string) => JSON.stringify([{ tool, check, reason: 'the deployer rolls out Deployments by design' }]);

  test('reads each tool\'s annotation', () => {
    expect(nativeSuppressions({
      'ignore-check.kube-linter.io/access-to-create-pods': 'why', 'kube-score/ignore': 'pod-probes, pod-networkpolicy',
      'polaris.fairwinds.com/rolePodExecAttach-exempt': 'true', 'polaris.fairwinds.com/hostNetworkSet-exempt': 'false', 'unrelated': 'x',
    }).map(n => `${n.tool}/${n.check}`)).toEqual(['kube-linter/access-to-create-pods', 'kube-score/pod-probes', 'kube-score/pod-networkpolicy', 'polaris/rolePodExecAttach']);
  });

  test('a native suppression with our reason beside it is consistent', () => {
    const { findings, byObject } = readSuppressions(object({
      'conformance.cdk8s-microservices.io/suppress': ours('kube-linter', 'access-to-create-pods'),
      'ignore-check.kube-linter.io/access-to-create-pods': 'the deployer rolls out Deployments by design',
    }));

    expect(findings).toEqual([]);
    expect([...byObject.values()][0]).toEqual([{ tool: 'kube-linter', check: 'access-to-create-pods', reason: 'the deployer rolls out Deployments by design' }]);
  });

  test('fails when a native suppression has no reason of ours beside it', () => {
    const { findings } = readSuppressions(object({ 'polaris.fairwinds.com/rolePodExecAttach-exempt': 'true' }));

    expect(findings.map(f => f.check)).toEqual(['native-suppression-without-reason']);
    expect(findings[0].message).toMatch(/silences polaris\/rolePodExecAttach without a reason of ours/);
  });

  test('fails when a tool is silenced wholesale', () => {
    expect(readSuppressions(object({ 'polaris.fairwinds.com/exempt': 'true' })).findings[0].message).toMatch(/silences every polaris check/);
  });

  test('fails when our suppression has no native annotation (the user\'s own linter would report it)', () => {
    const { findings } = readSuppressions(object({ 'conformance.cdk8s-microservices.io/suppress': ours('kube-score', 'pod-probes') }));

    expect(findings.map(f => f.check)).toEqual(['suppression-not-native']);
  });

  test('fails when a suppression has no reason, or is not JSON', () => {
    expect(readSuppressions(object({ 'conformance.cdk8s-microservices.io/suppress': '[{"tool":"kube-score","check":"pod-probes"}]', 'kube-score/ignore': 'pod-probes' }))
      .findings.map(f => f.check)).toEqual(['suppression-without-reason', 'native-suppression-without-reason']);
    expect(readSuppressions(object({ 'conformance.cdk8s-microservices.io/suppress': 'nope' })).findings.map(f => f.check)).toEqual(['malformed-suppression']);
  });
});
