/**
 * The admission stage (issue 23): the reference platform's ValidatingAdmissionPolicies
 * on a real API server. On the newest version, on a control plane of its own: the
 * policies of dist/prod/ installed first (the API server compiles and type-checks
 * their CEL and refuses a policy whose estimated cost is too high), then dist/prod/
 * applied (admitted, no warning), then fixtures with a server-side dry-run (admission
 * runs on it): each bad one denied with its rule's id, the compliant ones of every
 * pod-template kind admitted, a suppression with its reason honoured, a namespace the
 * bindings do not cover left alone; then one binding switched to [Warn, Audit] admits its
 * bad fixture with the rule's warning. On a release below 1.30 it prints why the policies
 * are skipped there.
 *
 *   npx tsx test/conformance/admission.ts [--versions 1.37.2,1.27.16]
 */
import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { POLICY_SUPPRESSION_PREFIX } from '../../lib';
import { compliantApp, Obj } from '../policy/_fixtures';
import { REPO, ControlPlane, ensureTools, loadObjects, makeTemp, manifestFiles, progress, removeTemp, run, startControlPlane, Tools } from './harness';

/** A fixture: what it is, the object, and the rule id that must deny it (undefined: admitted). */
export interface AdmissionFixture { readonly title: string; readonly object: Obj; readonly deniedBy?: string }

const NS = 'catalog';
/** A PriorityClass of dist/prod (the Priority admission plugin refuses a Pod whose class does not exist). */
const PRIORITY_CLASS = 'sales-standard';

/** A compliant Deployment with `change` applied to a fresh copy, named `name`. */
function deployment(name: string, change: (d: Obj) => void = () => undefined): Obj {
  const d = compliantApp().deployment;
  d.metadata = { name, namespace: NS };
  d.spec.template.spec.priorityClassName = PRIORITY_CLASS;
  change(d);
  return d;
}

/** The pod template of the compliant Deployment as another kind. */
function asKind(kind: string, name: string, change: (spec: Obj) => void = () => undefined): Obj {
  const template = compliantApp().deployment.spec.template;
  template.spec.priorityClassName = PRIORITY_CLASS;
  change(template.spec);
  const labels = template.metadata.labels;
  const meta = { name, namespace: NS };
  switch (kind) {
    case 'Pod': return { apiVersion: 'v1', kind, metadata: { ...meta, labels }, spec: template.spec };
    case 'StatefulSet': return { apiVersion: 'apps/v1', kind, metadata: meta, spec: { serviceName: name, replicas: 1, selector: { matchLabels: labels }, template } };
    case 'DaemonSet': return { apiVersion: 'apps/v1', kind, metadata: meta, spec: { selector: { matchLabels: labels }, template } };
    case 'ReplicaSet': return { apiVersion: 'apps/v1', kind, metadata: meta, spec: { replicas: 1, selector: { matchLabels: labels }, template } };
    case 'Job': return { apiVersion: 'batch/v1', kind, metadata: meta, spec: { template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } } };
    case 'CronJob': return { apiVersion: 'batch/v1', kind, metadata: meta,
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } } } } };
    default: throw new Error(`no fixture of kind ${kind}`);
  }
}

const role = (name: string, rules: Obj[], annotations?: Obj): Obj => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: NS, ...(annotations ? { annotations } : {}) }, rules,
});

