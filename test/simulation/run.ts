/**
 * `npm run simulate` (issue 14): dist/prod/ on a simulated multi-zone cluster of the newest
 * Kubernetes version (etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
 * kwok on 127.0.0.1): scheduling, quota, spread, PriorityClasses and HPAs, maximum scale,
 * a rolling update of every workload against the disruption budgets, and a node drain;
 * then the release phase (release-phase.ts, issue 21): a canary, a blue-green switch and a
 * failed canary of one service, step by step with the ApplySet prune command, on a cluster
 * of its own. See test/simulation/README.md.
 *
  *   npm run simulate                          dist/prod/, then prints the table; exit 1 on a failed check
 *   npm run simulate -- --self-test           the fixtures: good/ passes every check, broken/ fails the named ones;
 *                                             the release phase's broken stable track fails the failed-track check
 *   npm run simulate -- --release             the release phase alone
 *   npm run simulate -- --no-release          without the release phase
 *   npm run simulate -- --dir DIR             another directory of manifests
 *   npm run simulate -- --nodes 6 --zones 3   node count and zones (default 6 in 3 zones)
 *   npm run simulate -- --node-cpu 8 --node-memory 32Gi --node-pods 110 --node-ephemeral 100Gi
 *                                             node size (default: sized from the manifests so that
 *                                             nodes - 1 hold every workload at maximum scale plus surge)
 *   npm run simulate -- --timeout 180 --drain-timeout 120   seconds per wait, and for kubectl drain
 *
 * `npm run conformance` runs the same for dist/ and adds the self-test to its gate self-test.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ensureTools, loadObjects, manifestFiles, readVersionsEnv, REPO, rel, Tools } from '../conformance/harness';
import { progress, progressLabel } from '../conformance/processes';
import { NodeSize, parseQuantity } from './model';
import { CheckName, printSimulation, SimulationResult } from './report';
import { releasePhase, releaseSelfTest } from './release-phase';
import { releaseFailed, releaseTable } from './release-report';
import { simulate } from './scenario';

const FIXTURES = path.join(__dirname, 'fixtures');

export interface SimulationArgs { nodes: number; zones: number; size?: Partial<NodeSize>; timeout: number; drainTimeout: number }
export const DEFAULTS: SimulationArgs = { nodes: 6, zones: 3, timeout: 180, drainTimeout: 120 };

/** Runs the scenario on a directory of manifests and prints its table. */
export async function simulateDir(tools: Tools, version: string, dir: string, args: SimulationArgs = DEFAULTS, label = rel(dir)): Promise<SimulationResult> {
  const objects = loadObjects(manifestFiles(dir));
  if (!objects.length) throw new Error(`no Kubernetes objects in ${rel(dir)}`);
  const r = await simulate(tools, version, { objects, label, nodes: args.nodes, zones: args.zones, timeout: args.timeout, drainTimeout: args.drainTimeout, size: fullSize(args.size) });
  printSimulation(r);
  return r;
}

/** The release phase on a cluster of its own; prints its table, returns the failed steps. */
export async function simulateReleases(tools: Tools, version: string, timeout = DEFAULTS.timeout): Promise<number> {
  progress(`release phase on v${version} (test/simulation/release-phase.ts): a canary, a blue-green switch and a failed canary, with the ApplySet prune command`);
  const r = await releasePhase(tools, version, { timeout });
  process.stdout.write(`${releaseTable(r).join('\n')}\n`);
  return releaseFailed(r);
}

function fullSize(s?: Partial<NodeSize>): NodeSize | undefined {
  if (!s || !Object.keys(s).length) return undefined;
  return { cpu: s.cpu ?? 8, memory: s.memory ?? 32 * 2 ** 30, ephemeral: s.ephemeral ?? 100 * 2 ** 30, pods: s.pods ?? 110 };
}

