/**
 * The failed-canary check of the release phase (issue 21), a pure function of the live
 * objects: while a track's pods never become ready, the stable track keeps every pod
 * available and its Services send traffic to ready stable pods only. Tested in
 * release-checks.test.ts with objects that pass and objects that fail; the release
 * phase's self-test proves it fails on a cluster too.
 */
import { Pod, podIsActive, podIsHealthy, Workload, workloadReady } from './model';

/** An EndpointSlice (discovery.k8s.io/v1), as much as the check reads. */
export interface EndpointSlice {
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  endpoints?: { addresses?: string[]; conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean }; targetRef?: { kind?: string; name: string } }[];
}

/** The label the EndpointSlice controller puts on a Service's slices. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface FailedTrackInput {
  /** the stable track's Deployment (undefined: it is gone, itself a failure) */
  stable: Workload | undefined;
  /** the stable track's pods (its own, through its ReplicaSets) */
  stablePods: Pod[];
  /** the failing tracks' pods */
  failingPods: Pod[];
  /** the EndpointSlices of the namespace */
  slices: EndpointSlice[];
  /** the stable track's own Service (`<service>-stable`): only ready stable pods may be listed */
  stableService: string;
  /** the service's Service, which in-cluster callers call (it selects every track): its ready endpoints must be stable pods */
  service: string;
}

const ready = (e: NonNullable<EndpointSlice['endpoints']>[number]): boolean => e.conditions?.ready !== false;

/**
 * What is wrong while a track fails: the stable Deployment not available or not fully
 * rolled out, a stable pod not Ready, the stable Service listing a pod that is not a
 * ready stable pod (or missing one), the service's Service routing to a pod that is not
 * a ready stable pod; and, so that the check tests what it says, a failing pod that
 * became Ready or never ran. Empty when the stable track serves alone.
 */
export function failedTrackVerdict(input: FailedTrackInput): string[] {
  const out: string[] = [];
  const s = input.stable;
  if (!s) return ['the stable Deployment is gone'];
  const id = `Deployment/${s.metadata.namespace}/${s.metadata.name}`;
  const r = workloadReady(s);
  if (!r.ready) out.push(`${id}: not available and fully rolled out: ${r.detail}`);
  const active = input.stablePods.filter(podIsActive);
  const healthy = new Set(active.filter(podIsHealthy).map((p) => p.metadata.name));
  for (const p of active.filter((x) => !podIsHealthy(x))) out.push(`${id}: Pod/${p.metadata.namespace}/${p.metadata.name} is not Ready`);
  const sliceName = (sl: EndpointSlice): string => `EndpointSlice/${sl.metadata.namespace}/${sl.metadata.name}`;
  const of = (service: string): EndpointSlice[] => input.slices.filter((sl) => sl.metadata.labels?.[SERVICE_NAME_LABEL] === service);

  // the stable Service: exactly the ready stable pods, every one ready
  const listed = new Set<string>();
  for (const sl of of(input.stableService)) {
    for (const e of sl.endpoints ?? []) {
      const pod = e.targetRef?.name ?? (e.addresses ?? []).join(',');
      listed.add(pod);
      if (!ready(e)) out.push(`${sliceName(sl)} of Service ${input.stableService} lists Pod/${sl.metadata.namespace}/${pod}, which is not ready`);
      else if (!healthy.has(pod)) out.push(`${sliceName(sl)} of Service ${input.stableService} lists Pod/${sl.metadata.namespace}/${pod} as ready, which is not a ready pod of the stable track`);
    }
  }
  for (const p of healthy) if (!listed.has(p)) out.push(`Service ${input.stableService}: its EndpointSlices do not list the ready stable Pod ${p}`);

  // the service's Service (every track): its ready endpoints are ready stable pods, and every one of them
  const routed = new Set<string>();
  for (const sl of of(input.service)) {
    for (const e of (sl.endpoints ?? []).filter(ready)) {
      const pod = e.targetRef?.name ?? (e.addresses ?? []).join(',');
      routed.add(pod);
      if (!healthy.has(pod)) out.push(`${sliceName(sl)} of Service ${input.service} sends traffic to Pod/${sl.metadata.namespace}/${pod}, which is not a ready stable pod`);
    }
  }
  for (const p of healthy) if (!routed.has(p)) out.push(`Service ${input.service}: its EndpointSlices do not list the ready stable Pod ${p} as ready`);

  // the fixture does what it says: the failing pods run and are never Ready
  const failing = input.failingPods.filter(podIsActive);
  if (!failing.length) out.push('no pod of the failing track runs: the failure was not simulated');
  for (const p of failing.filter(podIsHealthy)) out.push(`Pod/${p.metadata.namespace}/${p.metadata.name} of the failing track became Ready: the never-ready stage did not apply`);
  return out;
}
