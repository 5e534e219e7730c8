import { synthesize } from './lib';
import { buildSalesPlatform } from './charts';

// Synthesizes the reference platform into dist/ (`npm run synth`), or into the
// directory `cdk8s synth` names. A failed synth leaves dist/ as it was.
try {
  synthesize(app => buildSalesPlatform(app));
} catch (err) {
  // A construct error already says where, what and how to fix it: print it
  // without a stack trace and fail the synth.
  process.stderr.write(`synth failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
