/**
 * Synthesis benchmark (`npm run bench`): the library against raw cdk8s-plus-27 on
 * synthetic platforms of 100, 1,000 and 5,000 services (test/bench/platforms.ts),
 * each run in its own process (run-one.ts) so that its peak RSS is its own, files
 * written like `cdk8s synth`; then the reference platform through the CLI. The
 * library is measured three ways: through `synthesize()` (what main.ts runs), through
 * `MicroservicesApp.synth()` (what the README's tour runs; both with the library's
 * YAML emitter) and through a plain cdk8s `App`'s `synth()`.
 *
 *   npm run bench                                  sizes 100,1000,5000; 3 runs each
 *   BENCH_SIZES=100,1000 BENCH_RUNS=5 npm run bench
 *
 * Reports medians; prints the goals of issue 15 with the measured figures. It is a
 * measurement, not a test: it never fails on time.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..', '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SIZES = (process.env.BENCH_SIZES ?? '100,1000,5000').split(',').map(Number);
const PER_CONTEXT = 20;

interface Run { kind: string; services: number; objects: number; seconds: number; peakRssMiB: number }

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const log = (s: string): void => { process.stderr.write(`[bench] ${s}\n`); };

function runOne(kind: string, services: number): Run {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'run-one.ts'), kind, String(services / PER_CONTEXT), String(PER_CONTEXT)],
    { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) {
    throw new Error(`run-one.ts ${kind} ${services} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Run;
}

interface Figures { seconds: number; objects: number; perObjectUs: number; peakRssMiB: number }

function measure(kind: string, services: number): Figures {
  const runs: Run[] = [];
  for (let i = 1; i <= RUNS; i++) {
    const r = runOne(kind, services);
    log(`${kind} ${services} services: run ${i}/${RUNS} ${r.seconds.toFixed(2)} s, ${r.objects} objects, peak RSS ${r.peakRssMiB.toFixed(0)} MiB`);
    runs.push(r);
  }
  const seconds = median(runs.map(r => r.seconds));
  const spread = (Math.max(...runs.map(r => r.seconds)) - Math.min(...runs.map(r => r.seconds))) / seconds;
  log(`${kind} ${services}: median ${seconds.toFixed(2)} s (runs spread ${(spread * 100).toFixed(0)}% of the median)`);
  return { seconds, objects: runs[0].objects, perObjectUs: seconds / runs[0].objects * 1e6, peakRssMiB: Math.max(...runs.map(r => r.peakRssMiB)) };
}

function cli(label: string, cmd: string, args: string[]): number {
  const times: number[] = [];
  for (let i = 1; i <= RUNS; i++) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ms-bench-cli-'));
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, [...args, ...(cmd === 'npx' ? ['--output', out] : [])], {
      cwd: REPO, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: out, CDK8S_CHECK_UPGRADE: 'false' },
    });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    fs.rmSync(out, { recursive: true, force: true });
    if (r.status !== 0) throw new Error(`${label} failed: ${r.stderr.slice(-2000)}`);
    log(`${label}: run ${i}/${RUNS} ${s.toFixed(2)} s`);
    times.push(s);
  }
  return median(times);
}

function main(): void {
  log(`Node ${process.version}, ${os.cpus().length} cores, ${RUNS} runs per figure, sizes ${SIZES.join(', ')} services (${PER_CONTEXT} per context)`);
  const rows: Array<{ services: number; ours: Figures; app: Figures; appSynth: Figures; raw: Figures }> = [];
  for (const services of SIZES) {
    rows.push({
      services, ours: measure('ours', services), app: measure('ours-app', services), appSynth: measure('ours-app-synth', services), raw: measure('raw', services),
    });
  }
  const ref = cli('npx cdk8s synth (reference platform)', 'npx', ['--no-install', 'cdk8s', 'synth', '--check-upgrade', 'false']);
  const npmSynth = cli('node --import tsx main.ts (npm run synth)', process.execPath, ['--import', 'tsx', 'main.ts']);

  const out: string[] = ['', '| services | ours: objects | ours: total | ours: per object | ours: peak RSS | raw cdk8s-plus-27: objects | raw: total | raw: per object | ratio per object | ours via MicroservicesApp: total | ours via a plain App: total | its ratio |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const { services, ours, app, appSynth, raw } of rows) {
    out.push(`| ${services.toLocaleString('en-US')} | ${ours.objects.toLocaleString('en-US')} | ${ours.seconds.toFixed(2)} s | ${ours.perObjectUs.toFixed(0)} us | ${ours.peakRssMiB.toFixed(0)} MiB `
      + `| ${raw.objects.toLocaleString('en-US')} | ${raw.seconds.toFixed(2)} s | ${raw.perObjectUs.toFixed(0)} us | ${(ours.perObjectUs / raw.perObjectUs).toFixed(2)} `
      + `| ${app.seconds.toFixed(2)} s | ${appSynth.seconds.toFixed(2)} s | ${(appSynth.perObjectUs / raw.perObjectUs).toFixed(2)} |`);
  }
  out.push('', `reference platform: npx cdk8s synth ${ref.toFixed(2)} s, npm run synth ${npmSynth.toFixed(2)} s (medians, CLI start-up included)`);
  const at = (n: number) => rows.find(r => r.services === n);
  const goals: Array<[string, boolean | undefined, string]> = [];
  const k = at(1000);
  if (k) {
    goals.push(['1,000 services under 3 s', k.ours.seconds < 3, `${k.ours.seconds.toFixed(2)} s`]);
    goals.push(['1,000 services under 3 s through MicroservicesApp.synth()', k.app.seconds < 3, `${k.app.seconds.toFixed(2)} s`]);
    goals.push(['1,000 services under 400 MiB', k.ours.peakRssMiB < 400, `${k.ours.peakRssMiB.toFixed(0)} MiB`]);
    goals.push(['per object no worse than raw cdk8s-plus-27 at 1,000 (ratio <= 1.0)', k.ours.perObjectUs <= k.raw.perObjectUs, `${(k.ours.perObjectUs / k.raw.perObjectUs).toFixed(2)}`]);
  }
  const small = rows[0];
  const large = rows[rows.length - 1];
  if (rows.length > 1) {
    const growth = large.ours.perObjectUs / small.ours.perObjectUs;
    goals.push([`linear: per object at ${large.services} within 1.2x of ${small.services}`, growth <= 1.2, `${growth.toFixed(2)}x`]);
  }
  goals.push(['npx cdk8s synth of the reference platform under 3 s', ref < 3, `${ref.toFixed(2)} s`]);
  out.push('', 'goals (issue 15):');
  for (const [goal, met, value] of goals) out.push(`  ${met ? 'met    ' : 'NOT MET'} ${goal}: ${value}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