/** The fixtures, in the order they are tried. */
export function admissionFixtures(): AdmissionFixture[] {
  const c0 = (d: Obj): Obj => d.spec.template.spec.containers[0];
  const kinds = ['Pod', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'];
  return [
    { title: 'compliant Deployment', object: deployment('good') },
    ...kinds.map(k => ({ title: `compliant ${k}`, object: asKind(k, `good-${k.toLowerCase()}`) })),
    { title: 'narrow Role', object: role('good-role', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }]) },
    ...kinds.map(k => ({ title: `${k} with a moving tag`, deniedBy: 'CMS-001', object: asKind(k, `bad-${k.toLowerCase()}`, s => { s.containers[0].image = 'ghcr.io/acme/web:latest'; }) })),
    { title: 'Deployment with a moving tag', deniedBy: 'CMS-001', object: deployment('bad-cms-001', d => { c0(d).image = 'redis:7.2'; }) },
    { title: 'Deployment without readinessProbe', deniedBy: 'CMS-002', object: deployment('bad-cms-002', d => { delete c0(d).readinessProbe; }) },
    { title: 'Deployment without an ephemeral-storage limit', deniedBy: 'CMS-003', object: deployment('bad-cms-003', d => { delete c0(d).resources.limits['ephemeral-storage']; }) },
    { title: 'Deployment allowing privilege escalation', deniedBy: 'CMS-004', object: deployment('bad-cms-004', d => { c0(d).securityContext.allowPrivilegeEscalation = true; }) },
    { title: 'Deployment with a hostPath volume', deniedBy: 'CMS-004', object: deployment('bad-cms-004-volume', d => { d.spec.template.spec.volumes.push({ name: 'host', hostPath: { path: '/var' } }); }) },
    { title: 'Deployment with a writable root filesystem', deniedBy: 'CMS-005', object: deployment('bad-cms-005', d => { c0(d).securityContext.readOnlyRootFilesystem = false; }) },
    { title: 'Deployment running as the default ServiceAccount', deniedBy: 'CMS-006', object: deployment('bad-cms-006', d => { delete d.spec.template.spec.serviceAccountName; }) },
    { title: 'ServiceAccount mounting its token', deniedBy: 'CMS-007', object: { ...compliantApp().sa, metadata: { name: 'bad-cms-007', namespace: NS }, automountServiceAccountToken: true } },
    { title: 'Deployment of 3 replicas not spread', deniedBy: 'CMS-009', object: deployment('bad-cms-009', d => { delete d.spec.template.spec.topologySpreadConstraints; }) },
    { title: 'Deployment without priorityClassName', deniedBy: 'CMS-010', object: deployment('bad-cms-010', d => { delete d.spec.template.spec.priorityClassName; }) },
    { title: 'Role with a wildcard verb', deniedBy: 'CMS-012', object: role('bad-cms-012', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['*'] }]) },
    { title: 'Role reading Secrets', deniedBy: 'CMS-013', object: role('bad-cms-013', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]) },
    { title: 'Role creating Deployments, acknowledged', object: role('acknowledged-cms-013', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['create'] }],
      { 'cdk8s-microservices.io/escalation': 'the deployer applies the context\'s own Deployments' }) },
    { title: 'RoleBinding of edit', deniedBy: 'CMS-013', object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'bad-cms-013-binding', namespace: NS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'Group', name: 'oidc:catalog-developers', apiGroup: 'rbac.authorization.k8s.io' }] } },
    { title: 'moving tag suppressed with a reason', object: deployment('suppressed-cms-001', d => {
      c0(d).image = 'redis:7.2';
      d.metadata.annotations = { [`${POLICY_SUPPRESSION_PREFIX}pinned-image`]: 'a vendor image whose only tag is its minor release' };
    }) },
    { title: 'moving tag suppressed without a reason', deniedBy: 'CMS-001', object: deployment('unsuppressed-cms-001', d => {
      c0(d).image = 'redis:7.2';
      d.metadata.annotations = { [`${POLICY_SUPPRESSION_PREFIX}pinned-image`]: ' ' };
    }) },
    { title: 'moving tag in the gateway namespace (not a bounded context)', object: deployment('bad-outside', d => { d.metadata.namespace = 'gateway'; c0(d).image = 'redis:7.2'; }) },
  ];
}

export interface AdmissionSummary { passed: number; failed: number; lines: string[]; seconds: number }

