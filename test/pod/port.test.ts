import { Image, Microservice, MicroserviceProps, Port, PortProtocol, Probe } from '../../lib';
import { find, objects, setup } from '../_helpers';

/** Builds a microservice with `ports`, probed by TCP on the first one. */
function service(ports: Port[], overrides: Partial<MicroserviceProps> = {}) {
  const { context } = setup();
  const products = new Microservice(context, 'products', {
    image: Image.fromTag('ghcr.io/acme/products', '1.8.2'),
    ports,
    readiness: Probe.exec(['/app/ready']),
    liveness: Probe.exec(['/app/live']),
    ...overrides,
  });
  return { context, products };
}

describe('Port', () => {
  test.each([
    ['http', Port.http(8080), 8080, PortProtocol.HTTP],
    ['grpc', Port.grpc(9090), 9090, PortProtocol.GRPC],
    ['tcp', Port.tcp(6379), 6379, PortProtocol.TCP],
  ])('%s ports are named after their protocol and exposed on the container port', (name, port, number, protocol) => {
    expect({ name: port.name, containerPort: port.containerPort, servicePort: port.servicePort, protocol: port.protocol })
      .toEqual({ name, containerPort: number, servicePort: number, protocol });
  });

  test('takes the name and service port given', () => {
    const port = Port.grpc(9090, { name: 'grpc-api', servicePort: 443 });

    expect({ name: port.name, containerPort: port.containerPort, servicePort: port.servicePort }).toEqual({ name: 'grpc-api', containerPort: 9090, servicePort: 443 });
  });

  test('protocols name the appProtocol and the URL scheme', () => {
    expect([PortProtocol.HTTP, PortProtocol.GRPC, PortProtocol.TCP].map(p => [p.name, p.scheme, p.appProtocol]))
      .toEqual([['http', 'http', 'http'], ['grpc', 'grpc', 'grpc'], ['tcp', 'tcp', undefined]]);
  });

  test('renders container ports and Service ports', () => {
    const { context, products } = service([Port.http(8080, { servicePort: 80 }), Port.tcp(6379, { name: 'redis' })]);

    expect(products.ports.map(p => [p.name, p.containerPort, p.servicePort])).toEqual([['http', 8080, 80], ['redis', 6379, 6379]]);
    const manifests = objects(context);
    expect(find(manifests, 'Deployment', 'products').spec.template.spec.containers[0].ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'redis', containerPort: 6379, protocol: 'TCP' },
    ]);
    expect(find(manifests, 'Service', 'products').spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
      { name: 'redis', port: 6379, targetPort: 'redis', protocol: 'TCP' },
    ]);
  });

  test('accepts a 15-character name and the edges of the port range', () => {
    const { products } = service([Port.http(1, { name: 'a23456789012345', servicePort: 65535 }), Port.tcp(65535, { servicePort: 1 })]);

    expect(products.ports.map(p => p.name)).toEqual(['a23456789012345', 'tcp']);
  });

  test.each([
    ['longer than 15 characters', 'a234567890123456'],
    ['upper-case', 'HTTP'],
    ['without a letter', '8080'],
    ['with a double dash', 'grpc--api'],
    ['starting with a dash', '-http'],
    ['ending with a dash', 'http-'],
    ['with an underscore', 'grpc_api'],
    ['empty', ''],
  ])('fails when a port name is %s', (_case, name) => {
    expect(() => service([Port.http(8080, { name })]))
      .toThrow(new RegExp(`^catalog/products: 'ports\\[\\]\\.name' \\('${name}'\\) must be an IANA service name: at most 15 lower-case letters, digits and '-', with at least one letter, no '--' and no '-' at either end; rename the port, for example 'http' or 'grpc-api'$`));
  });

  test.each([0, 65536, 8080.5, -1])('fails when the container port is %d', containerPort => {
    expect(() => service([Port.http(containerPort)]))
      .toThrow(new RegExp(`^catalog/products: 'ports\\[http\\]\\.containerPort' \\(${containerPort}\\) must be a whole number between 1 and 65535; use a port from 1 to 65535 \\(above 1024: the container runs as non-root\\)$`));
  });

  test.each([0, 65536])('fails when the service port is %d', servicePort => {
    expect(() => service([Port.grpc(9090, { servicePort })]))
      .toThrow(new RegExp(`^catalog/products: 'ports\\[grpc\\]\\.servicePort' \\(${servicePort}\\) must be a whole number between 1 and 65535; use a port from 1 to 65535$`));
  });

  test('fails when two ports share a name', () => {
    expect(() => service([Port.http(8080), Port.http(8081)]))
      .toThrow(/^catalog\/products: 'ports\[\]\.name' \('http'\) must be unique, but ports 'http' and 'http' share it; give each port its own name$/);
  });

  test('fails when two ports share a container port', () => {
    expect(() => service([Port.http(8080), Port.grpc(8080, { servicePort: 443 })]))
      .toThrow(/^catalog\/products: 'ports\[\]\.containerPort' \(8080\) must be unique, but ports 'http' and 'grpc' share it; give each port its own containerPort$/);
  });

  test('fails when two ports share a service port', () => {
    expect(() => service([Port.http(8080, { servicePort: 80 }), Port.grpc(9090, { servicePort: 80 })]))
      .toThrow(/^catalog\/products: 'ports\[\]\.servicePort' \(80\) must be unique, but ports 'http' and 'grpc' share it; give each port its own servicePort$/);
  });

  test('allows a service port that is another port\'s container port', () => {
    const { products } = service([Port.http(8080, { servicePort: 9090 }), Port.grpc(9090, { servicePort: 8080 })]);

    expect(products.ports.map(p => [p.containerPort, p.servicePort])).toEqual([[8080, 9090], [9090, 8080]]);
  });
});
