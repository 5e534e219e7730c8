import { ApiGateway, GatewayTls, IRelease, Image, Microservice, MicroserviceProps, Port, Probe } from '../../lib';
import { Manifest, objects, setup } from '../_helpers';

/** The stable image of 'products' and the new version's. */
export const STABLE = Image.fromTag('ghcr.io/acme/products', '1.8.2');
export const NEXT = Image.fromTag('ghcr.io/acme/products', '1.9.0');

/**
 * A platform 'shop' with context 'catalog', service 'products' (an HTTP port and a gRPC
 * port, 2..4 replicas) running `release`, routed by an ApiGateway 'public' unless
 * `routed` is false.
 */
export function buildRelease(release: IRelease | undefined, options: { routed?: boolean; props?: Partial<MicroserviceProps>; contextProps?: object } = {}) {
  const { app, platform, context } = setup(options.contextProps ?? {});
  const products = new Microservice(context, 'products', {
    image: STABLE, ports: [Port.http(8080), Port.grpc(9090)], readiness: Probe.http('/ready'), liveness: Probe.http('/live'),
    release, ...options.props,
  });
  const gateway = new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });
  if (options.routed !== false) {
    gateway.addRoute({ host: 'api.example.com', path: '/products', service: products });
    gateway.addGrpcRoute({ host: 'api.example.com', service: products, port: 'grpc' });
  }
  return { app, platform, context, products, gateway };
}

/** Everything the context and the gateway render. */
export function rendered(b: ReturnType<typeof buildRelease>): Manifest[] {
  return [...objects(b.context), ...objects(b.gateway)];
}
