/**
 * Single mutations of a valid platform model: each changes one thing the way a user
 * gets it wrong. A mutated model must either be refused with a message in the
 * standard shape, or synthesize to output the API server accepts (the server-side
 * half runs in `npm run conformance`).
 */
import { PlatformSpec, WorkloadSpec } from './spec';

export interface Mutation {
  readonly name: string;
  /** Returns the mutated copy; `at` picks the workload (modulo their count). */
  readonly apply: (p: PlatformSpec, at: number) => PlatformSpec;
}

function clone(p: PlatformSpec): PlatformSpec {
  return JSON.parse(JSON.stringify(p)) as PlatformSpec;
}

function onWorkload(p: PlatformSpec, at: number, change: (w: WorkloadSpec) => void): PlatformSpec {
  const q = clone(p);
  const all = q.contexts.flatMap(c => c.workloads);
  change(all[at % all.length]);
  return q;
}

export const MUTATIONS: Mutation[] = [
  { name: 'workload name in upper case', apply: (p, at) => onWorkload(p, at, w => { w.name = w.name.toUpperCase() + 'X'; }) },
  { name: 'workload name of 64 characters', apply: (p, at) => onWorkload(p, at, w => { w.name = `a${'b'.repeat(63)}`; }) },
  { name: 'workload name with an underscore', apply: (p, at) => onWorkload(p, at, w => { w.name = `${w.name}_x`; }) },
  { name: 'workload name empty', apply: (p, at) => onWorkload(p, at, w => { w.name = ''; }) },
  { name: 'two workloads of one name', apply: p => { const q = clone(p); const ws = q.contexts[0].workloads; ws.push({ ...ws[0] }); return q; } },
  { name: 'context name not a DNS label', apply: p => { const q = clone(p); q.contexts[0].name = 'Catalog Team'; return q; } },
  { name: 'context named like a reserved namespace', apply: p => { const q = clone(p); q.contexts[0].name = 'kube-system'; return q; } },
  { name: 'team not a label value', apply: p => { const q = clone(p); q.contexts[0].team = 'team with spaces'; return q; } },
  { name: 'port number 0', apply: (p, at) => onWorkload(p, at, w => { w.ports = [{ protocol: 'http', number: 0 }]; }) },
  { name: 'port number 70000', apply: (p, at) => onWorkload(p, at, w => { w.ports = [{ protocol: 'http', number: 70000 }]; }) },
  { name: 'two ports of one number', apply: (p, at) => onWorkload(p, at, w => { w.ports = [{ protocol: 'http', number: 8080 }, { protocol: 'grpc', number: 8080 }]; }) },
  { name: 'replicas zero', apply: (p, at) => onWorkload(p, at, w => { w.replicas = 0; }) },
  { name: 'replicas fractional', apply: (p, at) => onWorkload(p, at, w => { w.replicas = 1.5; }) },
  { name: 'maxReplicas below minReplicas', apply: (p, at) => onWorkload(p, at, w => { w.replicas = undefined; w.minReplicas = 4; w.maxReplicas = 2; }) },
  { name: 'minReplicas equal to maxReplicas', apply: (p, at) => onWorkload(p, at, w => { w.replicas = undefined; w.minReplicas = 3; w.maxReplicas = 3; }) },
  { name: 'environment variable name with a dash', apply: (p, at) => onWorkload(p, at, w => { w.env = { ...w.env, 'LOG-LEVEL': 'info' }; }) },
  { name: 'environment variable named like a credential', apply: (p, at) => onWorkload(p, at, w => { w.env = { ...w.env, DB_PASSWORD: 'hunter2' }; }) },
  { name: 'a Stripe key in configuration', apply: (p, at) => onWorkload(p, at, w => { w.env = { ...w.env, PAYMENT_API_KEY: ['sk', 'test', '51HqLyjWDarjtT1zdp7dc8Xyz'].join('_') }; }) },
  { name: 'API server CIDR with host bits', apply: p => ({ ...clone(p), apiServerCidr: '10.96.0.1/12' }) },
  { name: 'API server CIDR of every address', apply: p => ({ ...clone(p), apiServerCidr: '0.0.0.0/0' }) },
  { name: 'gateway source range without a prefix length', apply: p => ({ ...clone(p), gatewaySources: ['203.0.113.7'] }) },
  { name: 'gateway proxy maximum below its minimum', apply: p => ({ ...clone(p), gatewayProxyMax: 1 }) },
  { name: 'secret store name empty', apply: (p, at) => onWorkload({ ...clone(p), storeName: '' }, at, w => { w.secret = true; }) },
  { name: 'cron schedule of six fields', apply: (p, at) => onWorkload(p, at, w => { w.kind = 'cron'; w.ports = []; w.cron = '0 30 3 * * *'; }) },
  { name: 'cron schedule on February 31', apply: (p, at) => onWorkload(p, at, w => { w.kind = 'cron'; w.ports = []; w.cron = '0 0 31 2 *'; }) },
  { name: 'cron time zone in lower case', apply: (p, at) => onWorkload(p, at, w => { w.kind = 'cron'; w.ports = []; w.timeZone = 'europe/berlin'; }) },
  { name: 'cron time zone as an offset', apply: (p, at) => onWorkload(p, at, w => { w.kind = 'cron'; w.ports = []; w.timeZone = '+01:00'; }) },
  { name: 'cron time zone Local', apply: (p, at) => onWorkload(p, at, w => { w.kind = 'cron'; w.ports = []; w.timeZone = 'Local'; }) },
  { name: 'cron day of week 7 for Sunday', apply: (p, at) => onWorkload(p, at, w => { w.kind = 'cron'; w.ports = []; w.cron = '0 3 * * 7'; }) },
  { name: 'cron schedule restricting both day fields', apply: (p, at) => onWorkload(p, at, w => { w.kind = 'cron'; w.ports = []; w.cron = '0 3 1 * MON'; }) },
  { name: 'cron step larger than its field', apply: (p, at) => onWorkload(p, at, w => { w.kind = 'cron'; w.ports = []; w.cron = '*/90 * * * *'; }) },
  { name: 'cron schedule with a TZ= prefix', apply: (p, at) => onWorkload(p, at, w => { w.kind = 'cron'; w.ports = []; w.cron = 'TZ=Europe/Berlin 30 3 * * *'; }) },
  { name: 'job TTL without a hook', apply: (p, at) => onWorkload(p, at, w => { w.kind = 'job'; w.ports = []; w.ttlSeconds = 3600; }) },
  { name: 'job deadline zero', apply: (p, at) => onWorkload(p, at, w => { w.kind = 'job'; w.ports = []; w.deadlineSeconds = 0; }) },
  { name: 'probe timeout 1.5 s', apply: (p, at) => onWorkload(p, at, w => { w.probeTimeoutSeconds = 1.5; }) },
  { name: 'image tagged latest', apply: (p, at) => onWorkload(p, at, w => { w.imageTag = 'latest'; }) },
  { name: 'CPU request negative', apply: (p, at) => onWorkload(p, at, w => { w.cpuMillis = -100; }) },
  { name: 'CPU request finer than a millicore', apply: (p, at) => onWorkload(p, at, w => { w.cpuMillis = 0.5; }) },
  { name: 'a call to a workload that has no port', apply: p => {
    const q = clone(p);
    q.contexts[0].workloads.push({ ...q.contexts[0].workloads[0], kind: 'worker', name: 'portless', ports: [] });
    q.calls.push({ from: [0, 0], to: [0, q.contexts[0].workloads.length - 1], port: 0 });
    return q;
  } },
  { name: 'a call to a store from a workload that does not own it', apply: p => {
    const q = clone(p);
    const ws = q.contexts[0].workloads;
    ws.push({ ...ws[0], kind: 'store', name: 'cache', ports: [{ protocol: 'tcp', number: 6379 }], secret: false, grant: false });
    ws.push({ ...ws[0], kind: 'service', name: 'intruder', ports: [{ protocol: 'http', number: 8080 }], secret: false, grant: false });
    q.calls.push({ from: [0, ws.length - 1], to: [0, ws.length - 2], port: 0 });
    return q;
  } },
  { name: 'a route on a host the gateway does not serve', apply: p => {
    const q = clone(p);
    const c = q.contexts.findIndex(x => x.workloads.some(w => w.kind === 'service'));
    q.routes = [...q.routes, { to: [c, q.contexts[c].workloads.findIndex(w => w.kind === 'service')], host: 'www.elsewhere.example.org', streaming: false }];
    return q;
  } },
  { name: 'a route to a worker', apply: p => {
    const q = clone(p);
    const ws = q.contexts[0].workloads;
    ws.push({ ...ws[0], kind: 'worker', name: 'routed-worker', ports: [], secret: false, grant: false });
    q.routes = [...q.routes, { to: [0, ws.length - 1], host: 'api.shop.example.com', streaming: false }];
    return q;
  } },
  // names a controller extends past 63 characters (issue 20, class 1)
  { name: 'store name of 53 characters', apply: (p, at) => onWorkload(p, at, w => {
    w.kind = 'store'; w.name = `s${'t'.repeat(52)}`; w.ports = [{ protocol: 'tcp', number: 6379 }];
  }) },
  { name: 'cron job name of 53 characters', apply: (p, at) => onWorkload(p, at, w => { w.kind = 'cron'; w.ports = []; w.name = `c${'r'.repeat(52)}`; }) },
  { name: 'job name of 53 characters', apply: (p, at) => onWorkload(p, at, w => { w.kind = 'job'; w.ports = []; w.name = `j${'o'.repeat(52)}`; }) },
  // a prop of another kind (issue 20, class 2)
  { name: 'autoscaling bounds on a store', apply: (p, at) => onWorkload(p, at, w => {
    w.kind = 'store'; w.ports = [{ protocol: 'tcp', number: 6379 }]; w.foreign = { minReplicas: 2, maxReplicas: 4 };
  }) },
  { name: 'a schedule on a job', apply: (p, at) => onWorkload(p, at, w => { w.kind = 'job'; w.ports = []; w.foreign = { timeZone: 'Europe/Berlin' }; }) },
  { name: 'a misspelt prop', apply: (p, at) => onWorkload(p, at, w => { w.foreign = { replica: 3 }; }) },
  // Gateway API list limits of the pinned CRDs (lib/gateway/gateway-api-limits.ts)
  { name: 'more HTTP routes to one service on one host than an HTTPRoute holds', apply: p => {
    const q = clone(p);
    const c = q.contexts.findIndex(x => x.workloads.some(w => w.kind === 'service' && w.ports[0]?.protocol === 'http'));
    if (c < 0) return q;
    const w = q.contexts[c].workloads.findIndex(x => x.kind === 'service' && x.ports[0]?.protocol === 'http');
    const routes = Array.from({ length: 17 }, (_, i) => ({ to: [c, w] as [number, number], host: 'api.shop.example.com', streaming: false, path: `/limit/r${i}` }));
    q.routes = [...q.routes, ...routes];
    return q;
  } },
  { name: 'more hosts on a TLS gateway than its redirect HTTPRoute holds', apply: p => ({ ...clone(p), gatewayHosts: ['api.shop.example.com', ...Array.from({ length: 16 }, (_, i) => `h${i}.shop.example.com`)] }) },
  { name: 'a call to itself', apply: p => { const q = clone(p); q.calls.push({ from: [0, 0], to: [0, 0], port: 0 }); return q; } },
  // Hardening II: one shell string as the command (class 3)
  { name: 'command written as one shell string', apply: (p, at) => onWorkload(p, at, w => { w.command = ['python app.py', '--port', '8080']; }) },
  { name: 'exec-style args written as one string', apply: (p, at) => onWorkload(p, at, w => { w.command = undefined; w.args = ['./serve --port 8080']; }) },
  // credentials that slipped past the detector (class 4)
  { name: 'a password as the value of a flag', apply: (p, at) => onWorkload(p, at, w => { w.args = ['--requirepass', 'hunter2']; }) },
  { name: 'a password assigned in a shell string', apply: (p, at) => onWorkload(p, at, w => { w.command = ['sh', '-c', 'PGPASSWORD=hunter2 exec ./serve']; }) },
  { name: 'an abbreviated credential name', apply: (p, at) => onWorkload(p, at, w => { w.env = { ...w.env, DB_PASS: 'hunter2' }; }) },
  // volumes that break or mislead (class 5)
  { name: 'scratch space no container writes', apply: (p, at) => onWorkload(p, at, w => { w.volume = 'read-only scratch'; }) },
  { name: 'a secret mounted by subPath', apply: (p, at) => onWorkload(p, at, w => { w.volume = 'secret by subPath'; }) },
  { name: 'a store\'s claim mounted by name', apply: (p, at) => onWorkload(p, at, w => { w.volume = 'store claim by name'; }) },
  { name: 'a ReadWriteOnce claim on spread replicas', apply: (p, at) => onWorkload(p, at, w => { w.volume = 'ReadWriteOnce claim'; }) },
  { name: 'a store\'s claims read-only', apply: p => {
    const q = clone(p);
    const ws = q.contexts[0].workloads;
    ws.push({ ...ws[0], kind: 'store', name: 'ro-store', ports: [{ protocol: 'tcp', number: 6379 }], secret: false, grant: false, claimAccessMode: 'ReadOnlyMany' });
    return q;
  } },
  // probe and port protocol (class 8)
  { name: 'an HTTP probe on a service with only a gRPC port', apply: (p, at) => onWorkload(p, at, w => { w.kind = 'service'; w.ports = [{ protocol: 'grpc', number: 9090 }]; w.httpReadiness = true; }) },
];

/**
 * The standard shape of an error (DEVELOPERS.md): `<path>: '<prop>' (<value>) <expected>; <fix>`,
 * possibly several inside cdk8s' "Validation failed" wrapper, one per line as `[path] <message>`.
 */
export function inStandardShape(message: string): boolean {
  const shape = /^\S.*?: '[^']+' \(.*\) .+; .+$/s;
  const wrapped = /^Validation failed with the following errors:\n/;
  if (wrapped.test(message)) {
    return message.replace(wrapped, '').split('\n').every(line => shape.test(line.trim().replace(/^\[[^\]]+\] /, '')));
  }
  return shape.test(message);
}
