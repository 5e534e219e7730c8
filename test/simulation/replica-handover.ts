/**
 * The replica hand-over (issue 25, "Changes that should be invisible"): on the simulated
 * cluster (cluster.ts: real kube-apiserver, kube-controller-manager with the HPA
 * controller syncing every 3 s, kube-scheduler, kwok nodes), a Microservice is applied
 * with a fixed count of 6 replicas, with the README's `kubectl apply --server-side`
 * (field manager `kubectl`), then switched to autoscaling between 2 and 10 and applied
 * again; the Deployment's `spec.replicas` and its pods are sampled every second for
 * 30 s after the switch. The library's rendering must never go below 6 (the autoscaler
 * has no metrics API here, so it keeps what runs within its new bounds).
 *
 * The same switch is replayed with the previous rendering (a fixed count as
 * `spec.replicas` and no autoscaler), which must drop below 6: proof that the check
 * can fail, and the number the issue reported. Last, informational: the one-time upgrade
 * of a fixed count from the previous rendering to the library's (spec.replicas dropped
 * once, the new autoscaler restores the count at its first sync), and the same upgrade
 * after the README's hand-over step, which must hold 6.
 *
 *   npx tsx test/simulation/replica-handover.ts            # about 3 min warm
 *   npx tsx test/simulation/replica-handover.ts --json     # the samples as JSON too
 *
 * Exit code: 0 when the library holds and the previous rendering drops, 1 otherwise,
 * 2 when the cluster could not start. Not a jest test: it needs the built tools.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Yaml } from 'cdk8s';
import { BoundedContext, Image, Microservice, MicroserviceProps, Platform, Port, Probe } from '../../lib';
import { ensureTools, readVersionsEnv } from '../conformance/harness';
import { progress, progressLabel, run } from '../conformance/processes';
import { startSimulatedCluster, SimCluster } from './cluster';

type Obj = { kind: string; metadata: { name: string; namespace?: string }; spec?: { [key: string]: unknown } };

const NAME = 'web';
const NAMESPACE = 'shop';
const SAMPLES = 30;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The platform's objects, as the library renders them, with the service's scaling `scaling`. */
export function render(scaling: Partial<MicroserviceProps>): Obj[] {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ms-handover-synth-')) });
  const platform = new Platform(app, 'sim');
  const context = new BoundedContext(app, NAMESPACE, { platform, team: 'shop-team' });
  new Microservice(context, NAME, {
    image: Image.fromTag('ghcr.io/acme/web', '1.0.0'),
    ports: [Port.http(8080)],
    readiness: Probe.http('/ready'),
    liveness: Probe.http('/live'),
    ...scaling,
  });
  return app.charts.flatMap((c: Chart) => c.toJson() as Obj[]);
}

/** The previous rendering of a fixed count: `spec.replicas` on the Deployment, no autoscaler. */
export function previousFixed(objects: Obj[], replicas: number): Obj[] {
  return objects
    .filter((o) => !(o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === NAME))
    .map((o) => (o.kind === 'Deployment' && o.metadata.name === NAME ? { ...o, spec: { replicas, ...o.spec } } : o));
}

interface Sample { t: number; specReplicas: number | undefined; pods: number }

async function apply(c: SimCluster, dir: string, name: string, objects: Obj[]): Promise<void> {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, Yaml.stringify(...objects));
  // the README's command, verbatim: the default field manager 'kubectl'
  const r = await run(c.kubectl, ['--kubeconfig', c.plane.kubeconfig, 'apply', '--server-side', '-f', file]);
  if (r.code !== 0) throw new Error(`kubectl apply of ${name} exited ${r.code}: ${r.out.slice(-800)}`);
  progress(`applied ${name} (${objects.length} objects) in ${r.seconds.toFixed(1)}s`);
}

async function sample(c: SimCluster, namespace: string): Promise<Sample> {
  const d = await c.api.get<{ spec: { replicas?: number } }>(`/apis/apps/v1/namespaces/${namespace}/deployments/${NAME}`);
  const pods = await c.api.list<{ metadata: { deletionTimestamp?: string; labels?: { [k: string]: string } } }>(
    `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(`app.kubernetes.io/instance=${NAME}`)}`);
  return { t: 0, specReplicas: d.spec.replicas, pods: pods.items.filter((p) => !p.metadata.deletionTimestamp).length };
}

/** Waits until the Deployment asks for `n` replicas and that many pods run (not terminating). */
async function settle(c: SimCluster, namespace: string, n: number, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await sample(c, namespace).catch(() => undefined);
    if (s && s.specReplicas === n && s.pods === n) return;
    if (Date.now() > deadline) throw new Error(`${namespace}/${NAME}: not at ${n} replicas after ${timeoutMs / 1000}s (${JSON.stringify(s)})`);
    await sleep(500);
  }
}

/**
 * One switch from a fixed 6 to `next`, samples every second for 30 s after the second
 * apply; `between` runs before it (the README's hand-over step of an upgrade).
 */
