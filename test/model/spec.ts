/**
 * A generated model of a platform (issue 13): contexts holding workloads of every
 * kind, declared calls, configuration, secrets and API grants, as plain data that
 * fast-check generates and shrinks, and that `buildPlatform` turns into constructs.
 * Mutations (mutations.ts) change one thing of a valid model.
 */
import { App, Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import {
  AccessMode, AccessRule, ApiGateway, BoundedContext, CallableWorkload, GatewayTls, CronJob, CronSchedule, Image, IstioMode, Job, Microservice, Platform, Port, Probe, RemoteRef, SecretSource, SecretStore,
  ProjectedSource, ServiceMesh, StatefulService, Volume, VolumeClaim, Worker, Workload,
} from '../../lib';

export type Kind = 'service' | 'worker' | 'store' | 'job' | 'cron';

export interface WorkloadSpec {
  kind: Kind;
  name: string;
  /** service and store ports: HTTP first, then gRPC, then TCP */
  ports: Array<{ protocol: 'http' | 'grpc' | 'tcp'; number: number }>;
  replicas?: number;
  minReplicas?: number;
  maxReplicas?: number;
  env: Record<string, string>;
  secret: boolean;
  grant: boolean;
  cron: string;
  /** a cron job's time zone; unset for the default */
  timeZone?: string;
  deadlineSeconds: number;
  /** a job's TTL after it finished; unset for none */
  ttlSeconds?: number;
  probeTimeoutSeconds: number;
  imageTag: string;
  cpuMillis: number;
  /** Props passed as plain JavaScript would, whatever the kind (a mutation's). */
  foreign?: Record<string, unknown>;
  /** Mutations only (valid models leave them out): the container's command and args. */
  command?: string[];
  args?: string[];
  /** Mutations only: an HTTP readiness probe whatever the ports. */
  httpReadiness?: boolean;
  /** Mutations only: a volume mounted in the main container. */
  volume?: 'read-only scratch' | 'secret by subPath' | 'store claim by name' | 'ReadWriteOnce claim';
  /** Mutations only: the access mode of a store's claim. */
  claimAccessMode?: 'ReadOnlyMany';
}

export interface ContextSpec { name: string; team: string; workloads: WorkloadSpec[] }

export interface CallSpec { from: [number, number]; to: [number, number]; port: number }

/** A gateway route to a service: its first port decides HTTP (a path) or gRPC (a protobuf service). */
export interface RouteSpec { to: [number, number]; host: string; streaming: boolean; /** The HTTP path; default `/<context>/<workload>`. */ path?: string }

export interface PlatformSpec {
  name: string;
  routes: RouteSpec[];
  apiServerCidr: string;
  /** The gateway's allowed client ranges; empty for every client. */
  gatewaySources: string[];
  /** The most proxies the gateway's autoscaler may run; 0 for a fixed count. */
  gatewayProxyMax: number;
  /** The gateway's hosts; default [HOST]. */
  gatewayHosts?: string[];
  storeName: string;
  contexts: ContextSpec[];
  calls: CallSpec[];
  /** The platform's service mesh (issue 24): none, or Istio in one of its modes. */
  mesh?: 'sidecar' | 'ambient';
}

/** The host the generated gateway serves. */
export const HOST = 'api.shop.example.com';

const name = fc.stringMatching(/^[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4})?$/);
const envName = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,10}$/).filter(n => !/PASSWORD|TOKEN|BEARER|SECRET|KEY|AUTH|PRIVATE|CREDENTIAL|SALT|SEED|PEPPER|PASSWD|_(PASS|PWD|PW|TKN)$/.test(n));
const envValue = fc.oneof(fc.constantFrom('info', 'json', 'true', '30', 'eu-west-1', 'https://api.example.com/v1'), fc.stringMatching(/^[a-z]{1,12}$/));

