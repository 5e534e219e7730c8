/**
 * The release composition (issue 21): what `test/release/progression-synth.ts` writes
 * (the composition of `test/release/synth.ts`, one service per release strategy and their
 * gateway routes, plus 'ratings', whose canary Argo Rollouts moves: a Rollout and an
 * AnalysisTemplate, whose CRDs tools/crds.env installs), checked
 * as a platform of the default `npm run conformance` run on the newest Kubernetes
 * version: the cluster gates (apply in one pass, server-side dry-run, idempotent second
 * apply) on a control plane of its own, then kube-linter, kube-score and Polaris, in a
 * table of its own. `--no-releases` leaves it out.
 *
 *   tsx test/release/progression-synth.ts DIR && npm run conformance -- --no-gates --dir DIR   the same, by hand
 */
import * as path from 'path';
import {
  clusterGates, ControlPlane, finalize, GateResult, linterGates, loadObjects, makeTemp, manifestFiles, printReport, progress, REPO, removeTemp, run,
  startControlPlane, Tools,
} from '../harness';

/** The composition's entry point: it writes the composition's manifests into the directory it is given (a superset of synth.ts's). */
export const RELEASES_SYNTH = path.join(REPO, 'test', 'release', 'progression-synth.ts');

/** Runs the composition's entry point into `outdir` (as its header says: `tsx test/release/progression-synth.ts DIR`). */
export async function synthesizeReleases(outdir: string): Promise<void> {
  const r = await run(path.join(REPO, 'node_modules', '.bin', 'tsx'), [RELEASES_SYNTH, outdir], { cwd: REPO });
  if (r.code !== 0) throw new Error(`${path.relative(REPO, RELEASES_SYNTH)} exited ${r.code}: ${r.out.trim().slice(-800)}`);
}

/** The cluster gates and the linters of the release composition on `version`; returns the findings. */
export async function checkReleases(tools: Tools, version: string): Promise<number> {
  const started = Date.now();
  const dir = makeTemp('cdk8s-ms-releases-');
  try {
    await synthesizeReleases(dir);
    const files = manifestFiles(dir);
    const objects = loadObjects(files);
    const kinds = new Map<string, number>();
    for (const o of objects) kinds.set(o.ref.kind, (kinds.get(o.ref.kind) ?? 0) + 1);
    progress(`v${version}: release composition, ${objects.length} objects in ${files.length} files (${path.relative(REPO, RELEASES_SYNTH)}): `
      + `${kinds.get('Deployment') ?? 0} Deployments, ${kinds.get('HTTPRoute') ?? 0} HTTPRoutes, ${kinds.get('Rollout') ?? 0} Rollouts`);
    const plane: ControlPlane = await startControlPlane(tools, version);
    const results: GateResult[] = [];
    try {
      results.push(...await clusterGates(plane, objects, 'release composition'));
    } finally {
      await plane.stop();
    }
    results.push(...await linterGates(tools, dir, files, objects));
    const findings = printReport(`release composition (${objects.length} objects, ${path.relative(REPO, RELEASES_SYNTH)})`, finalize(results, objects));
    progress(`release composition: ${findings} findings in ${((Date.now() - started) / 1000).toFixed(0)}s`);
    return findings;
  } finally {
    removeTemp(dir);
  }
}
