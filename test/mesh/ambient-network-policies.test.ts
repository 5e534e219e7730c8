/**
 * Ambient mode's NetworkPolicies (issue 24): ztunnel carries calls over HBONE (15008),
 * so the gateway's and the metrics' policies admit it beside their own port, and the
 * kubelet's probes, which Istio's CNI node agent sends from 169.254.7.127, are admitted
 * in every bounded context. Sidecar mode and no mesh render neither.
 */
import { ApiGateway, BoundedContext, ErrorCode, GatewayTls, IngressGateway, IstioMode, PlatformMonitoring, PolicyPack, Port, ServiceMesh, WorkloadMetrics, formatViolation } from '../../lib';
import { find, microservice, objects, setup, thrown } from '../_helpers';

const tcp = (...ports: number[]) => ports.map(port => ({ protocol: 'TCP', port }));

/** A platform in `mode` (none: no mesh) with a service routed by both gateways and scraped by Prometheus. */
function platformIn(mode: IstioMode | undefined) {
  const { app, platform, context } = setup({}, mode ? { mesh: ServiceMesh.istio({ mode }) } : {});
  new PlatformMonitoring(platform, 'monitoring');
  const api = microservice(context, 'api', { ports: [Port.http(8080), Port.http(9464, { name: 'metrics' })] });
  new WorkloadMetrics(api, 'metrics', { port: 'metrics' });
  const gateway = new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });
  gateway.addRoute({ host: 'api.example.com', path: '/v1', service: api });
  const legacy = new IngressGateway(app, 'legacy', { platform, hosts: ['legacy.example.com'], tls: GatewayTls.fromSecret('legacy-tls') });
  legacy.addRoute({ host: 'legacy.example.com', path: '/', service: api });
  const all = [...objects(context), ...objects(gateway), ...objects(legacy)];
  const policies = all.filter(o => o.kind === 'NetworkPolicy' && o.metadata.namespace === 'catalog');
  return { app, platform, context, all, policies };
}

/** The ports of the one ingress rule of the NetworkPolicies that admit the gateways and Prometheus. */
function admitted(policies: ReturnType<typeof platformIn>['policies']) {
  const ports = (name: string) => {
    const p = policies.filter(o => o.metadata.name === name);
    expect(p).toHaveLength(1);
    expect(p[0].spec.ingress).toHaveLength(1);
    return p[0].spec.ingress[0].ports;
  };
  // the ApiGateway's and the IngressGateway's, both routing 8080
  return { gateways: [ports('api-from-public'), ports('api-from-legacy')], metrics: ports('api-metrics') };
}

describe('ambient mode: the gateway\'s and the metrics\' NetworkPolicies admit HBONE', () => {
  test('ambient: 15008 beside the routed port and the metrics port, from the same peers', () => {
    const { policies } = platformIn(IstioMode.AMBIENT);
    const { gateways, metrics } = admitted(policies);
    expect(gateways).toEqual([tcp(8080, 15008), tcp(8080, 15008)]);
    expect(metrics).toEqual(tcp(9464, 15008));
  });

  test.each([['sidecar mode', IstioMode.SIDECAR], ['no mesh', undefined]])('%s: the port alone', (_name, mode) => {
    const { policies } = platformIn(mode);
    const { gateways, metrics } = admitted(policies);
    expect(gateways).toEqual([tcp(8080), tcp(8080)]);
    expect(metrics).toEqual(tcp(9464));
  });
});

describe('ambient mode: the kubelet\'s probes', () => {
  test('every context admits 169.254.7.127/32, and that address only, to every pod', () => {
    const { app, platform, context } = setup({}, { mesh: ServiceMesh.istio({ mode: IstioMode.AMBIENT }) });
    const orders = new BoundedContext(app, 'orders', { platform, team: 'orders-team' });
    for (const c of [context, orders]) {
      const probes = find(objects(c), 'NetworkPolicy', 'allow-kubelet-probes');
      expect(probes).toMatchObject({ apiVersion: 'networking.k8s.io/v1', metadata: { namespace: c.namespaceName } });
      expect(probes.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '169.254.7.127/32' } }] }] });
    }
  });

  test.each([['sidecar mode', IstioMode.SIDECAR], ['no mesh', undefined]])('%s: no probe policy', (_name, mode) => {
    const { context } = setup({}, mode ? { mesh: ServiceMesh.istio({ mode }) } : {});
    const out = objects(context);
    expect(out.filter(o => o.kind === 'NetworkPolicy' && o.metadata.name === 'allow-kubelet-probes')).toEqual([]);
    expect(out.filter(o => JSON.stringify(o).includes('169.254.7.127'))).toEqual([]);
  });

  test('the policy pack accepts ambient mode\'s output', () => {
    const { all } = platformIn(IstioMode.AMBIENT);
    expect(all.some(o => o.metadata?.name === 'allow-kubelet-probes')).toBe(true);
    expect(new PolicyPack().check(all).violations.map(formatViolation)).toEqual([]);
  });

  test('a workload named after the probe policy is refused at synth in ambient mode', () => {
    const { context } = setup({}, { mesh: ServiceMesh.istio({ mode: IstioMode.AMBIENT }) });
    microservice(context, 'allow-kubelet-probes');
    const err = thrown(() => objects(context));
    expect(err.code).toBe(ErrorCode.RESERVED_NAME);
    expect(err.message).toContain("the context's NetworkPolicy that admits the kubelet's probes has that name");
  });
});