const workload = (kind: Kind): fc.Arbitrary<WorkloadSpec> => fc.record({
  kind: fc.constant(kind),
  name,
  ports: kind === 'service'
    ? fc.constantFrom(
      [{ protocol: 'http' as const, number: 8080 }],
      [{ protocol: 'grpc' as const, number: 9090 }],
      [{ protocol: 'http' as const, number: 8080 }, { protocol: 'grpc' as const, number: 9090 }])
    : kind === 'store' ? fc.constant([{ protocol: 'tcp' as const, number: 6379 }]) : fc.constant([]),
  replicas: kind === 'service' || kind === 'worker' ? fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }) : fc.constant(undefined),
  minReplicas: fc.constant(undefined),
  maxReplicas: fc.constant(undefined),
  env: fc.dictionary(envName, envValue, { maxKeys: 3 }),
  secret: fc.boolean(),
  grant: kind === 'service' || kind === 'worker' ? fc.boolean() : fc.constant(false),
  cron: fc.constantFrom('@daily', '30 3 * * *', '*/15 * * * *', '0 0 1 * *', '0 12 * * 1-5'),
  deadlineSeconds: fc.integer({ min: 60, max: 7200 }),
  probeTimeoutSeconds: fc.integer({ min: 1, max: 5 }),
  imageTag: fc.constantFrom('1.0.0', '2.3.1', 'v4.0.3'),
  cpuMillis: fc.integer({ min: 50, max: 500 }),
});

const context: fc.Arbitrary<ContextSpec> = fc.record({
  name,
  team: name.map(n => `${n}-team`),
  workloads: fc.tuple(
    fc.array(workload('service'), { minLength: 1, maxLength: 3 }),
    fc.array(workload('worker'), { maxLength: 1 }),
    fc.array(workload('store'), { maxLength: 1 }),
    fc.array(workload('job'), { maxLength: 1 }),
    fc.array(workload('cron'), { maxLength: 1 }),
  ).map(groups => groups.flat()),
}).map(c => ({ ...c, workloads: uniqueNames(c.workloads) }));

function uniqueNames(ws: WorkloadSpec[]): WorkloadSpec[] {
  const seen = new Set<string>();
  return ws.filter(w => !seen.has(w.name) && seen.add(w.name));
}

/** Valid platform models: unique names, calls only to callable workloads, a store called only by its owner. */
export const platformSpec: fc.Arbitrary<PlatformSpec> = fc.record({
  name: fc.constantFrom('shop', 'sales', 'acme'),
  apiServerCidr: fc.constantFrom('10.96.0.1/32', '172.20.0.0/24', 'fd00:10::/64'),
  gatewaySources: fc.constantFrom<string[]>([], ['203.0.113.0/24'], ['10.0.0.0/8', '2001:db8::/32']),
  gatewayProxyMax: fc.constantFrom(0, 6),
  storeName: fc.constantFrom('vault', 'aws-sm'),
  contexts: fc.uniqueArray(context, { minLength: 1, maxLength: 3, selector: c => c.name })
    .filter(cs => cs.every(c => !['default', 'kube-system', 'kube-public', 'kube-node-lease', 'shop', 'sales', 'acme'].includes(c.name))),
  calls: fc.array(fc.record({ from: fc.tuple(fc.nat(), fc.nat()), to: fc.tuple(fc.nat(), fc.nat()), port: fc.nat() }), { maxLength: 6 }),
  routes: fc.array(fc.record({ to: fc.tuple(fc.nat(), fc.nat()), host: fc.constant(HOST), streaming: fc.boolean() }), { maxLength: 3 }),
  // half the models run in Istio's sidecar mode: its policies join the invariants and the server-side dry-run
  // (ambient's extra HBONE port in each call's NetworkPolicy is covered by test/mesh/mesh-models.test.ts)
  mesh: fc.constantFrom<PlatformSpec['mesh']>(undefined, 'sidecar'),
}).map(p => ({ ...p, calls: validCalls(p), routes: validRoutes(p) }));

/** Routes resolved to services, at most one per service. */
function validRoutes(p: PlatformSpec): RouteSpec[] {
  const seen = new Set<string>();
  const out: RouteSpec[] = [];
  for (const r of p.routes) {
    const c = r.to[0] % p.contexts.length;
    const w = r.to[1] % p.contexts[c].workloads.length;
    if (p.contexts[c].workloads[w].kind !== 'service' || seen.has(`${c}/${w}`)) continue;
    seen.add(`${c}/${w}`);
    out.push({ to: [c, w], host: r.host, streaming: r.streaming });
  }
  return out;
}

