/**
 * The composition of one release per strategy (test/release/_release.ts) with one more
 * service, 'ratings', whose canary Argo Rollouts moves (test/release/_progression.ts),
 * synthesized into a directory for the conformance run (apply server-side with the
 * Rollout and AnalysisTemplate CRDs, schema validated; the linters):
 *
 *   tsx test/release/progression-synth.ts /tmp/progression
 *   npm run conformance -- --dir /tmp/progression --no-gates --no-models --no-simulate --no-day2 --versions 1.37.2
 */
import { App } from 'cdk8s';
import { progressionComposition } from './_progression';
import { synthCommand } from './synth';

if (require.main === module) {
  synthCommand(__filename, () => progressionComposition().catalog.node.root as App);
}