/** What the API server says to `kubectl apply --server-side [--dry-run=server] -f file`. */
async function apply(plane: ControlPlane, file: string, dryRun: boolean): Promise<{ code: number; out: string }> {
  return run(plane.kubectl, ['--kubeconfig', plane.kubeconfig, 'apply', '--server-side', '--field-manager=cdk8s-microservices-conformance',
    ...(dryRun ? ['--dry-run=server'] : []), '-f', file]);
}

/** The stage on one Kubernetes version (skipped, with the reason, below 1.30). */
export async function admissionStage(tools: Tools, version: string, distDir = path.join(REPO, 'dist', 'prod')): Promise<AdmissionSummary> {
  const started = Date.now();
  const lines: string[] = [];
  const minor = Number(version.split('.')[1]);
  if (minor < 30) {
    const line = `admission v${version}: skipped: ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1) is GA from Kubernetes 1.30; `
      + `AdmissionPolicies refuses a platform that targets 1.${minor}, whose clusters run the PolicyPack in CI instead`;
    progress(line);
    return { passed: 0, failed: 0, lines: [line], seconds: 0 };
  }
  const objects = loadObjects(manifestFiles(distDir)).map(o => o.obj);
  const isPolicy = (o: Obj) => o.apiVersion === 'admissionregistration.k8s.io/v1' && /^ValidatingAdmissionPolicy(Binding)?$/.test(String(o.kind));
  const policies = objects.filter(isPolicy);
  const tmp = makeTemp('cdk8s-ms-admission-');
  let passed = 0;
  let failed = 0;
  const check = (ok: boolean, line: string) => {
    if (ok) passed++; else failed++;
    lines.push(`  ${ok ? 'pass' : 'FAIL'}  ${line}`);
  };
  const plane = await startControlPlane(tools, version);
  try {
    const write = (name: string, docs: Obj[]) => {
      const f = path.join(tmp, name);
      fs.writeFileSync(f, Yaml.stringify(...docs));
      return f;
    };
    // 1. the policies first: the API server compiles their CEL (and refuses what does not compile or costs too much)
    progress(`admission v${version}: installing ${policies.length / 2} ValidatingAdmissionPolicies and their bindings of ${path.relative(REPO, distDir)}`);
    let r = await apply(plane, write('policies.yaml', policies), false);
    check(r.code === 0 && !/Warning/.test(r.out), `${policies.length} policies and bindings installed${r.code === 0 ? '' : `: ${r.out.trim().slice(0, 2000)}`}`);
    // 2. dist/: its namespaces are the contexts the bindings cover; wait until a policy is in force first (informers)
    const rest = objects.filter(o => !isPolicy(o));
    const probe = write('probe.yaml', [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'admission-probe', labels: { 'app.kubernetes.io/part-of': 'sales', 'cdk8s-microservices.io/context': 'admission-probe' } } }]);
    await apply(plane, probe, false);
    const probeBad = deployment('probe', d => { d.metadata.namespace = 'admission-probe'; d.spec.template.spec.containers[0].image = 'redis:7.2'; });
    const probeFile = write('probe-bad.yaml', [probeBad]);
    const waitStart = Date.now();
    while (Date.now() - waitStart < 30_000) {
      r = await apply(plane, probeFile, true);
      if (r.code !== 0 && /CMS-001/.test(r.out)) break;
      await new Promise(res => setTimeout(res, 500));
    }
    check(/CMS-001/.test(r.out), `policies in force after ${((Date.now() - waitStart) / 1000).toFixed(1)}s`);
    progress(`admission v${version}: applying the other ${rest.length} objects of ${path.relative(REPO, distDir)} under the policies`);
    r = await apply(plane, write('dist.yaml', rest), false);
    const warnings = r.out.split('\n').filter(l => /^Warning/.test(l));
    check(r.code === 0 && warnings.length === 0, `${rest.length} objects of ${path.relative(REPO, distDir)} admitted, ${warnings.length} warning(s)`
      + (r.code === 0 && warnings.length === 0 ? '' : `: ${[...warnings, ...r.out.split('\n').filter(l => /denied|Error/.test(l))].join(' | ').slice(0, 3000)}`));
    // 3. the fixtures, each alone, with a server-side dry-run; their pods run as ServiceAccount 'web', created for real
    r = await apply(plane, write('sa.yaml', [{ ...compliantApp().sa, metadata: { name: 'web', namespace: NS } }]), false);
    check(r.code === 0 && !/Warning/.test(r.out), `compliant ServiceAccount ${NS}/web: admitted${r.code === 0 ? '' : `, but the API server said: ${r.out.trim().slice(0, 600)}`}`);
    const fixtures = admissionFixtures();
    progress(`admission v${version}: ${fixtures.length} fixtures (server-side dry-run)`);
    for (const [i, f] of fixtures.entries()) {
      r = await apply(plane, write(`fixture-${i}.yaml`, [f.object]), true);
      const said = r.out.replace(/\s+/g, ' ').trim();
      if (f.deniedBy === undefined) {
        check(r.code === 0 && !/Warning/.test(r.out), `${f.title}: admitted${r.code === 0 && !/Warning/.test(r.out) ? '' : `, but the API server said: ${said.slice(0, 600)}`}`);
      } else {
        const denied = r.code !== 0 && said.includes(`denied request: ${f.deniedBy} `);
        check(denied, `${f.title}: ${denied ? `denied by ${said.slice(said.indexOf(f.deniedBy), said.indexOf(f.deniedBy) + 60)}...` : `expected a denial by ${f.deniedBy}, the API server said: ${said.slice(0, 600)}`}`);
      }
    }
    // 4. PolicyAction.WARN: the same bad object admitted with the rule's message as a warning once its binding says [Warn, Audit]
    const spread = policies.find(p => p.kind === 'ValidatingAdmissionPolicyBinding' && /-cms-009-/.test(String(p.metadata?.name)));
    if (spread !== undefined) {
      await apply(plane, write('warn-binding.yaml', [{ ...spread, spec: { ...(spread.spec as Obj), validationActions: ['Warn', 'Audit'] } }]), false);
      const bad = write('warn-fixture.yaml', [deployment('warned-cms-009', d => { delete d.spec.template.spec.topologySpreadConstraints; })]);
      const t = Date.now();
      do {
        r = await apply(plane, bad, true);
        if (r.code === 0) break;
        await new Promise(res => setTimeout(res, 500));
      } while (Date.now() - t < 30_000);
      const warned = r.code === 0 && /Warning: Validation failed for ValidatingAdmissionPolicy '[^']*cms-009[^']*'.*CMS-009 spread/.test(r.out.replace(/\s+/g, ' '));
      check(warned, `with [Warn, Audit] on CMS-009 the unspread Deployment: ${warned ? 'admitted with the rule\'s warning' : `expected admitted with a warning, the API server said: ${r.out.trim().slice(0, 600)}`}`);
    }
  } finally {
    await plane.stop();
    removeTemp(tmp);
  }
  const seconds = (Date.now() - started) / 1000;
  lines.unshift(`admission v${version}: the policies of ${path.relative(REPO, distDir)} on a real API server (${seconds.toFixed(0)}s)`);
  return { passed, failed, lines, seconds };
}

if (require.main === module) {
  const i = process.argv.indexOf('--versions');
  const asked = i > 0 ? process.argv[i + 1].split(',') : undefined;
  const tools = ensureTools(asked, ['etcd', 'kubernetes']);
  const versions = asked ?? tools.kubernetesVersions;
  (async () => {
    let failed = 0;
    for (const v of versions) {
      const s = await admissionStage(tools, v);
      process.stdout.write(`${s.lines.join('\n')}\nadmission: ${s.passed} passed, ${s.failed} failed\n`);
      failed += s.failed;
    }
    process.exit(failed ? 1 : 0);
  })().catch((err: Error) => { process.stderr.write(`admission: ${err.message}\n`); process.exit(2); });
}
