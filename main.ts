import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  ArgoCdDelivery, ConfigurationError, DiagramRenderer, PreviousOutput, changeReport, diagramFiles, helmChartDirectory, loadManifests, parityReport,
  renderChangeReport, renderParityReport, synthesizeEnvironments, synthesizeHelmChart,
} from './lib';
import { ENVIRONMENTS, buildSalesPlatform } from './charts';

// `npm run synth` (or `cdk8s synth`): synthesizes the reference platform once per
// environment into dist/<env>/ (or the directory `cdk8s synth` names). A failed synth,
// or an undeclared difference between the environments, leaves dist/ as it was.
//
// `npm run parity -- dev prod`: prints what differs between dist/dev/ and dist/prod/,
// object by object, and fails on a difference the environments do not declare.
//
// `npm run diff [-- prod]`: synthesizes every environment into a temporary directory
// (dist/ is left as it is) and prints, per environment and bounded context, what the
// change does compared with dist/<env>/ as committed (HEAD, or DIFF_REF=origin/main):
// calls, grants, routes, capacity, images, objects replaced or pruned.
//
// Each environment's safe-change check compares with its directory as committed in git
// (dist/<env>/ at HEAD), wherever the synth writes: CI synthesizes into a temporary
// directory and must get the same bytes (the ConfigMap revisions are carried from there).
// The synth also writes the platform's diagram beside the environments (dist/diagram/):
// Graphviz (WebAssembly) is loaded first, as loading it is asynchronous.
const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'parity') {
    process.exit(parity(args));
  }
  if (command === 'diff') {
    process.exit(diff(args));
  }
  if (helmChartDirectory() !== undefined) {
    // `CDK8S_MS_HELM_ENVIRONMENT=prod cdk8s synth --format helm --chart-version 1.0.0`: one environment as a chart (README "Helm"),
    // templates only (no Argo CD applications, no diagram)
    synthesizeHelmChart(ENVIRONMENTS, (app, env) => buildSalesPlatform(app, env), { previous: env => PreviousOutput.committed(`dist/${env.name}`) });
  } else {
    DiagramRenderer.load().then(diagram => synthesizeEnvironments(ENVIRONMENTS, (app, env) => buildSalesPlatform(app, env), {
      previous: env => PreviousOutput.committed(`dist/${env.name}`),
      extraFiles: built => ({ ...ArgoCdDelivery.files(built), ...diagramFiles(built, diagram) }),
    })).catch(fail);
  }
} catch (err) {
  fail(err);
}

function fail(err: unknown): never {
  // A construct error already says where, what and how to fix it: print it
  // without a stack trace and fail.
  process.stderr.write(`${command ?? 'synth'} failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

function parity([a, b, dir = process.env.CDK8S_OUTDIR ?? 'dist']: string[]): number {
  const envs = new Map(ENVIRONMENTS.map(e => [e.name, e]));
  for (const name of [a, b]) {
    if (name === undefined || !envs.has(name)) {
      throw new ConfigurationError({ path: 'parity', prop: 'environment', value: name ?? '(none)',
        expected: `must name two environments of the platform (${[...envs.keys()].join(', ')})`, fix: 'run npm run parity -- dev prod' });
    }
  }
  const output = (name: string) => ({ name, declared: envs.get(name)!.declared(), manifests: loadManifests(path.join(dir, name)) });
  const report = parityReport(output(a), output(b));
  process.stdout.write(renderParityReport(report));
  return report.undeclared.length > 0 ? 1 : 0;
}

function diff(names: string[]): number {
  const known = ENVIRONMENTS.map(e => e.name);
  const unknown = names.find(n => !known.includes(n));
  if (unknown !== undefined) {
    throw new ConfigurationError({ path: 'diff', prop: 'environment', value: unknown,
      expected: `must name an environment of the platform (${known.join(', ')})`, fix: 'run npm run diff, or npm run diff -- prod' });
  }
  const ref = process.env.DIFF_REF ?? 'HEAD';
  // a ref git does not know would make every object look new: refuse it instead
  if (spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { encoding: 'utf8' }).status !== 0) {
    throw new ConfigurationError({ path: 'diff', prop: 'DIFF_REF', value: ref, expected: 'must name a commit git knows here (a branch, tag or commit)',
      fix: 'fetch it first (git fetch origin main, then DIFF_REF=origin/main npm run diff), or leave DIFF_REF unset to compare with HEAD' });
  }
  const committed = (env: string) => PreviousOutput.committed(`dist/${env}`, { ref });
  const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-diff-')), 'dist');
  try {
    try {
      synthesizeEnvironments(ENVIRONMENTS, (app, env) => buildSalesPlatform(app, env), { outdir, previous: env => committed(env.name) });
    } catch (err) {
      // a change the safe-change check refuses: report it anyway (the replace lines name it), without carried ConfigMap revisions
      process.stderr.write(`diff: the synth refuses this change as it stands:\n${err instanceof Error ? err.message : String(err)}\n`);
      synthesizeEnvironments(ENVIRONMENTS, (app, env) => buildSalesPlatform(app, env), { outdir, previous: () => PreviousOutput.NONE });
    }
    for (const env of names.length > 0 ? names : known) {
      const loaded = committed(env)._load();
      const before = (loaded.files ?? []).flatMap(f => f.docs);
      const title = `${env}: ${loaded.source}${loaded.files === undefined ? ` (${loaded.missing})` : ''}`;
      process.stdout.write(renderChangeReport(changeReport(before, loadManifests(path.join(outdir, env))), title));
    }
  } finally {
    fs.rmSync(path.dirname(outdir), { recursive: true, force: true });
  }
  return 0;
}
