/**
 * Synthesizes the composition of one release per strategy (test/release/_release.ts)
 * into a directory, for the conformance run on the newest release:
 *
 *   tsx test/release/synth.ts /tmp/releases
 *   npm run conformance -- --dir /tmp/releases --no-gates --no-models --no-simulate --no-day2 --versions 1.37.2
 *
 * The default conformance run checks a superset of it (test/release/progression-synth.ts,
 * through test/conformance/platforms/releases.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { composition } from './_release';

/**
 * The command line of a composition script: synthesizes the app of `build()` into the
 * directory given as the one argument (usage and exit 2 without one).
 */
export function synthCommand(file: string, build: () => App): void {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write(`usage: tsx ${path.relative(process.cwd(), file)} <outdir>\n`);
    process.exit(2);
  }
  const app = build();
  app.synth();
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  for (const f of fs.readdirSync(app.outdir)) {
    fs.copyFileSync(path.join(app.outdir, f), path.join(out, f));
  }
  process.stdout.write(`${fs.readdirSync(out).length} files in ${out}\n`);
}

if (require.main === module) {
  synthCommand(__filename, () => composition().catalog.node.root as App);
}
