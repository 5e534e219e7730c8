/**
 * One benchmark run, in its own process so that its peak RSS is its own:
 *   node --import tsx test/bench/run-one.ts ours|ours-app|ours-app-synth|raw CONTEXTS SERVICES
 * Builds the platform, synthesizes it into a temporary directory like `cdk8s synth`
 * (one file per chart), and prints one JSON line: wall seconds from the empty app to
 * the files written, the objects written, and the peak RSS in MiB.
 *
 * `ours` synthesizes the way the reference platform's main.ts does, through the
 * library's `synthesize()` (a `MicroservicesApp` into a staging directory, swapped in);
 * `ours-app` calls `synth()` of a `MicroservicesApp`, as the README's tour does;
 * `ours-app-synth` calls a plain cdk8s `App`'s `synth()` (cdk8s' serializer), as an
 * app that uses neither would; `raw` is cdk8s-plus-27 through a plain `app.synth()`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App } from 'cdk8s';
import { buildOurs, buildRaw } from './platforms';
import { MicroservicesApp, synthesize } from '../../lib';

const [kind, contexts, services] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
if (!['ours', 'ours-app', 'ours-app-synth', 'raw'].includes(kind) || !(contexts > 0) || !(services > 0)) {
  process.stderr.write('usage: run-one.ts ours|ours-app|ours-app-synth|raw CONTEXTS SERVICES\n');
  process.exit(2);
}
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk8s-ms-bench-${kind}-`));
try {
  const t0 = performance.now();
  let built = t0;
  if (kind === 'ours') {
    synthesize(app => {
      buildOurs(app, contexts, services);
      built = performance.now();
    }, { outdir });
  } else {
    const app = kind === 'ours-app' ? new MicroservicesApp({ outdir }) : new App({ outdir });
    (kind === 'raw' ? buildRaw : buildOurs)(app, contexts, services);
    built = performance.now();
    app.synth();
  }
  const t1 = performance.now();
  let objects = 0;
  for (const f of fs.readdirSync(outdir)) {
    objects += fs.readFileSync(path.join(outdir, f), 'utf8').split(/^---$/m).length;
  }
  process.stdout.write(`${JSON.stringify({
    kind, contexts, services: contexts * services, objects, seconds: (t1 - t0) / 1000, buildSeconds: (built - t0) / 1000,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`);
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}
