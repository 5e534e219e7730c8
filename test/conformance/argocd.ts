/**
 * The Argo CD stage (issue 26): the Argo CD objects of dist/argocd/<env>.yaml on a real
 * API server, on a control plane of its own (the newest version). It installs Argo CD's
 * Application and AppProject CRDs (pinned in tools/crds.env, printed by
 * tools/fetch-crds.sh --all) and the argocd namespace, then for each environment:
 * - every file of dist/<env>/ is read by exactly one Application, whose source path is
 *   dist/<env> and whose project exists, and no Application names a file that is not there;
 * - `kubectl apply --server-side --dry-run=server` of the file is accepted (the CRDs'
 *   schemas, without a warning);
 * then applies the newest environment's file for real and reads the objects back
 * (nothing runs Argo CD's controller: they are only stored).
 *
 *   npx tsx test/conformance/argocd.ts [--versions 1.37.2]
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { REPO, ensureTools, progress, run, startControlPlane, Tools } from './harness';

/** What the stage found. */
export interface ArgoCdSummary { readonly passed: number; readonly failed: number; readonly lines: string[]; readonly seconds: number }

type Obj = { [key: string]: any };

/** The problems of one environment's Argo CD file against its directory: each chart file read by exactly one Application of a known project. */
export function coverageProblems(env: string, docs: Obj[], files: string[]): string[] {
  const problems: string[] = [];
  const projects = new Set(docs.filter(d => d.kind === 'AppProject').map(d => d.metadata.name));
  const apps = docs.filter(d => d.kind === 'Application');
  for (const a of apps) {
    const src = a.spec.source ?? {};
    if (src.path !== `dist/${env}`) problems.push(`Application ${a.metadata.name} reads '${src.path}', not dist/${env}`);
    if (!files.includes(src.directory?.include)) problems.push(`Application ${a.metadata.name} includes '${src.directory?.include}', which dist/${env}/ does not hold`);
    if (!projects.has(a.spec.project)) problems.push(`Application ${a.metadata.name} is in project '${a.spec.project}', which the file does not define`);
  }
  for (const f of files) {
    const readers = apps.filter(a => a.spec.source?.directory?.include === f).map(a => a.metadata.name);
    if (readers.length !== 1) problems.push(`dist/${env}/${f} is read by ${readers.length} Applications (${readers.join(', ') || 'none'}), not exactly one`);
  }
  return problems;
}

