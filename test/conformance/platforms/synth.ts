/**
 * Synthesizes one of the conformance test platforms into a directory:
 *
 *   tsx test/conformance/platforms/synth.ts target-1.27 /tmp/target-1.27
 *   npm run conformance -- --no-gates --dir /tmp/target-1.27 --versions 1.27.16
 *
 * Each platform module (target-*.ts here) exports `build(app)`.
 */
import * as path from 'path';
import { App } from 'cdk8s';
import { synthesize } from '../../../lib';

/** The test platforms, by name: the Kubernetes release each targets is in its name. */
export const PLATFORMS = ['target-1.27', 'target-newest'];

/** Synthesizes platform `name` into `outdir`; returns the files written. */
export function synthesizePlatform(name: string, outdir: string): string[] {
  if (!PLATFORMS.includes(name)) {
    throw new Error(`unknown test platform '${name}'; use one of ${PLATFORMS.join(', ')}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const platform = require(path.join(__dirname, name)) as { build(app: App): unknown };
  return synthesize(app => platform.build(app), { outdir });
}

if (require.main === module) {
  const [name, outdir] = process.argv.slice(2);
  if (!name || !outdir) {
    process.stderr.write(`usage: tsx ${path.relative(process.cwd(), __filename)} <${PLATFORMS.join('|')}> <outdir>\n`);
    process.exit(2);
  }
  try {
    const files = synthesizePlatform(name, outdir);
    process.stdout.write(`${name}: ${files.length} files in ${outdir}\n`);
  } catch (err) {
    process.stderr.write(`synth failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
