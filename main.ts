import { App } from 'cdk8s';
import { buildSalesPlatform } from './charts';

// Synthesizes the reference platform into dist/ (run: npx cdk8s synth).
try {
  const app = new App();
  buildSalesPlatform(app);
  app.synth();
} catch (err) {
  // A construct error already says where, what and how to fix it: print it
  // without a stack trace and fail the synth.
  process.stderr.write(`synth failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
