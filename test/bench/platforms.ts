/**
 * The synthetic platforms the benchmark builds: the library's constructs, and raw
 * cdk8s-plus-27 building the same Deployments and Services, both with one chart
 * (one namespace) per bounded context of `services` services.
 */
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  BoundedContext, CronJob, CronSchedule, Image, Job, Microservice, Platform, Port, Probe, StatefulService, VolumeClaim, Worker, Workload,
} from '../../lib';

const QUOTA = {
  cpuRequests: kplus.Cpu.units(1000), cpuLimits: kplus.Cpu.units(4000), memoryRequests: Size.tebibytes(1), memoryLimits: Size.tebibytes(1),
  ephemeralStorageRequests: Size.tebibytes(1), ephemeralStorageLimits: Size.tebibytes(1), pods: 10000, services: 1000, configMaps: 1000,
  persistentVolumeClaims: 100, storage: Size.tebibytes(1),
};

/** What one slot of a context holds: every tenth a Worker, the rest Microservices. */
function isWorker(s: number): boolean {
  return s % 10 === 9;
}

/**
 * The library's platform: per context `services` workloads (Microservices with an
 * HTTP and a gRPC port, probes, configuration and two declared calls; every tenth a
 * Worker), plus a store owned by the first service, a migration Job and a CronJob.
 */
export function buildOurs(app: App, contexts: number, services: number): void {
  const platform = new Platform(app, 'bench');
  const callable: Microservice[] = [];
  const all: Workload[] = [];
  for (let c = 0; c < contexts; c++) {
    const ctx = new BoundedContext(app, `ctx-${c}`, { platform, team: `team-${c}`, quota: QUOTA });
    for (let s = 0; s < services; s++) {
      const image = Image.fromTag(`ghcr.io/bench/svc-${s}`, '1.0.0');
      const env = { LOG_FORMAT: 'json', FEATURE_FLAGS: `svc-${s},ctx-${c}` };
      if (isWorker(s)) {
        all.push(new Worker(ctx, `svc-${s}`, { image, readiness: Probe.exec(['/app/ready']), liveness: Probe.exec(['/app/alive']), env }));
      } else {
        const svc = new Microservice(ctx, `svc-${s}`, {
          image, ports: [Port.http(8080), Port.grpc(9090)], readiness: Probe.http('/ready'), liveness: Probe.grpc(), env,
        });
        callable.push(svc);
        all.push(svc);
      }
    }
    const owner = callable[callable.length - (services - Math.floor(services / 10))];
    new StatefulService(ctx, 'store', {
      image: Image.fromTag('docker.io/library/redis', '7.2.5'), ports: [Port.tcp(6379, { name: 'redis' })],
      readiness: Probe.exec(['redis-cli', 'ping']), liveness: Probe.tcp({ port: 'redis' }), owners: [owner],
      claims: [VolumeClaim.of('data', { size: Size.gibibytes(2), mountPath: '/data' })],
    }).allowFrom(owner);
    new Job(ctx, 'migrate', { image: Image.fromTag('ghcr.io/bench/migrate', '1.0.0'), args: ['up'], activeDeadline: Duration.minutes(15) });
    new CronJob(ctx, 'cleanup', { image: Image.fromTag('ghcr.io/bench/cleanup', '1.0.0'), schedule: CronSchedule.DAILY, activeDeadline: Duration.minutes(30) });
  }
  all.forEach((w, i) => {
    w.connectTo(callable[(i + 1) % callable.length]);
    w.connectTo(callable[(i + 7) % callable.length], { port: 'grpc' });
  });
}

/**
 * Raw cdk8s-plus-27: per context a chart with its Namespace, per service slot a
 * Deployment with the same container (ports, probes, environment) and, for a
 * service, its Service.
 */
export function buildRaw(app: App, contexts: number, services: number): void {
  for (let c = 0; c < contexts; c++) {
    const chart = new Chart(app, `ctx-${c}`, { namespace: `ctx-${c}` });
    new kplus.Namespace(chart, 'ns', { metadata: { name: `ctx-${c}` } });
    for (let s = 0; s < services; s++) {
      const worker = isWorker(s);
      const deployment = new kplus.Deployment(chart, `svc-${s}`, { metadata: { name: `svc-${s}` }, replicas: 2 });
      deployment.addContainer({
        name: `svc-${s}`,
        image: `ghcr.io/bench/svc-${s}:1.0.0`,
        ports: worker ? [] : [{ number: 8080, name: 'http' }, { number: 9090, name: 'grpc' }],
        readiness: worker ? kplus.Probe.fromCommand(['/app/ready']) : kplus.Probe.fromHttpGet('/ready', { port: 8080 }),
        // cdk8s-plus-27 has no gRPC probe: a TCP check of the gRPC port stands in
        liveness: worker ? kplus.Probe.fromCommand(['/app/alive']) : kplus.Probe.fromTcpSocket({ port: 9090 }),
        envVariables: { LOG_FORMAT: kplus.EnvValue.fromValue('json'), FEATURE_FLAGS: kplus.EnvValue.fromValue(`svc-${s},ctx-${c}`) },
      });
      if (!worker) {
        deployment.exposeViaService({ name: `svc-${s}`, ports: [{ port: 8080, name: 'http' }, { port: 9090, name: 'grpc' }] });
      }
    }
  }
}
