/**
 * `npm run conformance` (issue 3): proves that the YAML in dist/ is accepted by a
 * real kube-apiserver (every Kubernetes version in tools/versions.env) and passes
 * kube-linter, kube-score and Polaris; then proves that each gate can fail, with
 * the broken fixtures (gates.ts). On the newest version it also runs the simulation
 * (test/simulation/: scheduling, quota, spread, rollouts and a drain on a kwok cluster, then
 * its release phase), whose fixtures join the gate self-test; and the release composition
 * (one service per release strategy, platforms/releases.ts) through the cluster gates and
 * the linters. See test/conformance/README.md.
 *
 *   npm run conformance                      dist/prod/ on every version, the simulation, then the gate self-test;
 *                                            dist/dev/ and dist/staging/ applied on the newest version, and linted
 *   npm run conformance -- --gates           only the gate self-test (the simulation's fixtures included)
 *   npm run conformance -- --no-gates        only dist/
 *   npm run conformance -- --no-models       without the generated platforms (test/conformance/models.ts)
 *   npm run conformance -- --no-simulate     without the simulation (dist/ and its fixtures)
 *   npm run conformance -- --no-day2         without the day-2 gate (apply-and-prune of everyday changes, day2.ts)
 *   npm run conformance -- --no-promtool     without promtool check rules / test rules on the PrometheusRules (promtool.ts)
 *   npm run conformance -- --no-releases     without the release composition (test/release/progression-synth.ts, platforms/releases.ts)
 *   npm run conformance -- --no-admission    without the admission stage (admission.ts: dist/prod's ValidatingAdmissionPolicies on the newest version)
 *   npm run conformance -- --no-argocd       without the Argo CD stage (argocd.ts: dist/argocd/<env>.yaml server-side on the newest version)
 *   npm run conformance -- --no-helm         without the Helm stage (helm.ts: the prod chart linted and templated against dist/prod/, a third-party chart)
 *   npm run conformance -- --dir DIR         check DIR instead of dist/
 *   npm run conformance -- --versions 1.37.2 only these Kubernetes versions
 *   KUBECONFIG=~/.kube/config npm run conformance   use that cluster (once) instead of starting one
 *
 * A directory's platform names the Kubernetes release it targets (on its PriorityClasses);
 * a control plane older than that is not given it (the newer fields would fail its apply):
 * it checks the test platform that targets its own release instead,
 * test/conformance/platforms/target-<major.minor>.ts, synthesized into a temporary directory.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  REPO, clusterGates, ControlPlane, ensureTools, externalControlPlane, finalize, GateResult, linterGates, loadObjects,
  LoadedObject, manifestFiles, printReport, progress, readVersionsEnv, rel, startControlPlane, Tools,
} from './harness';
import { runGateSelfTest, SelfTestSummary } from './gates';
import { accessMatrix } from './access-matrix';
import { modelGate } from './models';
import { simulateDir, simulateReleases, simulationSelfTest } from '../simulation/run';
import { day2Gate } from './day2';
import { buildInBackground } from './background-tool';
import { helmStage } from './helm';
import { promtoolStage } from './promtool';
import { referenceSubjects } from './promtool-subjects';
import { admissionStage } from './admission';
import { argoCdStage } from './argocd';
import { synthesizePlatform } from './platforms/synth';
import { checkReleases } from './platforms/releases';
import { TARGET_ANNOTATION } from '../../lib/platform/platform';

const minorOf = (version: string) => Number(version.split('.')[1]);

/** The newest release any platform in the objects targets, as a minor number (undefined: none says). */
function targetMinor(objects: LoadedObject[]): number | undefined {
  const targets = objects.map((o) => o.obj.metadata?.annotations?.[TARGET_ANNOTATION]).filter((t): t is string => t !== undefined);
  return targets.length ? Math.max(...targets.map(minorOf)) : undefined;
}

