/**
 * Applies each step of a release, one after the other, to a real kube-apiserver
 * (the newest release), as `kubectl apply --server-side` does, and reports whether
 * the API server accepts each one as an update of the step before:
 *
 *   tsx test/release/steps.cluster.ts
 *
 * (Not pruning: the objects a step drops stay here; the simulation's release phase,
 * test/simulation/release-phase.ts, applies the steps with the ApplySet prune.)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { Colour, IRelease, Image, Release, VariantMatch } from '../../lib';
import { ensureTools, startControlPlane } from '../conformance/harness';
import { run } from '../conformance/processes';
import { NEXT, STABLE, buildRelease, rendered } from './_release';

type Step = [string, IRelease | undefined, Image];

const SEQUENCES: Array<[string, Step[]]> = [
  ['canary', [['stable only', undefined, STABLE], ['canary 10%', Release.canary({ image: NEXT, weight: 10 }), STABLE],
    ['canary 50%', Release.canary({ image: NEXT, weight: 50 }), STABLE], ['promoted', undefined, NEXT]]],
  ['canary rolled back', [['stable only', undefined, STABLE], ['canary 10%', Release.canary({ image: NEXT, weight: 10 }), STABLE], ['rolled back', undefined, STABLE]]],
  ['blue-green', [['stable only', undefined, STABLE], ['green idle', Release.blueGreen({ image: NEXT, active: Colour.BLUE }), STABLE],
    ['green active', Release.blueGreen({ image: NEXT, active: Colour.GREEN }), STABLE],
    ['blue rolled to the new image', Release.blueGreen({ image: NEXT, active: Colour.GREEN }), NEXT], ['ended', undefined, NEXT]]],
  ['a/b', [['stable only', undefined, STABLE], ['variant', Release.abTest({ image: NEXT, matches: [VariantMatch.header('X-Variant', 'b')] }), STABLE], ['ended', undefined, STABLE]]],
  ['shadow', [['stable only', undefined, STABLE], ['shadow 5%', Release.shadow({ image: NEXT, percent: 5, mirrorsWritesReason: 'read-only' }), STABLE], ['ended', undefined, STABLE]]],
];

async function main(): Promise<void> {
  const version = '1.37.2';
  const tools = ensureTools([version], ['etcd', 'kubernetes']);
  let failed = 0;
  for (const [name, steps] of SEQUENCES) {
    // each sequence on a control plane of its own (without a controller manager, a namespace is never deleted)
    const plane = await startControlPlane(tools, version);
    const kc = ['--kubeconfig', plane.kubeconfig];
    try {
      for (const [label, release, image] of steps) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'release-step-'));
        Yaml.save(path.join(dir, 'step.yaml'), rendered(buildRelease(release, { props: { image } })));
        const applied = await run(plane.kubectl, [...kc, 'apply', '--server-side', '--validate=strict', '-f', path.join(dir, 'step.yaml')]);
        fs.rmSync(dir, { recursive: true, force: true });
        if (applied.code !== 0) failed++;
        process.stdout.write(`${applied.code === 0 ? 'ACCEPTED' : 'REFUSED '} ${name}: ${label}${applied.code === 0 ? '' : `\n${applied.out}`}\n`);
      }
    } finally {
      await plane.stop();
    }
  }
  process.stdout.write(`${failed === 0 ? 'every step accepted' : `${failed} step(s) refused`}\n`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch(err => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
