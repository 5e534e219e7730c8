/**
 * Proves on a real kube-apiserver (the newest release, with the pinned CRDs, Argo
 * Rollouts' among them) what the README says of a canary that Argo Rollouts moves:
 *
 *   tsx test/release/progression.cluster.ts
 *
 * The controller and its Gateway API plugin cannot run here (no container runtime):
 * their writes are made as they make them, with a plain update (`kubectl replace`)
 * under a field manager of their own: the controller scales the referenced Deployment
 * to zero, the plugin sets the route's weights. Then the documented
 * `kubectl apply --server-side` is run again, at rest and mid-rollout.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, Yaml } from 'cdk8s';
import { IRelease, Image, Progression, ProgressionStep, Release } from '../../lib';
import { ensureTools, startControlPlane } from '../conformance/harness';
import { run } from '../conformance/processes';
import { NEXT, STABLE, buildRelease, rendered } from './_release';

const ROUTE = 'public-products-https-api-example-com';
const progression = () => Progression.argoRollouts({ steps: [ProgressionStep.setWeight(10), ProgressionStep.pause(Duration.minutes(5)), ProgressionStep.setWeight(50), ProgressionStep.pauseUntilPromoted()] });

async function main(): Promise<void> {
  const version = '1.37.2';
  const tools = ensureTools([version], ['etcd', 'kubernetes']);
  const plane = await startControlPlane(tools, version);
  const kc = ['--kubeconfig', plane.kubeconfig];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'progression-'));
  let failed = 0;
  const check = (ok: boolean, what: string, detail = ''): void => {
    if (!ok) failed++;
    process.stdout.write(`${ok ? 'PASS' : 'FAIL'} ${what}${ok || !detail ? '' : `\n${detail}`}\n`);
  };
  const apply = async (label: string, release: IRelease | undefined, image: Image, extra: string[] = []) => {
    const file = path.join(dir, `${label.replace(/\W+/g, '-')}.yaml`);
    const manifests = rendered(buildRelease(release, { props: { image } }));
    Yaml.save(file, manifests);
    return run(plane.kubectl, [...kc, 'apply', '--server-side', '--validate=strict', ...extra, '-f', file]);
  };
  const get = async (kind: string, name: string, ns = 'catalog') => JSON.parse((await run(plane.kubectl, [...kc, 'get', kind, name, '-n', ns, '-o', 'json'])).out);
  /** A plain update under `manager`, as a controller makes it. */
  const update = async (obj: any, manager: string) => {
    const file = path.join(dir, `update-${obj.kind}.json`);
    fs.writeFileSync(file, JSON.stringify(obj));
    return run(plane.kubectl, [...kc, 'replace', `--field-manager=${manager}`, '-f', file]);
  };
  const weights = async () => (await get('httproute', ROUTE)).spec.rules[0].backendRefs.map((b: any) => `${b.name}=${b.weight}`).join(',');
  const setWeight = async (canary: number) => {
    const route = await get('httproute', ROUTE);
    for (const b of route.spec.rules[0].backendRefs) b.weight = b.name === 'products-canary' ? canary : 100 - canary;
    return update(route, 'gatewayapi-plugin');
  };
  try {
    let r = await apply('stable only', undefined, STABLE);
    check(r.code === 0, 'a service without a release applies', r.out);
    r = await apply('adopted', Release.canary({ image: STABLE, progression: progression() }), STABLE);
    check(r.code === 0, 'adoption: the Rollout (workloadRef to the Deployment), the canary Service and the retargeted autoscaler apply, CRD schema validated', r.out);
    const rollout = await get('rollout', 'products');
    check(rollout.spec.workloadRef?.name === 'products' && rollout.spec.strategy.canary.trafficRouting.plugins['argoproj-labs/gatewayAPI'].httpRoutes[0].name === ROUTE,
      'the API server keeps the Rollout\'s workloadRef and the plugin\'s config (preserved unknown fields)', JSON.stringify(rollout.spec));
    check((await get('hpa', 'products')).spec.scaleTargetRef.kind === 'Rollout', 'the autoscaler targets the Rollout');

    // the controller scales the Deployment to zero once the Rollout is healthy (scaleDown: onsuccess)
    const deployment = await get('deployment', 'products');
    deployment.spec.replicas = 0;
    r = await update(deployment, 'rollouts-controller');
    check(r.code === 0, 'the controller\'s scale-down of the Deployment', r.out);
    r = await apply('adopted again', Release.canary({ image: STABLE, progression: progression() }), STABLE);
    const replicas = (await get('deployment', 'products')).spec.replicas;
    check(r.code === 0 && replicas === 0, `a re-apply leaves the Deployment at zero (spec.replicas ${replicas})`, r.out);

    // a release: the Deployment's template runs the new image; the plugin moves the weights
    r = await apply('release', Release.canary({ image: NEXT, progression: progression() }), STABLE);
    check(r.code === 0, 'starting a release (the template runs the new image) applies', r.out);
    r = await setWeight(10);
    check(r.code === 0, 'the plugin sets the route\'s weights (10%)', r.out);
    r = await apply('mid-rollout', Release.canary({ image: NEXT, progression: progression() }), STABLE);
    const conflict = r.code !== 0 && /conflict/i.test(r.out) && /\.spec\.rules/.test(r.out);
    check(conflict, `mid-rollout, a re-apply is refused with a conflict on the route's spec.rules (weights ${await weights()})`, r.out);
    process.stdout.write(`  kubectl said: ${r.out.split('\n').filter(l => /conflict|rules/i.test(l)).slice(0, 3).join(' | ')}\n`);
    const replicasAfter = (await get('deployment', 'products')).spec.replicas;
    check(replicasAfter === 0, `the refused apply still applied the other objects, and the Deployment stays at zero (spec.replicas ${replicasAfter})`);

    // the rollout completes: the plugin leaves every request on the stable Service
    r = await setWeight(0);
    check(r.code === 0, 'the plugin resets the weights at the end of the rollout', r.out);
    r = await apply('at rest', Release.canary({ image: NEXT, progression: progression() }), NEXT);
    check(r.code === 0 && (await weights()) === 'products-stable=100,products-canary=0',
      `at rest, with the weights the plugin leaves, a re-apply is accepted (the rendered backendRefs carry the group and kind the API server defaults, so the atomic rules equal the stored ones) and the weights stay (${await weights()})`, r.out);

    // a forced apply mid-rollout takes the weights back to the rendered ones
    await setWeight(50);
    r = await apply('forced', Release.canary({ image: NEXT, progression: progression() }), NEXT, ['--force-conflicts']);
    check(r.code === 0 && (await weights()) === 'products-stable=100,products-canary=0', `--force-conflicts mid-rollout resets the weights to the rendered 100/0 (${await weights()})`, r.out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await plane.stop();
  }
  process.stdout.write(`${failed === 0 ? 'every check passed' : `${failed} check(s) failed`}\n`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch(err => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