/** Checks the test platform that targets `version`'s release on that version: apply, dry-run, idempotence, linters. */
async function checkOlderRelease(tools: Tools, version: string): Promise<number> {
  const name = `target-1.${minorOf(version)}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk8s-ms-${name}-`));
  try {
    synthesizePlatform(name, dir);
    const files = manifestFiles(dir);
    const objects = loadObjects(files);
    progress(`v${version}: ${name} (${objects.length} objects, test/conformance/platforms/${name}.ts) instead of a directory that targets a newer release`);
    const plane: ControlPlane = await startControlPlane(tools, version);
    const results: GateResult[] = [];
    try {
      results.push(...await clusterGates(plane, objects, name));
    } finally {
      await plane.stop();
    }
    results.push(...await linterGates(tools, dir, files, objects));
    return printReport(`${name} (${objects.length} objects)`, finalize(results, objects));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface Options { dir: string; gates: boolean; dist: boolean; models: boolean; simulate: boolean; day2: boolean; promtool: boolean; releases: boolean; admission: boolean; argocd: boolean; helm: boolean; versions?: string[] }

function parseArgs(argv: string[]): Options {
  const o: Options = { dir: path.join(REPO, 'dist'), gates: true, dist: true, models: true, simulate: true, day2: true, promtool: true, releases: true, admission: true, argocd: true, helm: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--gates') { o.dist = false; o.gates = true; } else if (a === '--no-gates') o.gates = false;
    else if (a === '--no-models') o.models = false;
    else if (a === '--no-simulate') o.simulate = false;
    else if (a === '--no-day2') o.day2 = false;
    else if (a === '--no-promtool') o.promtool = false;
    else if (a === '--no-releases') o.releases = false;
    else if (a === '--no-admission') o.admission = false;
    else if (a === '--no-argocd') o.argocd = false;
    else if (a === '--no-helm') o.helm = false;
    else if (a === '--dir') o.dir = path.resolve(argv[++i]);
    else if (a === '--versions') o.versions = argv[++i].split(',').map((v) => v.replace(/^v/, ''));
    else if (a === '-h' || a === '--help') {
      process.stdout.write(fs.readFileSync(__filename, 'utf8').split('*/')[0] + '*/\n');
      process.exit(0);
    } else { throw new Error(`unknown argument '${a}' (see --help)`); }
  }
  return o;
}

/** The environment directories of `dir` (dist/dev/, dist/prod/, ...): its subdirectories that hold manifests, when it holds none itself. */
function environmentDirs(dir: string): string[] {
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  // beside the environments: the ApplySet bootstrap (applyset-crd.yaml, <env>.applyset.yaml), applied by the day-2 gate
  const bootstrap = (f: string) => f === 'applyset-crd.yaml' || /\.applyset\.yaml$/.test(f);
  if (entries.some((e) => e.isFile() && /\.ya?ml$/.test(e.name) && !bootstrap(e.name))) return [];
  // and the Argo CD applications (argocd/<env>.yaml, the Argo CD stage): not an environment
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'argocd' && fs.readdirSync(path.join(dir, e.name)).some((f) => /\.ya?ml$/.test(f)))
    .map((e) => e.name).sort();
}

/**
 * The gates of one directory (one environment of dist/, or a directory of its own): with
 * `full`, on every version, with the access matrix, the models and older releases; else
 * apply, dry-run and idempotence on the newest version. Then the linters.
 */
