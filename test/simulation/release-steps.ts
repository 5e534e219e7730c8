/**
 * The steps of the simulation's release phase (issue 21): a small platform, one service
 * ('products' in context 'catalog') behind an ApiGateway, built with the library at each
 * step as a team's code would be at that commit. Each step is the code change a team
 * makes (README, Releases): a canary started, raised, promoted; a blue-green pair
 * started, switched, its blue rolled to green's version, ended; a canary whose pods never
 * become ready, then rolled back. release-phase.ts synthesizes each with the step before
 * as its previous output (the safe-change check runs) and applies it with the ApplySet
 * prune command; release-steps.test.ts checks the outputs.
 */
import { App } from 'cdk8s';
import { ApiGateway, BoundedContext, Colour, GatewayTls, Image, IRelease, KubernetesVersion, Microservice, Platform, Port, Probe, Release } from '../../lib';

/** The platform's name: the ApplySet parent is `<platform>-<environment>`. */
export const RELEASE_PLATFORM = 'releases';
/** The environment the phase applies. */
export const RELEASE_ENVIRONMENT = 'sim';
/** The namespace of the service (its bounded context). */
export const RELEASE_NAMESPACE = 'catalog';
/** The released service. */
export const RELEASE_SERVICE = 'products';
/** The service's image repository; each step names a tag. */
export const RELEASE_REPOSITORY = 'ghcr.io/acme/products';
/** The gateway's host. */
export const RELEASE_HOST = 'api.releases.example.com';
/**
 * A container whose image tag ends so never passes its readiness probe on the simulated
 * cluster (kwok stage stages/pod-never-ready.yaml): it runs and is never Ready.
 */
export const NEVER_READY = '-never-ready';

/** The phase's three sequences, run in this order on one cluster, and its self-test's (on a cluster of its own). */
export type ReleaseSequence = 'canary' | 'blue-green' | 'failed canary' | 'self-test';

/** One step: the code of the service at one commit. */
export interface ReleaseStep {
  readonly sequence: ReleaseSequence;
  /** What the team did, as the table shows it. */
  readonly name: string;
  /** The service's own image tag (the stable track; blue in a blue-green pair). */
  readonly tag: string;
  /** The service's release at this step, if any. */
  readonly release?: IRelease;
  /** Deployments whose new pods never become ready at this step (their image ends in NEVER_READY). */
  readonly failing?: readonly string[];
}

const image = (tag: string): Image => Image.fromTag(RELEASE_REPOSITORY, tag);

/** Every step of the phase, in order: each starts from the cluster the one before left. */
export const RELEASE_STEPS: readonly ReleaseStep[] = [
  { sequence: 'canary', name: 'stable 1.8.2, no release', tag: '1.8.2' },
  { sequence: 'canary', name: 'start: canary 1.9.0 at weight 10', tag: '1.8.2', release: Release.canary({ image: image('1.9.0'), weight: 10 }) },
  { sequence: 'canary', name: 'raise: weight 50', tag: '1.8.2', release: Release.canary({ image: image('1.9.0'), weight: 50 }) },
  { sequence: 'canary', name: 'promote: image 1.9.0, release removed (canary pruned)', tag: '1.9.0' },
  { sequence: 'blue-green', name: 'start: green 2.0.0 warm, blue active', tag: '1.9.0', release: Release.blueGreen({ image: image('2.0.0'), active: Colour.BLUE }) },
  { sequence: 'blue-green', name: 'switch: green active', tag: '1.9.0', release: Release.blueGreen({ image: image('2.0.0'), active: Colour.GREEN }) },
  { sequence: 'blue-green', name: 'roll blue to 2.0.0 while green serves', tag: '2.0.0', release: Release.blueGreen({ image: image('2.0.0'), active: Colour.GREEN }) },
  { sequence: 'blue-green', name: 'end: release removed (green pruned)', tag: '2.0.0' },
  {
    sequence: 'failed canary', name: `start: canary 2.1.0${NEVER_READY} at weight 10, never ready`, tag: '2.0.0',
    release: Release.canary({ image: image(`2.1.0${NEVER_READY}`), weight: 10 }), failing: [`${RELEASE_SERVICE}-canary`],
  },
  { sequence: 'failed canary', name: 'roll back: release removed (canary pruned)', tag: '2.0.0' },
];

/**
 * The self-test's steps: the failed canary with a broken stable track (the stable image
 * also set to a version that never becomes ready, as a promotion of the failing canary
 * would): the failed-canary check must report the stable track.
 */
export const RELEASE_SELF_TEST_STEPS: readonly ReleaseStep[] = [
  { sequence: 'self-test', name: 'stable 2.0.0, no release', tag: '2.0.0' },
  {
    sequence: 'self-test', name: `broken: stable 2.1.0${NEVER_READY} and canary 2.2.0${NEVER_READY}`, tag: `2.1.0${NEVER_READY}`,
    release: Release.canary({ image: image(`2.2.0${NEVER_READY}`), weight: 10 }), failing: [RELEASE_SERVICE, `${RELEASE_SERVICE}-canary`],
  },
];

/** Builds the platform of `step` into `app`: the service behind the gateway's route `/products`. */
export function buildReleaseStep(app: App, step: ReleaseStep): Microservice {
  const platform = new Platform(app, RELEASE_PLATFORM, { kubernetesVersion: KubernetesVersion.NEWEST });
  const catalog = new BoundedContext(app, RELEASE_NAMESPACE, { platform, team: 'catalog-team' });
  const products = new Microservice(catalog, RELEASE_SERVICE, {
    image: image(step.tag), ports: [Port.http(8080)], readiness: Probe.http('/ready'), liveness: Probe.http('/live'), release: step.release,
  });
  const gateway = new ApiGateway(app, 'public', { platform, hosts: [RELEASE_HOST], tls: GatewayTls.fromSecret('api-tls') });
  gateway.addRoute({ host: RELEASE_HOST, path: '/products', service: products });
  return products;
}

/** A rendered object's key as the table and the member check name it: `Kind/namespace/name`. */
export function objectName(o: { kind?: string; metadata?: { namespace?: string; name?: string } }): string {
  return `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
}

/** What a step's output no longer holds of the output before it: what the ApplySet prune must delete. */
export function prunedBy(before: readonly { kind?: string; metadata?: { namespace?: string; name?: string } }[],
  after: readonly { kind?: string; metadata?: { namespace?: string; name?: string } }[]): string[] {
  const kept = new Set(after.map(objectName));
  return before.map(objectName).filter((k) => !kept.has(k)).sort();
}
