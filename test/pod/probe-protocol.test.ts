import { Port, Probe } from '../../lib';
import { find, microservice, objects, setup } from '../_helpers';

describe('probe and port protocol', () => {
  test('fails when an HTTP probe has only gRPC ports to default to (it used to take the first)', () => {
    const { context } = setup();
    expect(() => microservice(context, 'products', { ports: [Port.grpc(9090)], readiness: Probe.http('/ready'), liveness: Probe.grpc() }))
      .toThrow(/^catalog\/products: 'readiness\.port' \(undefined\) must name a port that answers an HTTP probe, and the service has only gRPC ports \('grpc'\), which never answer an HTTP GET; probe the gRPC port with Probe\.grpc\(\{ port: 'grpc' \}\) \(the gRPC health protocol\), or point the HTTP probe at an HTTP port$/);
  });

  test('fails when an HTTP probe names a gRPC port, or a gRPC probe an HTTP port', () => {
    const { context } = setup();
    const ports = [Port.http(8080), Port.grpc(9090)];
    expect(() => microservice(context, 'products', { ports, readiness: Probe.http('/ready', { port: 'grpc' }) }))
      .toThrow(/^catalog\/products: 'readiness\.port' \('grpc'\) must be a port that answers an HTTP probe, but it is a gRPC port: the probe would fail on every pod; probe the gRPC port with Probe\.grpc\(\{ port: 'grpc' \}\)/);
    expect(() => microservice(context, 'orders', { ports, liveness: Probe.grpc({ port: 'http' }) }))
      .toThrow(/^catalog\/orders: 'liveness\.port' \('http'\) must be a port that answers a gRPC probe, but it is an HTTP port: the probe would fail on every pod; probe the HTTP port with Probe\.http\(path, \{ port: 'http' \}\) or Probe\.tcp\(\{ port: 'http' \}\), or point the gRPC probe at a gRPC port$/);
  });

  test('an HTTP probe defaults past a gRPC port to the HTTP one, or to a plain TCP port; TCP probes go anywhere', () => {
    const { context } = setup();
    microservice(context, 'products', { ports: [Port.grpc(9090), Port.http(8080)], readiness: Probe.http('/ready'), liveness: Probe.tcp({ port: 'grpc' }) });
    microservice(context, 'orders', { ports: [Port.grpc(9090), Port.tcp(8081, { name: 'admin' })], readiness: Probe.http('/ready'), liveness: Probe.grpc() });
    const manifests = objects(context);

    const products = find(manifests, 'Deployment', 'products').spec.template.spec.containers[0];
    expect(products.readinessProbe.httpGet.port).toEqual('http');
    expect(products.livenessProbe.tcpSocket.port).toEqual('grpc');
    const orders = find(manifests, 'Deployment', 'orders').spec.template.spec.containers[0];
    expect(orders.readinessProbe.httpGet.port).toEqual('admin');
    expect(orders.livenessProbe.grpc.port).toEqual(9090);
  });
});