async function checkDir(tools: Tools, opts: Options, dir: string, env: string | undefined, full: boolean, versions: string[], external: string | undefined,
  selfTestOn: (plane: ControlPlane) => Promise<SelfTestSummary>, selfTest: SelfTestSummary | undefined): Promise<{ findings: number; selfTest?: SelfTestSummary } | 'missing'> {
  const files = manifestFiles(dir);
  const objects = loadObjects(files);
  if (!objects.length) {
    process.stderr.write(`conformance: no Kubernetes objects in ${rel(dir)}\n`);
    return 'missing';
  }
  const label = env === undefined ? rel(dir) : `${rel(dir)} (environment ${env})`;
  progress(`${objects.length} objects in ${files.length} files under ${label}`);
  // the access matrix (issue 5) asks about the reference platform's identities: dist/ (its prod) only
  const root = path.join(REPO, 'dist');
  const isDist = full && (path.resolve(dir) === root || path.dirname(path.resolve(dir)) === root);
  const results: GateResult[] = [];
  const target = targetMinor(objects);
  const tested = full ? versions : versions.slice(0, 1);
  const older = external || !full ? [] : tested.filter((v) => target !== undefined && minorOf(v) < target);
  if (external) {
    const kubectl = tools.byName.get(`kubectl-v${versions[0]}`)?.path ?? 'kubectl';
    progress(`KUBECONFIG is set: applying ${label} for real to that cluster (once); nothing is started or removed`);
    const plane = externalControlPlane(external, kubectl);
    results.push(...await clusterGates(plane, objects, label));
    if (isDist) results.push(await accessMatrix(plane));
  } else {
    for (const [i, v] of tested.entries()) {
      if (older.includes(v)) continue;
      // a fresh control plane per environment and version: environments share names
      const plane: ControlPlane = await startControlPlane(tools, v);
      try {
        results.push(...await clusterGates(plane, objects, label));
        if (isDist) results.push(await accessMatrix(plane));
        // generated platforms through the API server: once, on the newest version
        if (isDist && i === 0 && opts.models) results.push(await modelGate(plane));
        // the gate self-test shares the newest version's control plane (its fixtures use their own namespaces)
        if (full && i === 0 && opts.gates && !selfTest) selfTest = await selfTestOn(plane);
      } finally {
        await plane.stop();
      }
    }
  }
  results.push(...await linterGates(tools, dir, files, objects));
  let findings = printReport(`${label} (${objects.length} objects)`, finalize(results, objects), env);
  for (const v of older) findings += await checkOlderRelease(tools, v);
  return { findings, selfTest };
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  // the simulation runs on the newest version of tools/versions.env: only when that is tested
  const newest = (readVersionsEnv().KUBERNETES_VERSIONS ?? '').split(/\s+/)[0];
  const simulate = opts.simulate && (!opts.versions || opts.versions.includes(newest));
  // every tool but promtool now; promtool, needed by the last stage only, builds behind the
  // cluster stages (background-tool.ts): a cold build's compile hides in their waits
  const tools: Tools = ensureTools(opts.versions, ['etcd', 'kube-score', 'kube-linter', 'polaris', 'kubernetes', ...(simulate ? ['simulation'] : [])]);
  const promtoolBuild = opts.promtool && opts.dist ? buildInBackground('promtool') : undefined;
  // helm (issue 26) likewise; its build waits for promtool's (tools/build-tools.sh builds one at a time)
  const helmBuild = opts.helm && opts.dist && path.resolve(opts.dir) === path.join(REPO, 'dist') ? buildInBackground('helm') : undefined;
  const versions = opts.versions ?? tools.kubernetesVersions;
  const external = process.env.KUBECONFIG;
  let distFindings = 0;
  let simFailed = 0;
  let day2Failed = 0;
  let promtoolFailed = 0;
  let admissionFailed = 0;
  let argocdFailed = 0;
  let selfTest: SelfTestSummary | undefined;
  let promtoolDir: string | undefined;

  if (opts.dist) {
    if (!fs.existsSync(opts.dir)) {
      process.stderr.write(`conformance: ${rel(opts.dir)} does not exist; synthesize the platform first (npm run synth), or pass --dir DIR\n`);
      return 2;
    }
    // dist/ holds one directory per environment (dist/dev/, dist/staging/, dist/prod/): each is
    // applied to control planes of its own (they share names). prod gets every gate; the
    // others apply, dry-run and idempotence on the newest version, and the linters.
    const envs = environmentDirs(opts.dir);
    const full = envs.length === 0 ? undefined : envs.includes('prod') ? 'prod' : envs[envs.length - 1];
    const targets = envs.length === 0 ? [{ dir: opts.dir, env: undefined, full: true }]
      : envs.map((env) => ({ dir: path.join(opts.dir, env), env, full: env === full }));
    if (envs.length > 0) progress(`${rel(opts.dir)} holds ${envs.length} environments (${envs.join(', ')}): every gate on ${full}, apply/dry-run/idempotence on v${versions[0]} and the linters on the others`);
    for (const t of targets) {
      const found = await checkDir(tools, opts, t.dir, t.env, t.full, versions, external, (plane) => runGateSelfTest(tools, plane), selfTest);
      if (found === 'missing') return 2;
      distFindings += found.findings;
      selfTest = found.selfTest;
      // its own local cluster, whatever KUBECONFIG says: it creates fake nodes
      if (simulate && t.full) {
        progress(`simulation of ${rel(t.dir)} on v${newest} (npm run simulate; test/simulation/README.md)`);
        const sim = await simulateDir(tools, newest, t.dir);
        simFailed = sim.rows.filter((r) => r.failures.length || /^not run/.test(r.detail)).length;
        // the release phase: a canary, a blue-green switch and a failed canary, on a cluster of its own (issue 21)
        if (opts.releases) simFailed += await simulateReleases(tools, newest);
      }
    }
    // the release composition (issue 21), on the newest version, with dist/ (not a --dir of one's own)
    if (opts.releases && !external && path.resolve(opts.dir) === path.join(REPO, 'dist') && versions.includes(newest)) {
      progress(`release composition on v${newest} (test/conformance/platforms/releases.ts): one service per release strategy, cluster gates and linters`);
      distFindings += await checkReleases(tools, newest);
    }
    // the day-2 gate: its own simulated cluster and platform, newest version, once per run (issue 25)
    if (simulate && opts.day2) {
      progress(`day-2 gate on v${newest} (test/conformance/day2.ts): a base platform, then everyday changes with the ApplySet prune command`);
      day2Failed = (await day2Gate(tools, newest)).failed;
    }
    // the admission stage (issue 23): dist/prod's policies on a control plane of its own, the newest version; skipped with the reason below 1.30
    const prod = path.join(opts.dir, 'prod');
    if (opts.admission && !external && path.resolve(opts.dir) === path.join(REPO, 'dist') && fs.existsSync(prod)) {
      for (const v of versions) {
        const stage = await admissionStage(tools, v, prod);
        process.stdout.write(`${stage.lines.join('\n')}\n`);
        if (stage.passed + stage.failed > 0) process.stdout.write(`admission: ${stage.passed} passed, ${stage.failed} failed\n`);
        admissionFailed += stage.failed;
      }
    }
    // the Argo CD stage (issue 26): dist/argocd/<env>.yaml on a control plane of its own, the newest version
    if (opts.argocd && !external && fs.existsSync(path.join(opts.dir, 'argocd')) && versions.includes(newest)) {
      const stage = await argoCdStage(tools, newest, opts.dir);
      process.stdout.write(`${stage.lines.join('\n')}\nargocd: ${stage.passed} passed, ${stage.failed} failed in ${stage.seconds.toFixed(0)}s\n`);
      argocdFailed = stage.failed;
    }
    promtoolDir = targets.find((t) => t.full)?.dir ?? opts.dir;
  }

  if (opts.gates && !selfTest) {
    const plane = await startControlPlane(tools, versions[0]);
    try { selfTest = await runGateSelfTest(tools, plane); } finally { await plane.stop(); }
  }
  if (opts.gates && simulate) {
    const s = await simulationSelfTest(tools, newest);
    selfTest = { passed: (selfTest?.passed ?? 0) + s.passed, failed: (selfTest?.failed ?? 0) + s.failed, lines: [...(selfTest?.lines ?? []), ...s.lines] };
  }
  // promtool (issue 22), last: the PrometheusRules of the fully checked directory and of the test platform
  if (promtoolBuild && promtoolDir) {
    await promtoolBuild.wait(tools);
    progress(`promtool on the PrometheusRules of ${rel(promtoolDir)} and of the observed test platform (test/conformance/promtool.ts)`);
    // the reference platform's own rules are unit-tested too when the directory is dist/<env>/
    const objects = loadObjects(manifestFiles(promtoolDir));
    const env = path.dirname(path.resolve(promtoolDir)) === path.join(REPO, 'dist') ? path.basename(promtoolDir) : undefined;
    promtoolFailed = await promtoolStage(tools, objects, env ? referenceSubjects(env, objects.map((o) => o.obj)) : undefined);
  }
  // Helm (issue 26), after promtool: the prod chart against dist/prod/, the escaping, a third-party chart
  let helmFailed = 0;
  if (helmBuild) {
    await helmBuild.wait(tools);
    helmFailed = await helmStage(tools);
  }
  if (selfTest) process.stdout.write(`${selfTest.lines.join('\n')}\n`);
  progress(`done in ${((Date.now() - started) / 1000).toFixed(0)}s`);
  if (selfTest) process.stdout.write(`gates: ${selfTest.passed} passed, ${selfTest.failed} failed\n`);
  return distFindings || simFailed || day2Failed || promtoolFailed || admissionFailed || argocdFailed || helmFailed || (selfTest && selfTest.failed) ? 1 : 0;
}

main().then((code) => process.exit(code), (err: Error) => {
  process.stderr.write(`conformance: ${err.message}\n`);
  process.exit(2);
});
