/**
 * `npm run conformance` (issue 3): proves that the YAML in dist/ is accepted by a
 * real kube-apiserver (every Kubernetes version in tools/versions.env) and passes
 * kube-linter, kube-score and Polaris; then proves that each gate can fail, with
 * the broken fixtures (gates.ts). On the newest version it also runs the simulation
 * (test/simulation/: scheduling, quota, spread, rollouts and a drain on a kwok cluster),
 * whose fixtures join the gate self-test. See test/conformance/README.md.
 *
 *   npm run conformance                      dist/ on every version, the simulation, then the gate self-test
 *   npm run conformance -- --gates           only the gate self-test (the simulation's fixtures included)
 *   npm run conformance -- --no-gates        only dist/
 *   npm run conformance -- --no-models       without the generated platforms (test/conformance/models.ts)
 *   npm run conformance -- --no-simulate     without the simulation (dist/ and its fixtures)
 *   npm run conformance -- --no-day2         without the day-2 gate (apply-and-prune of everyday changes, day2.ts)
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
import { simulateDir, simulationSelfTest } from '../simulation/run';
import { day2Gate } from './day2';
import { synthesizePlatform } from './platforms/synth';
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

interface Options { dir: string; gates: boolean; dist: boolean; models: boolean; simulate: boolean; day2: boolean; versions?: string[] }

function parseArgs(argv: string[]): Options {
  const o: Options = { dir: path.join(REPO, 'dist'), gates: true, dist: true, models: true, simulate: true, day2: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--gates') { o.dist = false; o.gates = true; } else if (a === '--no-gates') o.gates = false;
    else if (a === '--no-models') o.models = false;
    else if (a === '--no-simulate') o.simulate = false;
    else if (a === '--no-day2') o.day2 = false;
    else if (a === '--dir') o.dir = path.resolve(argv[++i]);
    else if (a === '--versions') o.versions = argv[++i].split(',').map((v) => v.replace(/^v/, ''));
    else if (a === '-h' || a === '--help') {
      process.stdout.write(fs.readFileSync(__filename, 'utf8').split('*/')[0] + '*/\n');
      process.exit(0);
    } else { throw new Error(`unknown argument '${a}' (see --help)`); }
  }
  return o;
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  // the simulation runs on the newest version of tools/versions.env: only when that is tested
  const newest = (readVersionsEnv().KUBERNETES_VERSIONS ?? '').split(/\s+/)[0];
  const simulate = opts.simulate && (!opts.versions || opts.versions.includes(newest));
  const tools: Tools = ensureTools(opts.versions, simulate ? undefined : ['etcd', 'kube-score', 'kube-linter', 'polaris', 'kubernetes']);
  const versions = opts.versions ?? tools.kubernetesVersions;
  const external = process.env.KUBECONFIG;
  let distFindings = 0;
  let simFailed = 0;
  let day2Failed = 0;
  let selfTest: SelfTestSummary | undefined;

  if (opts.dist) {
    if (!fs.existsSync(opts.dir)) {
      process.stderr.write(`conformance: ${rel(opts.dir)} does not exist; synthesize the platform first (npm run synth), or pass --dir DIR\n`);
      return 2;
    }
    const files = manifestFiles(opts.dir);
    const objects = loadObjects(files);
    if (!objects.length) {
      process.stderr.write(`conformance: no Kubernetes objects in ${rel(opts.dir)}\n`);
      return 2;
    }
    progress(`${objects.length} objects in ${files.length} files under ${rel(opts.dir)}`);
    // the access matrix (issue 5) asks about the reference platform's identities: dist/ only
    const isDist = path.resolve(opts.dir) === path.join(REPO, 'dist');
    const results: GateResult[] = [];
    const target = targetMinor(objects);
    const older = external ? [] : versions.filter((v) => target !== undefined && minorOf(v) < target);
    if (external) {
      const kubectl = tools.byName.get(`kubectl-v${versions[0]}`)?.path ?? 'kubectl';
      progress(`KUBECONFIG is set: applying ${rel(opts.dir)} for real to that cluster (once); nothing is started or removed`);
      const plane = externalControlPlane(external, kubectl);
      results.push(...await clusterGates(plane, objects, rel(opts.dir)));
      if (isDist) results.push(await accessMatrix(plane));
    } else {
      for (const [i, v] of versions.entries()) {
        if (older.includes(v)) continue;
        const plane: ControlPlane = await startControlPlane(tools, v);
        try {
          results.push(...await clusterGates(plane, objects, rel(opts.dir)));
          if (isDist) results.push(await accessMatrix(plane));
          // generated platforms through the API server: once, on the newest version
          if (isDist && i === 0 && opts.models) results.push(await modelGate(plane));
          // the gate self-test shares the newest version's control plane (its fixtures use their own namespaces)
          if (i === 0 && opts.gates) selfTest = await runGateSelfTest(tools, plane);
        } finally {
          await plane.stop();
        }
      }
    }
    results.push(...await linterGates(tools, opts.dir, files, objects));
    distFindings = printReport(`${rel(opts.dir)} (${objects.length} objects)`, finalize(results, objects));
    for (const v of older) distFindings += await checkOlderRelease(tools, v);
    // its own local cluster, whatever KUBECONFIG says: it creates fake nodes
    if (simulate) {
      progress(`simulation of ${rel(opts.dir)} on v${newest} (npm run simulate; test/simulation/README.md)`);
      const sim = await simulateDir(tools, newest, opts.dir);
      simFailed = sim.rows.filter((r) => r.failures.length || /^not run/.test(r.detail)).length;
    }
    // the day-2 gate: its own simulated cluster, newest version (issue 25)
    if (simulate && opts.day2) {
      progress(`day-2 gate on v${newest} (test/conformance/day2.ts): a base platform, then everyday changes with the ApplySet prune command`);
      day2Failed = (await day2Gate(tools, newest)).failed;
    }
  }

  if (opts.gates && !selfTest) {
    const plane = await startControlPlane(tools, versions[0]);
    try { selfTest = await runGateSelfTest(tools, plane); } finally { await plane.stop(); }
  }
  if (opts.gates && simulate) {
    const s = await simulationSelfTest(tools, newest);
    selfTest = { passed: (selfTest?.passed ?? 0) + s.passed, failed: (selfTest?.failed ?? 0) + s.failed, lines: [...(selfTest?.lines ?? []), ...s.lines] };
  }
  if (selfTest) process.stdout.write(`${selfTest.lines.join('\n')}\n`);
  progress(`done in ${((Date.now() - started) / 1000).toFixed(0)}s`);
  if (selfTest) process.stdout.write(`gates: ${selfTest.passed} passed, ${selfTest.failed} failed\n`);
  return distFindings || simFailed || day2Failed || (selfTest && selfTest.failed) ? 1 : 0;
}

main().then((code) => process.exit(code), (err: Error) => {
  process.stderr.write(`conformance: ${err.message}\n`);
  process.exit(2);
});
