import * as path from 'path';
import { ConfigurationError, PreviousOutput, loadManifests, parityReport, renderParityReport, synthesizeEnvironments } from './lib';
import { ENVIRONMENTS, buildSalesPlatform } from './charts';

// `npm run synth` (or `cdk8s synth`): synthesizes the reference platform once per
// environment into dist/<env>/ (or the directory `cdk8s synth` names). A failed synth,
// or an undeclared difference between the environments, leaves dist/ as it was.
//
// `npm run parity -- dev prod`: prints what differs between dist/dev/ and dist/prod/,
// object by object, and fails on a difference the environments do not declare.
//
// Each environment's safe-change check compares with its directory as committed in git
// (dist/<env>/ at HEAD), wherever the synth writes: CI synthesizes into a temporary
// directory and must get the same bytes (the ConfigMap revisions are carried from there).
const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'parity') {
    process.exit(parity(args));
  }
  synthesizeEnvironments(ENVIRONMENTS, (app, env) => buildSalesPlatform(app, env),
    { previous: env => PreviousOutput.committed(`dist/${env.name}`) });
} catch (err) {
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
