/**
 * Our constructs' output passes the pack by construction (issue 23): the reference
 * platform in every environment, as committed in dist/ and as a fresh synth, the
 * test platforms of the conformance run, the release composition, and generated
 * platform models.
 */
import * as path from 'path';
import { App, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { ENVIRONMENTS, buildSalesPlatform } from '../../charts';
import { BoundedContext, KubernetesVersion, Platform, PolicyPack, Subject, TeamRole, formatViolation, loadManifests } from '../../lib';
import { buildShop } from '../conformance/platforms/_shop';
import { buildPlatform, platformSpec } from '../model/spec';
import { progressionComposition } from '../release/_progression';
import { Obj } from './_fixtures';

const DIST = path.join(__dirname, '..', '..', 'dist');

function synth(app: App): Obj[] {
  return app.node.children.flatMap(c => Testing.synth(c as never));
}

/** The violations as readable lines, so that a failure says what and where. */
function violations(manifests: readonly unknown[]): string[] {
  return new PolicyPack().check(manifests).violations.map(formatViolation);
}

describe('our output passes the policy pack', () => {
  test.each(ENVIRONMENTS.map(e => [e.name]))('dist/%s/ as committed', name => {
    const manifests = loadManifests(path.join(DIST, name));
    expect(violations(manifests)).toEqual([]);
    // not vacuous: the rules met every kind they check
    const kinds = new Set((manifests as Obj[]).map(m => m.kind));
    for (const kind of ['Deployment', 'StatefulSet', 'Job', 'CronJob', 'ConfigMap', 'Role', 'RoleBinding', 'ServiceAccount', 'NetworkPolicy', 'PodDisruptionBudget']) {
      expect(kinds).toContain(kind);
    }
  });

  test.each(ENVIRONMENTS.map(e => [e.name, e]))('a fresh synth of %s', (_name, env) => {
    const app = Testing.app();
    buildSalesPlatform(app, env);
    const manifests = synth(app);
    expect(manifests.length).toBeGreaterThan(130);
    expect(violations(manifests)).toEqual([]);
  });

  test.each([[KubernetesVersion.V1_27.minor, KubernetesVersion.V1_27], [KubernetesVersion.NEWEST.minor, KubernetesVersion.NEWEST]])('the conformance shop targeting 1.%p', (_minor, version) => {
    const app = Testing.app();
    buildShop(app, version);
    const manifests = synth(app);
    expect(manifests.length).toBeGreaterThan(30);
    expect(violations(manifests)).toEqual([]);
  });

  test('every team role, the developer role with exec included: each grant beyond reading carries its reviewed reason', () => {
    const app = Testing.app();
    const platform = new Platform(app, 'shop');
    const context = new BoundedContext(app, 'catalog', { platform, team: 'catalog-team' });
    context.grantTeam(Subject.group('oidc:catalog-developers'), TeamRole.DEVELOPER, { allowExec: true });
    context.grantTeam(Subject.group('oidc:catalog-operators'), TeamRole.OPERATOR);
    context.grantTeam(Subject.group('oidc:catalog-readers'), TeamRole.VIEWER);
    const manifests = synth(app);
    const exec = manifests.find(m => m.kind === 'Role' && m.metadata.name === 'team-developer-exec')!;
    expect(exec.metadata.annotations['cdk8s-microservices.io/escalation']).toContain('granted exec explicitly (allowExec)');
    expect(violations(manifests)).toEqual([]);
  });

  test('the release composition: one service per release strategy, and an Argo Rollouts canary', () => {
    const manifests = synth(progressionComposition().catalog.node.root as App);
    expect(manifests.filter(m => m.kind === 'Rollout')).toHaveLength(1);
    expect(violations(manifests)).toEqual([]);
  });

  test('generated platform models', () => {
    fc.assert(fc.property(platformSpec, p => {
      const app = Testing.app();
      buildPlatform(app, p);
      const found = violations(synth(app));
      if (found.length > 0) throw new Error(found.join('\n'));
    }), { numRuns: Number(process.env.FC_RUNS ?? 30), seed: Number(process.env.FC_SEED ?? 20261206) });
  });
});
