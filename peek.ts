import { App } from 'cdk8s';
import { synthesize, PreviousOutput } from './lib';
import { buildReleaseStep, RELEASE_STEPS } from './test/simulation/release-steps';
let t = Date.now();
const o = (i: number) => `/tmp/peek-synth/s${i}`;
for (let i = 0; i < 4; i++) {
  synthesize((app) => { buildReleaseStep(app, RELEASE_STEPS[i]); }, { outdir: o(i), previous: i ? PreviousOutput.fromDirectory(o(i-1)) : PreviousOutput.NONE });
  console.log(i, Date.now() - t); t = Date.now();
}
