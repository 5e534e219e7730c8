/**
 * Measures the safe-change check against a real kube-apiserver (1.37, the harness's
 * control plane): for each change of the test platform, applies the version before
 * (server-side) and dry-runs the version after (server-side), and compares what the API
 * server refuses with what the check refuses. Data-loss refusals are not API errors and
 * are not measured here. Then the same for single objects of other kinds
 * (test/change/_manifests.ts). Run: npx tsx test/change/immutable.cluster.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { ConfigurationErrors, PreviousOutput } from '../../lib';
import { _checkSafeChange } from '../../lib/change/safe-change';
import { Manifest } from '../_helpers';
import { ACCEPTED, REFUSED } from './_manifests';
import { ensureTools, startControlPlane } from '../conformance/harness';
import { run } from '../conformance/processes';
import { Variant, synth, tempDir } from './_platform';

const CASES: Array<[string, Variant]> = [
  ['claim resized', { size: 20 }],
  ['claim added', { walClaim: true }],
  ['pod management policy', { parallel: true }],
  ['priority tier value', { tierValue: 600 }],
  ['service turned store (headless)', { cacheIsStore: true }],
  ['configuration changed', { mode: 'b' }],
];

async function main(): Promise<void> {
  const version = '1.37.2';
  const tools = ensureTools([version], ['etcd', 'kubernetes']);
  const plane = await startControlPlane({ ...tools, crds: [] }, version);
  const kc = ['--kubeconfig', plane.kubeconfig];
  let agree = 0;
  let total = CASES.length;
  try {
    for (const [i, [name, after]] of CASES.entries()) {
      const names = { platform: `p${i}`, context: `c${i}` };
      const dir = tempDir();
      synth(path.join(dir, 'v1'), names, PreviousOutput.NONE);
      const applied = await run(plane.kubectl, [...kc, 'apply', '--server-side', '-f', path.join(dir, 'v1')]);
      if (applied.code !== 0) throw new Error(`${name}: the version before does not apply:\n${applied.out}`);
      let ours: string;
      try {
        synth(path.join(dir, 'v2'), { ...names, ...after }, PreviousOutput.fromDirectory(path.join(dir, 'v1')));
        ours = 'accepted';
      } catch (err) {
        ours = `refused (${(err as { errors?: Array<{ prop: string }> }).errors?.map(e => e.prop).join('; ')})`;
      }
      // the check wrote nothing on a refusal: dry-run the version after as rendered without it
      synth(path.join(dir, 'v2-unchecked'), { ...names, ...after }, PreviousOutput.NONE);
      const dry = await run(plane.kubectl, [...kc, 'apply', '--server-side', '--dry-run=server', '-f', path.join(dir, 'v2-unchecked')]);
      const server = dry.code === 0 ? 'accepted' : `refused (${dry.out.split('\n').filter(l => /Invalid|Forbidden|immutable/.test(l)).map(l => l.slice(0, 200)).join(' | ')})`;
      const same = ours.startsWith('accepted') === server.startsWith('accepted');
      if (same) agree++;
      process.stdout.write(`${same ? 'AGREE   ' : 'DISAGREE'} ${name}\n  check:      ${ours}\n  API server: ${server}\n`);
    }
    const objects: Array<[string, Manifest, Manifest]> = [
      ...REFUSED.map(([name, before, changed]): [string, Manifest, Manifest] => [name, before, changed]),
      // a claim may grow only once bound, and nothing binds claims here (no provisioner)
      ...ACCEPTED.filter(([, before]) => before.kind !== 'PersistentVolumeClaim'),
    ];
    await run(plane.kubectl, [...kc, 'create', 'namespace', 'shop']);
    for (const [name, before, changed] of objects) {
      const dir = tempDir();
      Yaml.save(path.join(dir, 'before.yaml'), [before]);
      const after = path.join(dir, 'after');
      fs.mkdirSync(after);
      Yaml.save(path.join(after, 'after.yaml'), [{ ...before, ...changed }]);
      const applied = await run(plane.kubectl, [...kc, 'apply', '--server-side', '-f', path.join(dir, 'before.yaml')]);
      if (applied.code !== 0) throw new Error(`${name}: the object before does not apply:\n${applied.out}`);
      let ours = 'accepted';
      try {
        _checkSafeChange({ files: [{ file: 'after.yaml', docs: [{ ...before, ...changed }], onePerResource: false }], pathOf: () => undefined,
          previous: PreviousOutput.fromDirectory(dir), acknowledgements: [], extension: '.yaml', log: () => undefined });
      } catch (err) {
        ours = `refused (${(err as ConfigurationErrors).errors.map(e => e.prop).join('; ')})`;
      }
      const dry = await run(plane.kubectl, [...kc, 'apply', '--server-side', '--dry-run=server', '-f', path.join(after, 'after.yaml')]);
      const server = dry.code === 0 ? 'accepted' : `refused (${dry.out.trim().split('\n').slice(-1)[0].slice(0, 200)})`;
      const same = ours.startsWith('accepted') === server.startsWith('accepted');
      if (same) agree++;
      process.stdout.write(`${same ? 'AGREE   ' : 'DISAGREE'} ${name}\n  check:      ${ours}\n  API server: ${server}\n`);
    }
    total += objects.length;
  } finally {
    await plane.stop();
  }
  process.stdout.write(`${agree}/${total} changes: the check and kube-apiserver ${version} agree\n`);
  process.exitCode = agree === total ? 0 : 1;
}

void main();