/** What each broken fixture must make fail: the check, and a failure naming the broken object. */
export const EXPECTED: { check: CheckName; message: RegExp; proves: string }[] = [
  { check: 'quota', message: /sim-quota-short.*exceeded quota/, proves: 'a quota one pod too small for maximum scale plus surge refuses the surge pod' },
  { check: 'rollout', message: /Deployment\/sim-quota-short\/api:/, proves: 'that rollout then never completes' },
  { check: 'drain', message: /sim-pdb-blocks.*disruption budget|disruption budget.*sim-pdb-blocks|Cannot evict pod.*|still on/, proves: 'a PodDisruptionBudget with maxUnavailable 0 blocks every eviction: the drain does not complete' },
  { check: 'spread', message: /Deployment\/sim-spread\/pinned: topology\.kubernetes\.io\/zone \(ScheduleAnyway\) skew [3-9]/, proves: 'a zone spread that cannot be satisfied (every pod pinned to one zone) is reported with its skew' },
  { check: 'rollout-pdb', message: /PodDisruptionBudget\/sim-rollout-pdb\/batchy: down to/, proves: 'a rolling update that takes two pods down at once breaks a budget of one' },
  { check: 'scheduled', message: /Pod\/sim-unschedulable\/nowhere-/, proves: 'a pod no node can take is reported with the scheduler\'s message' },
  { check: 'available', message: /Deployment\/sim-unschedulable\/nowhere:/, proves: 'and its Deployment never becomes available' },
  { check: 'priority', message: /Pod\/sim-no-priority\/plain-.*has no priorityClassName/, proves: 'a pod without a PriorityClass is reported' },
  { check: 'hpa', message: /HorizontalPodAutoscaler\/sim-hpa-target\/orphan: scale target Deployment\/missing cannot be read/, proves: 'an HPA whose target does not exist is reported' },
];

export interface SimulationSelfTest { passed: number; failed: number; lines: string[] }

/** good/ passes every check; each broken/ defect makes its check fail, naming the object. */
export async function simulationSelfTest(tools: Tools, version: string): Promise<SimulationSelfTest> {
  const lines = ['', `== simulation self-test (fixtures in ${rel(FIXTURES)}, v${version})`];
  let passed = 0;
  let failed = 0;
  const verdict = (ok: boolean, what: string): void => { if (ok) passed++; else failed++; lines.push(`${ok ? 'ok  ' : 'FAIL'} ${what}`); };
  const args = { ...DEFAULTS, timeout: 30, drainTimeout: 30 };
  // the broken fixture's waits are meant to run out (a rollout that never completes, a drain a budget blocks): its defects
  // show within seconds (the good fixture's waits end in under 2 s), so waiting them out for 30 s each only cost CI time
  const brokenArgs = { ...args, timeout: 15, drainTimeout: 15 };

  progress('simulation self-test: fixtures/good (a Deployment with HPA, a StatefulSet with claims, a Job, a CronJob, a DaemonSet)');
  const good = await simulateDir(tools, version, path.join(FIXTURES, 'good'), args, 'fixtures/good');
  for (const r of good.rows) {
    verdict(!r.failures.length && !/^not run/.test(r.detail), `good: ${r.check} passes` + (r.failures.length ? ` -- but: ${r.failures.slice(0, 3).join('; ').slice(0, 400)}` : ''));
  }

  progress('simulation self-test: fixtures/broken (one defect per namespace)');
  const broken = await simulateDir(tools, version, path.join(FIXTURES, 'broken'), brokenArgs, 'fixtures/broken');
  for (const e of EXPECTED) {
    const row = broken.rows.find((r) => r.check === e.check)!;
    const hit = row.failures.find((f) => e.message.test(f));
    verdict(!!hit, `broken: ${e.check} fails: ${e.proves}` + (hit ? ` -> ${hit.slice(0, 160)}`
      : ` -- NOT reported; that check cannot fail. It reported: ${row.failures.slice(0, 3).join('; ').slice(0, 300) || 'nothing'}`));
  }

  progress('simulation self-test: release phase, a failing canary beside a broken stable track (the failed-track check must report it)');
  const released = await releaseSelfTest(tools, version);
  process.stdout.write(`${releaseTable(released.result).join('\n')}\n`);
  passed += released.passed;
  failed += released.failed;
  lines.push(...released.lines);
  return { passed, failed, lines };
}