/** The calls of a model that are valid: resolved to existing workloads, to a callable one, a store only from its owner, never to itself. */
function validCalls(p: PlatformSpec): CallSpec[] {
  const out: CallSpec[] = [];
  for (const call of p.calls) {
    const fromCtx = call.from[0] % p.contexts.length;
    const toCtx = call.to[0] % p.contexts.length;
    const from = call.from[1] % p.contexts[fromCtx].workloads.length;
    const to = call.to[1] % p.contexts[toCtx].workloads.length;
    const callee = p.contexts[toCtx].workloads[to];
    if (callee.ports.length === 0 || (fromCtx === toCtx && from === to)) continue;
    if (callee.kind === 'store' && !(fromCtx === toCtx && from === ownerIndex(p.contexts[toCtx]))) continue;
    out.push({ from: [fromCtx, from], to: [toCtx, to], port: call.port % callee.ports.length });
  }
  return out;
}

/** The index of the store's owner in its context: the first service. */
export function ownerIndex(c: ContextSpec): number {
  return c.workloads.findIndex(w => w.kind === 'service');
}

/** Builds the model's constructs in `app`; throws what the library throws. */
export function buildPlatform(app: App, p: PlatformSpec): void {
  const mesh = p.mesh ? ServiceMesh.istio({ mode: p.mesh === 'ambient' ? IstioMode.AMBIENT : IstioMode.SIDECAR }) : undefined;
  const platform = new Platform(app, p.name, { apiServerCidrs: [p.apiServerCidr], ...(mesh ? { mesh } : {}) });
  const built: Workload[][] = [];
  for (const c of p.contexts) {
    const ctx = new BoundedContext(app, c.name, {
      platform, team: c.team,
      quota: { cpuRequests: Cpu.units(64), cpuLimits: Cpu.units(128), memoryRequests: Size.gibibytes(128), memoryLimits: Size.gibibytes(256), pods: 500 },
    });
    const owner = ownerIndex(c);
    const list: Workload[] = [];
    for (const w of c.workloads) list.push(buildWorkload(ctx, w, p, w.kind === 'store' ? list[owner] : undefined));
    built.push(list);
  }
  if (p.routes.length > 0) {
    const gateway = new ApiGateway(app, 'gateway', {
      platform, hosts: p.gatewayHosts ?? [HOST], tls: GatewayTls.fromSecret('api-shop-tls'),
      ...(p.gatewaySources.length > 0 ? { allowedSourceRanges: p.gatewaySources } : {}),
      ...(p.gatewayProxyMax > 0 ? { proxyMaxReplicas: p.gatewayProxyMax } : {}),
    });
    for (const r of p.routes) {
      const service = built[r.to[0]][r.to[1]] as Microservice;
      const spec = p.contexts[r.to[0]].workloads[r.to[1]];
      if (spec.ports[0]?.protocol === 'grpc') {
        gateway.addGrpcRoute({ host: r.host, service, grpcService: `acme.${spec.name.replace(/-/g, '')}.v1.Api` });
      } else {
        gateway.addRoute({ host: r.host, path: r.path ?? `/${p.contexts[r.to[0]].name}/${spec.name}`, service, streaming: r.streaming });
      }
    }
  }
  for (const call of p.calls) {
    const callee = built[call.to[0]][call.to[1]];
    built[call.from[0]][call.from[1]].connectTo(callee as CallableWorkload, { port: callee.ports[call.port]?.name });
  }
}

