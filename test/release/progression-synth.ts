/**
 * The composition of one release per strategy (test/release/_release.ts) with one more
 * service, 'ratings', whose canary Argo Rollouts moves (test/release/_progression.ts),
 * synthesized into a directory for the conformance run (apply server-side with the
 * Rollout and AnalysisTemplate CRDs, schema validated; the linters):
 *
 *   tsx test/release/progression-synth.ts /tmp/progression
 *   npm run conformance -- --dir /tmp/progression --no-gates --no-models --no-simulate --no-day2 --versions 1.37.2
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { progressionComposition } from './_progression';

if (require.main === module) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write(`usage: tsx ${path.relative(process.cwd(), __filename)} <outdir>\n`);
    process.exit(2);
  }
  const app = progressionComposition().catalog.node.root as App;
  app.synth();
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  for (const f of fs.readdirSync(app.outdir)) {
    fs.copyFileSync(path.join(app.outdir, f), path.join(out, f));
  }
  process.stdout.write(`${fs.readdirSync(out).length} files in ${out}\n`);
}