/** The seconds tools/build-tools.sh wrote beside each binary when it built it (.build-seconds). */
function coldBuilds(tools: Tools): string {
  return [...tools.byName.values()].filter((t) => t.status === 'ok').map((t) => {
    const f = path.join(path.dirname(t.path), '.build-seconds');
    return `${t.name} ${t.version} ${fs.existsSync(f) ? `${fs.readFileSync(f, 'utf8').trim()}s` : 'unknown'}`;
  }).join(', ');
}

function parseArgs(argv: string[]): SimulationArgs & { dir: string; selfTest: boolean; dist: boolean; release: boolean } {
  const o = { ...DEFAULTS, dir: path.join(REPO, 'dist', 'prod'), selfTest: false, dist: true, release: true, size: {} as Partial<NodeSize> };
  const int = (v: string, flag: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} wants a positive whole number, got '${v}'`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = (): string => { if (argv[i + 1] === undefined) throw new Error(`${a} wants a value`); return argv[++i]; };
    if (a === '--self-test') o.selfTest = true;
    else if (a === '--dir') o.dir = path.resolve(v());
    else if (a === '--release') o.dist = false;
    else if (a === '--no-release') o.release = false;
    else if (a === '--nodes') o.nodes = int(v(), a);
    else if (a === '--zones') o.zones = int(v(), a);
    else if (a === '--timeout') o.timeout = int(v(), a);
    else if (a === '--drain-timeout') o.drainTimeout = int(v(), a);
    else if (a === '--node-cpu') o.size.cpu = int(v(), a);
    else if (a === '--node-pods') o.size.pods = int(v(), a);
    else if (a === '--node-memory') o.size.memory = parseQuantity(v());
    else if (a === '--node-ephemeral') o.size.ephemeral = parseQuantity(v());
    else if (a === '-h' || a === '--help') {
      process.stdout.write(fs.readFileSync(__filename, 'utf8').split('*/')[0] + '*/\n');
      process.exit(0);
    } else throw new Error(`unknown argument '${a}' (see --help)`);
  }
  if (o.zones > o.nodes) throw new Error(`--zones (${o.zones}) must not exceed --nodes (${o.nodes}): every zone needs a node`);
  return o;
}

if (require.main === module) {
  (async () => {
    progressLabel('simulate');
    const opts = parseArgs(process.argv.slice(2));
    const started = Date.now();
    if (process.env.KUBECONFIG) progress('KUBECONFIG is ignored: the simulation creates fake nodes, so it only ever runs on its own local cluster');
    // the simulation runs on the newest Kubernetes version only
    const newest = (readVersionsEnv().KUBERNETES_VERSIONS ?? '').split(/\s+/)[0];
    const toolsStart = Date.now();
    const tools = ensureTools(undefined, ['etcd', 'simulation']);
    const toolSeconds = (Date.now() - toolsStart) / 1000;
    let code = 0;
    if (opts.selfTest) {
      const s = await simulationSelfTest(tools, newest);
      process.stdout.write(`${s.lines.join('\n')}\nsimulation self-test: ${s.passed} passed, ${s.failed} failed\n`);
      code = s.failed ? 1 : 0;
    } else if (opts.dist) {
      if (!fs.existsSync(opts.dir)) {
        process.stderr.write(`simulate: ${rel(opts.dir)} does not exist; synthesize the platform first (npm run synth), or pass --dir DIR\n`);
        process.exit(2);
      }
      const r = await simulateDir(tools, newest, opts.dir, opts);
      code = r.rows.some((x) => x.failures.length || /^not run/.test(x.detail)) ? 1 : 0;
    }
    if (!opts.selfTest && opts.release && await simulateReleases(tools, newest, opts.timeout)) code = 1;
    progress(`done in ${((Date.now() - started) / 1000).toFixed(0)}s (warm run; tools check ${toolSeconds.toFixed(1)}s)`);
    progress(`cold builds of these tools, as tools/build-tools.sh recorded them: ${coldBuilds(tools)} (tools/BUILD-TIMES.md)`);
    process.exit(code);
  })().catch((err: Error) => {
    process.stderr.write(`simulate: ${err.message}\nNext: read the messages above; tools/build-tools.sh --only simulation rebuilds the simulation's tools\n`);
    process.exit(2);
  });
}
