import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { Manifest } from '../../_helpers';
import { synthesizeReleases } from './releases';

describe('the release composition, as the conformance run synthesizes it', () => {
  test('runs test/release/progression-synth.ts into a directory: a track of every strategy, their routes, and the Argo Rollouts canary', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'releases-platform-'));
    try {
      await synthesizeReleases(dir);
      const all = fs.readdirSync(dir).flatMap((f) => Yaml.load(path.join(dir, f)) as Manifest[]);
      const deployments = all.filter((m) => m.kind === 'Deployment').map((m) => m.metadata.name);
      expect(deployments).toEqual(expect.arrayContaining(['products-canary', 'reviews-green', 'search-variant', 'pricing-shadow', 'inventory-green']));
      expect(all.filter((m) => m.kind === 'HTTPRoute').length).toBeGreaterThan(0);
      expect(all.filter((m) => m.kind === 'Rollout' || m.kind === 'AnalysisTemplate').map((m) => m.kind).sort()).toEqual(['AnalysisTemplate', 'Rollout']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  test('fails with the entry point\'s message when it cannot write', async () => {
    await expect(synthesizeReleases('')).rejects.toThrow(/test\/release\/progression-synth\.ts exited 2: usage: tsx/);
  }, 120_000);
});