/** Runs the stage on `version` over `distDir` (dist/ with argocd/ beside the environments). */
export async function argoCdStage(tools: Tools, version: string, distDir = path.join(REPO, 'dist')): Promise<ArgoCdSummary> {
  const started = Date.now();
  const lines: string[] = [];
  let passed = 0;
  let failed = 0;
  const result = (ok: boolean, line: string) => {
    if (ok) passed++; else failed++;
    lines.push(`${ok ? 'PASS' : 'FAIL'} argocd v${version}: ${line}`);
    progress(lines[lines.length - 1]);
  };
  const dir = path.join(distDir, 'argocd');
  const envs = fs.existsSync(dir) ? fs.readdirSync(dir).filter(f => f.endsWith('.yaml')).map(f => f.replace(/\.yaml$/, '')).sort() : [];
  if (envs.length === 0) {
    result(false, `no Argo CD files in ${path.relative(REPO, dir)}/: run npm run synth (the platform declares an ArgoCdDelivery)`);
    return { passed, failed, lines, seconds: 0 };
  }
  progress(`argocd v${version}: ${envs.length} environments (${envs.join(', ')}) in ${path.relative(REPO, dir)}/`);
  const plane = await startControlPlane(tools, version);
  const kc = ['--kubeconfig', plane.kubeconfig];
  try {
    // Argo CD's CRDs: printed by tools/fetch-crds.sh with --all only (no other stage needs them)
    const fetched = spawnSync('bash', [path.join(REPO, 'tools', 'fetch-crds.sh'), '--all'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const crds = fetched.stdout.split('\n').map(l => l.trim()).filter(l => /\/argo-cd-v[^/]+\/[^/]+-crd\.yaml$/.test(l));
    if (fetched.status !== 0 || crds.length === 0) throw new Error('tools/fetch-crds.sh --all printed no Argo CD CRD: check ARGO_CD_* in tools/crds.env');
    const installed = await run(plane.kubectl, [...kc, 'apply', '--server-side', ...crds.flatMap(f => ['-f', f])]);
    const established = installed.code === 0 ? await run(plane.kubectl, [...kc, 'wait', '--for=condition=Established', '--timeout=60s', 'crd/applications.argoproj.io', 'crd/appprojects.argoproj.io']) : installed;
    if (established.code !== 0) throw new Error(`installing Argo CD's CRDs failed: ${installed.out}${established.out}`);
    progress(`argocd v${version}: installed ${crds.map(f => path.basename(f, '.yaml')).join(', ')} (${(installed.seconds + established.seconds).toFixed(1)}s)`);
    const ns = await run(plane.kubectl, [...kc, 'create', 'namespace', 'argocd']);
    if (ns.code !== 0) throw new Error(`creating the argocd namespace failed: ${ns.out}`);
    for (const env of envs) {
      const file = path.join(dir, `${env}.yaml`);
      const docs = (Yaml.load(file) as Obj[]).filter(Boolean);
      const files = fs.existsSync(path.join(distDir, env)) ? fs.readdirSync(path.join(distDir, env)).filter(f => /\.ya?ml$/.test(f)).sort() : [];
      const problems = coverageProblems(env, docs, files);
      result(problems.length === 0, problems.length === 0
        ? `${env}: ${docs.filter(d => d.kind === 'Application').length} Applications read the ${files.length} files of dist/${env}/, each exactly one`
        : `${env}: ${problems.join('; ')}; regenerate with npm run synth, or fix ArgoCdDelivery (lib/delivery/)`);
      const dry = await run(plane.kubectl, [...kc, 'apply', '--server-side', '--field-manager=conformance', '--dry-run=server', '-f', file]);
      const warned = /^Warning:/m.test(dry.out);
      result(dry.code === 0 && !warned, dry.code === 0 && !warned
        ? `${env}: ${docs.length} objects accepted by a server-side dry-run (${dry.seconds.toFixed(1)}s)`
        : `${env}: the server-side dry-run ${dry.code === 0 ? 'warned' : 'refused'}: ${dry.out.trim()}\n  read the message: a field the pinned CRDs (tools/crds.env, ARGO_CD_VERSION) do not know is a rendering mistake in lib/delivery/argocd-render.ts`);
    }
    // the environments share names: the last one (prod when present) for real, and read back
    const last = envs.includes('prod') ? 'prod' : envs[envs.length - 1];
    const file = path.join(dir, `${last}.yaml`);
    const count = (Yaml.load(file) as Obj[]).filter(Boolean).length;
    const apply = await run(plane.kubectl, [...kc, 'apply', '--server-side', '--field-manager=conformance', '-f', file]);
    const got = await run(plane.kubectl, [...kc, 'get', 'applications.argoproj.io,appprojects.argoproj.io', '-n', 'argocd', '-o', 'name']);
    const stored = got.out.split('\n').filter(l => l.trim()).length;
    result(apply.code === 0 && got.code === 0 && stored === count, apply.code === 0 && stored === count
      ? `${last}: ${stored} objects applied for real and read back`
      : `${last}: applied ${count}, read back ${stored}: ${apply.out.trim()} ${got.out.trim()}`);
  } finally {
    // how the harness installed the CRDs on this version, when it had to fall back
    lines.push(...plane.notes.map(n => `note argocd v${version}: ${n}`));
    await plane.stop();
  }
  return { passed, failed, lines, seconds: (Date.now() - started) / 1000 };
}

if (require.main === module) {
  const i = process.argv.indexOf('--versions');
  const asked = i > 0 ? process.argv[i + 1].split(',') : undefined;
  const tools = ensureTools(asked, ['etcd', 'kubernetes']);
  (async () => {
    const s = await argoCdStage(tools, (asked ?? tools.kubernetesVersions)[0]);
    process.stdout.write(`${s.lines.join('\n')}\nargocd: ${s.passed} passed, ${s.failed} failed in ${s.seconds.toFixed(0)}s\n`);
    process.exit(s.failed ? 1 : 0);
  })().catch((err: Error) => { process.stderr.write(`argocd: ${err.message}\n`); process.exit(2); });
}
