import { Duration } from 'cdk8s';
import { Image, KubernetesVersion, Microservice, Platform, Port, PreStopSleep, Probe, Worker } from '../../lib';
import { TARGET_ANNOTATION } from '../../lib/platform/platform';
import { find, Manifest, microservice, objects, setup, thrown } from '../_helpers';

function container(manifests: Manifest[], name: string): Manifest {
  return find(manifests, 'Deployment', name).spec.template.spec.containers[0];
}

describe('KubernetesVersion', () => {
  test('a platform targets the newest tested release, 1.37, by default, and says so on its PriorityClasses', () => {
    const { platform } = setup();

    expect(platform.kubernetesVersion).toBe(KubernetesVersion.V1_37);
    expect(KubernetesVersion.NEWEST).toBe(KubernetesVersion.V1_37);
    expect(platform.kubernetesVersion.name).toEqual('1.37');
    const classes = objects(platform).filter(o => o.kind === 'PriorityClass');
    expect(classes.map(c => c.metadata.annotations[TARGET_ANNOTATION])).toEqual(['1.37', '1.37', '1.37']);
  });

  test('offers every release from 1.27 to 1.37, oldest first, by constant or by name', () => {
    expect(KubernetesVersion.ALL.map(v => v.name)).toEqual(['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', '1.36', '1.37']);
    expect(KubernetesVersion.of('1.27')).toBe(KubernetesVersion.V1_27);
    expect(KubernetesVersion.of('v1.33.4')).toBe(KubernetesVersion.V1_33);
    expect(KubernetesVersion.V1_30.isAtLeast(KubernetesVersion.V1_29)).toBe(true);
    expect(KubernetesVersion.V1_27.isAtLeast(KubernetesVersion.V1_29)).toBe(false);
  });

  test.each(['1.26', '1.38', '2.0', 'latest', ''])('fails when of() is given %j, a release the library is not tested against: the platform refuses it with its path', (name) => {
    const app = setup().app;
    const version = KubernetesVersion.of(name);

    expect(() => new Platform(app, 'other', { kubernetesVersion: version }))
      .toThrow(`other: 'kubernetesVersion' ('${name}') must be a Kubernetes release from 1.27 to 1.37, such as '1.33'; use one of the KubernetesVersion constants, or KubernetesVersion.of() with one of those releases`);
    expect(thrown(() => new Platform(app, 'other2', { kubernetesVersion: version })))
      .toMatchObject({ name: 'ConfigurationError', path: 'other2', prop: 'kubernetesVersion', value: name, code: 'UNKNOWN_OPTION' });
  });

  test('fails when a platform is given something other than a KubernetesVersion', () => {
    const app = setup().app;

    expect(() => new Platform(app, 'other', { kubernetesVersion: '1.30' as unknown as KubernetesVersion }))
      .toThrow(/^other: 'kubernetesVersion' \('1.30'\) must be a KubernetesVersion; use a constant such as KubernetesVersion.V1_33$/);
  });

  describe('preStop sleep', () => {
    test('on 1.30 and later the kubelet sleeps: the native sleep action, no sleep binary needed', () => {
      for (const version of [KubernetesVersion.V1_30, KubernetesVersion.V1_37]) {
        const { context } = setup({}, { kubernetesVersion: version });

        const api = microservice(context, 'api');

        expect(api.nativePreStopSleep).toBe(true);
        expect(container(objects(context), 'api').lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
      }
    });

    test('before 1.30 the container runs sleep (the image must have it)', () => {
      const { context } = setup({}, { kubernetesVersion: KubernetesVersion.V1_29 });

      const api = microservice(context, 'api', { preStopDelay: Duration.seconds(7) });

      expect(api.nativePreStopSleep).toBe(false);
      expect(container(objects(context), 'api').lifecycle).toEqual({ preStop: { exec: { command: ['sleep', '7'] } } });
    });

    test('PreStopSleep.EXEC runs sleep in the container even where the native action exists', () => {
      const { context } = setup();

      microservice(context, 'api', { preStopSleep: PreStopSleep.EXEC });

      expect(container(objects(context), 'api').lifecycle).toEqual({ preStop: { exec: { command: ['sleep', '5'] } } });
    });

    test('PreStopSleep.NATIVE renders the native action, for distroless images', () => {
      const { context } = setup({}, { kubernetesVersion: KubernetesVersion.V1_30 });

      const api = microservice(context, 'api', { preStopSleep: PreStopSleep.NATIVE });

      expect(api.preStopSleep).toBe(PreStopSleep.NATIVE);
      expect(container(objects(context), 'api').lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
    });

    test('fails when PreStopSleep.NATIVE is asked of a platform that targets a release before 1.30', () => {
      const { context } = setup({}, { kubernetesVersion: KubernetesVersion.V1_29 });

      expect(() => microservice(context, 'api', { preStopSleep: PreStopSleep.NATIVE }))
        .toThrow(/^catalog\/api: 'preStopSleep' \('native'\) needs the native preStop sleep action \(lifecycle.preStop.sleep\), which Kubernetes has from 1.30, but the platform targets 1.29; raise the Platform's kubernetesVersion to KubernetesVersion.V1_30 or later if every cluster runs it, or use PreStopSleep.AUTO or EXEC with an image that has `sleep`, or set preStopDelay to Duration.seconds\(0\)$/);
    });

    test('PreStopSleep.NATIVE without a delay needs nothing of the target', () => {
      const { context } = setup({}, { kubernetesVersion: KubernetesVersion.V1_27 });

      new Worker(context, 'relay', {
        image: Image.fromTag('ghcr.io/acme/relay', '1.0.0'), readiness: Probe.exec(['/ready']), liveness: Probe.exec(['/alive']), preStopSleep: PreStopSleep.NATIVE,
      });

      expect(find(objects(context), 'Deployment', 'relay').spec.template.spec.containers[0]).not.toHaveProperty('lifecycle');
    });

    test('fails when preStopSleep is not a PreStopSleep', () => {
      const { context } = setup();

      expect(() => microservice(context, 'api', { preStopSleep: 'native' as unknown as PreStopSleep }))
        .toThrow(/^catalog\/api: 'preStopSleep' \('native'\) must be a PreStopSleep; use PreStopSleep.AUTO, PreStopSleep.NATIVE or PreStopSleep.EXEC$/);
    });
  });

  describe('native sidecars', () => {
    const sidecar = { image: Image.fromTag('ghcr.io/acme/log-shipper', '2.1.0'), withoutProbes: 'ships logs; nothing to probe' };

    test('are init containers with restartPolicy Always from 1.29', () => {
      const { context } = setup({}, { kubernetesVersion: KubernetesVersion.V1_29 });
      const api = new Microservice(context, 'api', { image: Image.fromTag('ghcr.io/acme/api', '1.0.0'), ports: [Port.http(8080)], readiness: Probe.http('/ready'), liveness: Probe.http('/live') });

      api.addSidecar('log-shipper', sidecar);

      const init = find(objects(context), 'Deployment', 'api').spec.template.spec.initContainers;
      expect(init.map((c: Manifest) => [c.name, c.restartPolicy])).toEqual([['log-shipper', 'Always']]);
    });

    test('fails when a platform targeting 1.28 adds a sidecar', () => {
      const { context } = setup({}, { kubernetesVersion: KubernetesVersion.V1_28 });
      const api = microservice(context, 'api');

      expect(() => api.addSidecar('log-shipper', sidecar))
        .toThrow(/^catalog\/api: 'addSidecar\(name\)' \('log-shipper'\) needs native sidecars \(init containers with restartPolicy Always\), which Kubernetes has from 1.29, but the platform targets 1.28; raise the Platform's kubernetesVersion to KubernetesVersion.V1_29 or later if every cluster runs it, or run the helper as an init container that finishes before the main container starts \(addInitContainer\)$/);
    });
  });
});
