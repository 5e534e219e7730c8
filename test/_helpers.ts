import { App, Chart, Testing } from 'cdk8s';
import { BoundedContext, BoundedContextProps, ConfigurationError, Image, Microservice, MicroserviceProps, Platform, PlatformProps, Port, Probe, StatefulServiceProps } from '../lib';

/** A rendered Kubernetes object, as a plain JSON tree. */
export type Manifest = { [key: string]: any };

/**
 * A test app with a platform 'shop' and one bounded context 'catalog'.
 */
export function setup(contextProps: Partial<BoundedContextProps> = {}, platformProps: PlatformProps = {}): { app: App; platform: Platform; context: BoundedContext } {
  const app = Testing.app();
  const platform = new Platform(app, 'shop', platformProps);
  const context = new BoundedContext(app, 'catalog', { platform, team: 'catalog-team', ...contextProps });
  return { app, platform, context };
}

/** The objects a chart renders, validated as at synth. */
export function objects(chart: Chart): Manifest[] {
  return Testing.synth(chart);
}

/** The one object of a kind and name; fails the test when there is none. */
export function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.filter(m => m.kind === kind && m.metadata?.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one ${kind} '${name}', found ${found.length} among: ${manifests.map(m => `${m.kind}/${m.metadata?.name}`).join(', ')}`);
  }
  return found[0];
}

/** The pod spec of the Deployment `name` (a microservice's pods). */
export function podSpec(manifests: Manifest[], name = 'products'): Manifest {
  return find(manifests, 'Deployment', name).spec.template.spec;
}

/**
 * The environment of a Deployment's first container with ConfigMap references
 * resolved against the ConfigMaps in `manifests` (as the kubelet would), and secret
 * references shown as `secret:<name>/<key>`.
 */
export function resolvedEnv(manifests: Manifest[], deployment: Manifest): Array<{ name: string; value: string }> {
  const env: Manifest[] = deployment.spec.template.spec.containers[0].env ?? [];
  return env.map(e => {
    const ref = e.valueFrom?.configMapKeyRef;
    if (ref) {
      const cm = find(manifests, 'ConfigMap', ref.name);
      return { name: e.name, value: cm.data[ref.key] };
    }
    const secret = e.valueFrom?.secretKeyRef;
    return { name: e.name, value: secret ? `secret:${secret.name}/${secret.key}` : e.value };
  });
}

/**
 * A microservice with the least a valid one needs (pinned image, an HTTP port,
 * distinct readiness and liveness probes), plus `extra` props.
 */
export function microservice(context: BoundedContext, id: string, extra: Partial<MicroserviceProps> = {}): Microservice {
  return new Microservice(context, id, {
    image: Image.fromTag(`ghcr.io/acme/${id}`, '1.0.0'),
    ports: [Port.http(8080)],
    readiness: Probe.http('/ready'),
    liveness: Probe.http('/live'),
    ...extra,
  });
}

/** The props of a redis store owned by `owners`, with `overrides`. */
export function storeProps(owners: Microservice[], overrides: Partial<StatefulServiceProps> = {}): StatefulServiceProps {
  return {
    image: Image.fromTag('docker.io/library/redis', '7.2.5'),
    ports: [Port.tcp(6379, { name: 'redis' })],
    readiness: Probe.exec(['redis-cli', 'ping']),
    liveness: Probe.tcp(),
    owners,
    ...overrides,
  };
}

/**
 * Runs `build` and returns what it throws (a refusal of the library is a
 * ConfigurationError); fails the test when it throws nothing.
 */
export function thrown(build: () => unknown): ConfigurationError {
  try {
    build();
  } catch (e) {
    return e as ConfigurationError;
  }
  throw new Error('expected a refusal, but nothing was thrown');
}
