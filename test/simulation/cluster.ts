/**
 * A simulated multi-zone cluster on 127.0.0.1 (issue 14): the conformance harness's
 * etcd + kube-apiserver (same certificates, ports, temp directory and cleanup), plus
 * kube-controller-manager, kube-scheduler and kwok, and kwok-managed nodes in zones.
 * Every process runs in its own process group and is stopped by stop(), and by the
 * harness's cleanup on exit, failure and Ctrl-C.
 */
import { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import { ControlPlane, startControlPlane, toolPath, Tools } from '../conformance/harness';
import { freePorts, progress, startDaemon, stopDaemon } from '../conformance/processes';
import { KubeApi } from './api';
import { HOSTNAME, KWOK_ANNOTATION, Node, nodeManifests, NodeSize, ZONE } from './model';

export interface SimCluster {
  plane: ControlPlane;
  api: KubeApi;
  kubectl: string;
  nodes: Node[];
  /** seconds from nothing to every node Ready */
  seconds: number;
  stop(): Promise<void>;
}

/** GET https://127.0.0.1:port/path of a component's self-signed secure port; resolves to the status code. */
function probe(port: number, p: string): Promise<number> {
  return new Promise((resolve) => {
    const req = https.get({ host: '127.0.0.1', port, path: p, rejectUnauthorized: false, timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** The simulation's own kwok stages, added to kwok's (pod-never-ready.yaml). */
export const SIM_STAGES = path.join(__dirname, 'stages');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tail(file: string, n = 25): string {
  try { return fs.readFileSync(file, 'utf8').split('\n').slice(-n).join('\n'); } catch { return '(no log)'; }
}

/**
 * Starts the cluster and creates `count` nodes of `size` in `zones` zones; resolves when
 * every node is Ready and schedulable. On failure everything started is stopped again.
 */
export async function startSimulatedCluster(tools: Tools, version: string, count: number, zones: number, size: NodeSize): Promise<SimCluster> {
  const started = Date.now();
  const kcmBin = toolPath(tools, `kube-controller-manager-v${version}`);
  const schedulerBin = toolPath(tools, `kube-scheduler-v${version}`);
  const kwokBin = toolPath(tools, 'kwok');
  const plane = await startControlPlane(tools, version);
  const dir = plane.dir!;
  const daemons: { name: string; proc: ChildProcess; log: string }[] = [];
  const stop = async (): Promise<void> => {
    for (const d of [...daemons].reverse()) await stopDaemon(d.proc);
    api.close();
    await plane.stop();
  };
  const api = new KubeApi(plane.server!, dir);
  try {
    const [kcmPort, schedulerPort] = await freePorts(2);
    const kc = plane.kubeconfig;
    const start = (name: string, bin: string, args: string[], env?: NodeJS.ProcessEnv): void => {
      const log = path.join(dir, `${name}.log`);
      daemons.push({ name, proc: startDaemon(bin, args, log, env), log });
    };
    // the admin client certificate (system:masters) for every component: a simulation,
    // not a hardened control plane; the service-account key signs tokens as on a cluster
    start('kube-controller-manager', kcmBin, [
      `--kubeconfig=${kc}`, `--authentication-kubeconfig=${kc}`, `--authorization-kubeconfig=${kc}`,
      '--bind-address=127.0.0.1', `--secure-port=${kcmPort}`, `--cert-dir=${dir}/kcm`,
      '--leader-elect=false', `--service-account-private-key-file=${dir}/sa.key`, `--root-ca-file=${dir}/ca.crt`,
      // no metrics: the HPA controller only enforces minReplicas/maxReplicas; sync it often
      '--horizontal-pod-autoscaler-sync-period=3s', '--kube-api-qps=200', '--kube-api-burst=400',
      '--concurrent-deployment-syncs=10', '--concurrent-replicaset-syncs=10', '--v=1',
    ]);
    start('kube-scheduler', schedulerBin, [
      `--kubeconfig=${kc}`, `--authentication-kubeconfig=${kc}`, `--authorization-kubeconfig=${kc}`,
      '--bind-address=127.0.0.1', `--secure-port=${schedulerPort}`, `--cert-dir=${dir}/scheduler`,
      '--leader-elect=false', '--v=1',
    ]);
    // kwok: the stages of its release (tools/build-tools.sh copies them beside the binary),
    // node leases renewed like a kubelet's; no server of its own (no --server-address)
    // plus ours (stages/ here): a readiness that never passes, for the release phase's failed canary
    const stages = path.join(path.dirname(kwokBin), 'stages');
    const config = path.join(dir, 'kwok.yaml');
    const files = [...fs.readdirSync(stages).sort().map((f) => path.join(stages, f)), ...fs.readdirSync(SIM_STAGES).sort().map((f) => path.join(SIM_STAGES, f))];
    fs.writeFileSync(config, files.map((f) => fs.readFileSync(f, 'utf8').trim()).join('\n---\n') + '\n');
    start('kwok', kwokBin, [
      `--kubeconfig=${kc}`, `--config=${config}`, '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${KWOK_ANNOTATION}=fake`,
      '--node-lease-duration-seconds=40', '--cidr=10.244.0.0/16', '--node-ip=10.240.0.1', '-v=INFO',
    // its work directory in ours: kwok would also load a ~/.kwok/kwok.yaml (kwokctl's) first
    ], { ...process.env, KWOK_WORKDIR: path.join(dir, 'kwok') });

    // the controller manager and scheduler answer /healthz on their own 127.0.0.1 ports
    const deadline = Date.now() + 90_000;
    for (const [name, port] of [['kube-controller-manager', kcmPort], ['kube-scheduler', schedulerPort]] as const) {
      for (;;) {
        const dead = daemons.find((d) => d.proc.exitCode !== null || d.proc.signalCode !== null);
        if (dead) throw new Error(`${dead.name} exited early (${dead.proc.exitCode ?? dead.proc.signalCode}); its log ends:\n${tail(dead.log)}`);
        if (await probe(port, '/healthz') === 200) break;
        if (Date.now() > deadline) throw new Error(`${name} not healthy after 90s; its log ends:\n${tail(path.join(dir, `${name}.log`))}`);
        await sleep(300);
      }
    }
    progress(`kube-controller-manager and kube-scheduler healthy; creating ${count} kwok nodes in ${zones} zones (${size.cpu} CPU, ${size.memory / 2 ** 30}Gi, ${size.pods} pods each)`);

    const nodes = nodeManifests(count, zones, size);
    for (const n of nodes) await api.create('/api/v1/nodes', n);
    // Ready (kwok's node-initialize stage) and free of the not-ready taints the node
    // lifecycle controller puts on a new node
    const nodeDeadline = Date.now() + 90_000;
    for (;;) {
      const live = (await api.list<Node>('/api/v1/nodes')).items;
      const ready = live.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
        && !(n.spec?.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/')));
      if (ready.length === count) {
        const seconds = (Date.now() - started) / 1000;
        const byZone = new Map<string, string[]>();
        for (const n of live) byZone.set(n.metadata.labels![ZONE], [...(byZone.get(n.metadata.labels![ZONE]) ?? []), n.metadata.labels![HOSTNAME]]);
        progress(`${count} nodes Ready in ${seconds.toFixed(1)}s: ${[...byZone].map(([z, ns]) => `${z} (${ns.join(', ')})`).join('; ')}`);
        return { plane, api, kubectl: plane.kubectl, nodes: live, seconds, stop };
      }
      const dead = daemons.find((d) => d.proc.exitCode !== null || d.proc.signalCode !== null);
      if (dead) throw new Error(`${dead.name} exited early; its log ends:\n${tail(dead.log)}`);
      if (Date.now() > nodeDeadline) {
        throw new Error(`${ready.length}/${count} nodes Ready after 90s (kwok manages nodes annotated ${KWOK_ANNOTATION}=fake); kwok's log ends:\n${tail(path.join(dir, 'kwok.log'))}`);
      }
      await sleep(500);
    }
  } catch (err) {
    await stop();
    throw err;
  }
}