async function scenario(c: SimCluster, dir: string, label: string, fixed: Obj[], next: Obj[], between?: () => Promise<void>): Promise<Sample[]> {
  await apply(c, dir, `${label}-fixed-6`, fixed);
  await settle(c, NAMESPACE, 6);
  progress(`${label}: 6 replicas running; switching`);
  await between?.();
  await apply(c, dir, `${label}-next`, next);
  const samples: Sample[] = [];
  const start = Date.now();
  for (let i = 0; i < SAMPLES; i++) {
    const s = await sample(c, NAMESPACE);
    samples.push({ ...s, t: Math.round((Date.now() - start) / 100) / 10 });
    await sleep(Math.max(0, start + (i + 1) * 1000 - Date.now()));
  }
  return samples;
}

async function deleteNamespace(c: SimCluster): Promise<void> {
  await run(c.kubectl, ['--kubeconfig', c.plane.kubeconfig, 'delete', 'namespace', NAMESPACE, '--wait=true', '--timeout=120s']);
}

function summary(samples: Sample[]): string {
  const spec = samples.map((s) => s.specReplicas ?? '-');
  const pods = samples.map((s) => s.pods);
  return `spec.replicas min ${Math.min(...samples.map((s) => s.specReplicas ?? 0))}, pods min ${Math.min(...pods)} max ${Math.max(...pods)}\n`
    + `    spec.replicas per second: ${spec.join(' ')}\n    pods per second:          ${pods.join(' ')}`;
}

if (require.main === module) {
  (async () => {
    progressLabel('handover');
    const json = process.argv.includes('--json');
    const version = (readVersionsEnv().KUBERNETES_VERSIONS ?? '').split(/\s+/)[0];
    const tools = ensureTools(undefined, ['etcd', 'simulation']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ms-handover-'));
    let c: SimCluster;
    try {
      c = await startSimulatedCluster(tools, version, 3, 3, { cpu: 16, memory: 64 * 2 ** 30, ephemeral: 200 * 2 ** 30, pods: 110 });
    } catch (err) {
      process.stderr.write(`handover: the cluster did not start: ${(err as Error).message}\n`);
      process.exit(2);
    }
    let code = 0;
    try {
      const fixed = render({ replicas: 6 });
      const autoscaled = render({ minReplicas: 2, maxReplicas: 10 });
      const library = await scenario(c, dir, 'library', fixed, autoscaled);
      await deleteNamespace(c);
      const previous = await scenario(c, dir, 'previous', previousFixed(fixed, 6), autoscaled);
      await deleteNamespace(c);
      // the one-time upgrade of a fixed count from the previous rendering to the library's
      const upgrade = await scenario(c, dir, 'upgrade', previousFixed(fixed, 6), fixed);
      await deleteNamespace(c);
      // the same upgrade after the README's hand-over: a manifest of spec.replicas only,
      // applied by another field manager, which keeps the field when 'kubectl' lets go of it
      const handedOver = await scenario(c, dir, 'upgrade-handover', previousFixed(fixed, 6), fixed, async () => {
        const file = path.join(dir, 'replicas-only.yaml');
        fs.writeFileSync(file, Yaml.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: NAME, namespace: NAMESPACE }, spec: { replicas: 6 } }));
        const r = await run(c.kubectl, ['--kubeconfig', c.plane.kubeconfig, 'apply', '--server-side', '--field-manager=handover-to-hpa', '--validate=false', '-f', file]);
        if (r.code !== 0) throw new Error(`the hand-over apply exited ${r.code}: ${r.out.slice(-500)}`);
      });
      const lowest = (samples: Sample[]): number => Math.min(...samples.map((s) => Math.min(s.pods, s.specReplicas ?? 0)));
      const libraryMin = lowest(library);
      const previousMin = lowest(previous);
      process.stdout.write(`library rendering (a fixed count is an HPA with min = max, no spec.replicas), ${SAMPLES} samples 1 s apart after the switch:\n  ${summary(library)}\n`);
      process.stdout.write(`previous rendering (spec.replicas: 6, no HPA), the same switch:\n  ${summary(previous)}\n`);
      process.stdout.write(`one-time upgrade of a fixed 6 from the previous rendering to the library's (informational):\n  ${summary(upgrade)}\n`);
      process.stdout.write(`the same upgrade after the README's hand-over (--field-manager=handover-to-hpa):\n  ${summary(handedOver)}\n`);
      const handoverMin = lowest(handedOver);
      const holds = libraryMin >= 6 && handoverMin >= 6;
      const drops = previousMin < 6;
      process.stdout.write(`handover: library ${holds ? 'holds' : 'FAILS'} (lowest ${libraryMin}, after the upgrade hand-over ${handoverMin}, must be >= 6); `
        + `previous rendering ${drops ? 'drops as reported' : 'DID NOT DROP: the check cannot fail'} (lowest ${previousMin})\n`);
      if (json) process.stdout.write(`${JSON.stringify({ library, previous, upgrade, handedOver })}\n`);
      code = holds && drops ? 0 : 1;
    } catch (err) {
      process.stderr.write(`handover: ${(err as Error).message}\n`);
      code = 1;
    } finally {
      await c.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    process.exit(code);
  })().catch((err: Error) => {
    process.stderr.write(`handover: ${err.message}\n`);
    process.exit(2);
  });
}
