import { Duration } from 'cdk8s';
import { ApiGateway, GatewayTls, Image, Microservice, Port, Probe, Worker, WorkerProps, Workload } from '../../lib';
import { find, microservice, objects, resolvedEnv, setup } from '../_helpers';

function props(overrides: Partial<WorkerProps> = {}): WorkerProps {
  return {
    image: Image.fromTag('ghcr.io/acme/relay', '1.2.0'),
    readiness: Probe.exec(['/app/ready']),
    liveness: Probe.exec(['/app/alive']),
    ...overrides,
  };
}

const SUPPRESS = 'conformance.cdk8s-microservices.io/suppress';

describe('Worker', () => {
  describe('defaults', () => {
    test('scales between 2 and 4 replicas at 70% CPU, one extra pod at a time, one disruption at a time', () => {
      const { context } = setup();

      const relay = new Worker(context, 'relay', props());

      expect([relay.replicas, relay.minReplicas, relay.maxReplicas, relay.targetCpuUtilization, relay.maxSurge]).toEqual([undefined, 2, 4, 70, 1]);
      const manifests = objects(context);
      expect(find(manifests, 'HorizontalPodAutoscaler', 'relay').spec).toMatchObject({
        scaleTargetRef: { kind: 'Deployment', name: 'relay' }, minReplicas: 2, maxReplicas: 4,
      });
      const d = find(manifests, 'Deployment', 'relay');
      expect(d.spec.replicas).toBeUndefined();
      expect(d.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
      expect(find(manifests, 'PodDisruptionBudget', 'relay').spec).toMatchObject({ maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    });

    test('has no Service, no preStop delay, and labels itself a worker', () => {
      const { context } = setup();

      const relay = new Worker(context, 'relay', props());

      expect(relay.component).toEqual('worker');
      expect(relay.preStopDelay.toSeconds()).toEqual(0);
      const manifests = objects(context);
      expect(manifests.filter(m => m.kind === 'Service')).toEqual([]);
      const d = find(manifests, 'Deployment', 'relay');
      expect(d.metadata.labels['app.kubernetes.io/component']).toEqual('worker');
      expect(d.spec.template.spec.containers[0]).not.toHaveProperty('lifecycle');
    });

    test('runs restricted, under its own ServiceAccount without a token, with the context\'s resources', () => {
      const { context } = setup();

      new Worker(context, 'relay', props());

      const manifests = objects(context);
      const pod = find(manifests, 'Deployment', 'relay').spec.template.spec;
      expect(pod.serviceAccountName).toEqual('relay');
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(find(manifests, 'ServiceAccount', 'relay').automountServiceAccountToken).toBe(false);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(pod.containers[0].resources).toEqual({
        requests: { 'cpu': '100m', 'memory': '256Mi', 'ephemeral-storage': '128Mi' },
        limits: { 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '512Mi' },
      });
      expect(pod.topologySpreadConstraints).toHaveLength(2);
    });

    test('its NetworkPolicy admits nothing, and Polaris is told why', () => {
      const { context } = setup();

      new Worker(context, 'relay', props());

      const manifests = objects(context);
      expect(find(manifests, 'NetworkPolicy', 'relay').spec).toEqual({
        podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'relay' } },
        policyTypes: ['Ingress', 'Egress'],
      });
      expect(JSON.parse(find(manifests, 'Deployment', 'relay').metadata.annotations[SUPPRESS])).toContainEqual({
        tool: 'polaris', check: 'missingNetworkPolicy',
        reason: 'a worker is never called: it has no Service and its NetworkPolicy admits no ingress; this worker calls nothing, so its NetworkPolicy allows no egress (DNS comes from the context\'s policy)',
      });
    });
  });

  test('a fixed single replica is an autoscaler holding 1 (min = max), never spec.replicas', () => {
    const { context } = setup();

    new Worker(context, 'relay', props({ replicas: 1 }));

    const manifests = objects(context);
    expect(find(manifests, 'Deployment', 'relay').spec).not.toHaveProperty('replicas');
    expect(find(manifests, 'HorizontalPodAutoscaler', 'relay').spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'relay' }, minReplicas: 1, maxReplicas: 1,
    });
  });

  test('probes by TCP or gRPC on ports that no Service exposes', () => {
    const { context } = setup();

    const w = new Worker(context, 'relay', props({ ports: [Port.grpc(9090), Port.tcp(9100, { name: 'metrics' })], readiness: Probe.grpc(), liveness: Probe.tcp({ port: 'metrics' }) }));

    expect(w.ports.map(p => p.name)).toEqual(['grpc', 'metrics']);
    const manifests = objects(context);
    const c = find(manifests, 'Deployment', 'relay').spec.template.spec.containers[0];
    expect(c.readinessProbe.grpc).toEqual({ port: 9090 });
    expect(c.livenessProbe.tcpSocket).toEqual({ port: 'metrics' });
    expect(manifests.filter(m => m.kind === 'Service')).toEqual([]);
  });

  test('withoutProbes suppresses the probe checks with the reason', () => {
    const { context } = setup();

    new Worker(context, 'loadgen', props({ readiness: undefined, liveness: undefined, withoutProbes: 'a load generator: a crash restarts it' }));

    const d = find(objects(context), 'Deployment', 'loadgen');
    expect(d.metadata.annotations['cdk8s-microservices.io/without-probes']).toEqual('a load generator: a crash restarts it');
    expect(d.metadata.annotations['ignore-check.kube-linter.io/no-readiness-probe']).toEqual('runs without probes: a load generator: a crash restarts it');
  });

  test('connectTo a microservice renders egress and hands over the URL', () => {
    const { context } = setup();
    const notifications = microservice(context, 'notifications');
    const relay = new Worker(context, 'relay', props());

    const connection = relay.connectTo(notifications);

    expect(connection.caller).toBe(relay);
    expect(relay.calls).toEqual([connection]);
    expect(notifications.callers).toEqual([connection]);
    const manifests = objects(context);
    expect(resolvedEnv(manifests, find(manifests, 'Deployment', 'relay'))).toEqual([{ name: 'NOTIFICATIONS_URL', value: 'http://notifications.catalog.svc.cluster.local:8080' }]);
    expect(find(manifests, 'NetworkPolicy', 'relay').spec.egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'catalog' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'notifications', 'app.kubernetes.io/instance': 'notifications' } } }],
      ports: [{ protocol: 'TCP', port: 8080 }],
    }]);
    expect(find(manifests, 'NetworkPolicy', 'notifications').spec.ingress).toHaveLength(1);
  });

  test('is a workload of the context, not one of its services', () => {
    const { context } = setup();

    const relay = new Worker(context, 'relay', props());

    expect(Workload.all(context)).toEqual([relay]);
    expect(Microservice.all(context)).toEqual([]);
  });

  test('the quota check counts its pods', () => {
    const { context } = setup({ quota: { pods: 4 } });

    new Worker(context, 'relay', props());

    expect(() => objects(context)).toThrow(/'quota\.pods' \('4'\) is below the pods the context's services need at maximum scale during a rolling update \(relay 6 pods x 1 = 6\)/);
  });

  test('fails when a caller connects to it', () => {
    const { context } = setup();
    const api = microservice(context, 'api');
    const relay = new Worker(context, 'relay', props({ ports: [Port.tcp(9100)], readiness: Probe.tcp(), liveness: Probe.exec(['/app/alive']) }));

    expect(() => api.connectTo(relay as unknown as Microservice))
      .toThrow(/^catalog\/api: 'connectTo\(callee\)' \('catalog\/relay'\) must be a workload that serves calls \(a Microservice or a StatefulService\); a Worker, Job or CronJob has no Service and admits no traffic; call a Microservice, or let the worker take its work from a queue or store it connects to$/);
    expect(relay.connections.callers).toEqual([]);
  });

  test('fails when a gateway routes to it', () => {
    const { app, platform, context } = setup();
    const relay = new Worker(context, 'relay', props({ ports: [Port.http(8080)], readiness: Probe.http('/ready'), liveness: Probe.http('/live') }));
    const gateway = new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });

    expect(() => gateway.addRoute({ host: 'api.example.com', service: relay as unknown as Microservice }))
      .toThrow(/^public: 'addRoute\(service\)' \('catalog\/relay'\) must be a Microservice; pass the Microservice object, or look it up with Microservice.find\(platform, context, name\)$/);
  });

  test('fails when it has no probes and no reason', () => {
    const { context } = setup();

    expect(() => new Worker(context, 'relay', props({ readiness: undefined, liveness: undefined })))
      .toThrow(/^catalog\/relay: 'readiness' \(undefined\) must be set: a worker needs readiness and liveness probes/);
  });

  test('fails when given HPA options with a fixed count', () => {
    const { context } = setup();

    expect(() => new Worker(context, 'relay', props({ replicas: 1, maxReplicas: 2 })))
      .toThrow(/^catalog\/relay: 'maxReplicas' \(2\) must not be set together with 'replicas' \(1\)/);
  });

  test('fails when its name is taken by another workload', () => {
    const { context } = setup();
    microservice(context, 'relay');

    expect(() => new Worker(context, 'relay', props()))
      .toThrow(/^catalog\/relay: 'id' \('relay'\) must be unique in bounded context 'catalog', but a service of that name exists already; rename one of the two$/);
  });

  test('a preStop delay can still be given', () => {
    const { context } = setup();

    new Worker(context, 'relay', props({ preStopDelay: Duration.seconds(3) }));

    expect(find(objects(context), 'Deployment', 'relay').spec.template.spec.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 3 } } });
  });
});