function buildWorkload(ctx: BoundedContext, w: WorkloadSpec, p: PlatformSpec, owner: Workload | undefined): Workload {
  const common = {
    image: Image.fromTag(`ghcr.io/acme/${w.name}`, w.imageTag),
    env: w.env,
    resources: { cpu: { request: Cpu.millis(w.cpuMillis) } },
    ...(w.foreign ?? {}),
    ...(w.command ? { command: w.command } : {}),
    ...(w.args ? { args: w.args } : {}),
  };
  const ports = w.ports.map(x => (x.protocol === 'http' ? Port.http(x.number) : x.protocol === 'grpc' ? Port.grpc(x.number) : Port.tcp(x.number, { name: 'redis' })));
  const timeout = Duration.seconds(w.probeTimeoutSeconds);
  const probes = ports.length > 0
    ? { readiness: ports[0].protocol.scheme === 'http' || w.httpReadiness ? Probe.http('/ready', { timeout }) : Probe.tcp({ timeout }), liveness: Probe.exec(['/bin/alive'], { timeout }) }
    : { readiness: Probe.exec(['/bin/ready'], { timeout }), liveness: Probe.exec(['/bin/alive'], { timeout }) };
  let workload: Workload;
  switch (w.kind) {
    case 'service':
      workload = new Microservice(ctx, w.name, { ...common, ...probes, ports, replicas: w.replicas, minReplicas: w.minReplicas, maxReplicas: w.maxReplicas });
      break;
    case 'worker':
      workload = new Worker(ctx, w.name, { ...common, ...probes, replicas: w.replicas, minReplicas: w.minReplicas, maxReplicas: w.maxReplicas });
      break;
    case 'store':
      workload = new StatefulService(ctx, w.name, { ...common, ...probes, ports, owners: owner ? [owner] : [],
        claims: [VolumeClaim.of('data', { size: Size.gibibytes(1), mountPath: '/data', ...(w.claimAccessMode ? { accessMode: AccessMode.READ_ONLY_MANY } : {}) })] });
      break;
    case 'job':
      workload = new Job(ctx, w.name, { ...common, activeDeadline: Duration.seconds(w.deadlineSeconds),
        ...(w.ttlSeconds !== undefined ? { ttlAfterFinished: Duration.seconds(w.ttlSeconds) } : {}) });
      break;
    case 'cron':
      workload = new CronJob(ctx, w.name, { ...common, schedule: w.cron === '@daily' ? CronSchedule.DAILY : CronSchedule.expression(w.cron), activeDeadline: Duration.seconds(w.deadlineSeconds),
        ...(w.timeZone !== undefined ? { timeZone: w.timeZone } : {}) });
      break;
  }
  if (w.secret) {
    workload.addSecret('creds', SecretSource.fromExternalSecret({ store: SecretStore.cluster(p.storeName), data: { token: RemoteRef.of(`${ctx.namespaceName}/${w.name}`) } }));
  }
  if (w.grant) {
    workload.grantAccess(AccessRule.of('', ['configmaps'], ['get'], [`${w.name}-settings`]));
  }
  if (w.volume) {
    addVolume(workload, w.volume, ctx);
  }
  return workload;
}

/** The volume mistakes of the mutations, in the main container. */
function addVolume(workload: Workload, kind: NonNullable<WorkloadSpec['volume']>, ctx: BoundedContext): void {
  switch (kind) {
    case 'read-only scratch':
      workload.addVolume(Volume.emptyDir('scratch', { sizeLimit: Size.mebibytes(16) }), { mountPath: '/scratch' });
      break;
    case 'secret by subPath': {
      const secret = workload.addSecret('settings', SecretSource.fromSecretName(`${workload.name}-settings`, ['token']), { mountPath: '/var/run/secrets/settings' });
      workload.addVolume(Volume.projected('settings-file', [ProjectedSource.secret(secret)]), { mountPath: '/etc/app/token', subPath: 'token' });
      break;
    }
    case 'store claim by name': {
      const store = ctx.workloads.find(o => o instanceof StatefulService);
      workload.addVolume(Volume.fromClaimName('borrowed', `data-${store?.name ?? 'cache'}-0`), { mountPath: '/borrowed' });
      break;
    }
    case 'ReadWriteOnce claim':
      workload.addVolume(Volume.fromClaimName('shared', 'shared-uploads', { accessMode: AccessMode.READ_WRITE_ONCE }), { mountPath: '/uploads', writable: true });
      break;
  }
}
