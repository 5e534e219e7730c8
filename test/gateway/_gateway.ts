import { ApiGateway, ApiGatewayProps, BoundedContext, GatewayTls, Image, Microservice, PlatformProps, Port, Probe } from '../../lib';
import { setup } from '../_helpers';

/** A microservice a gateway routes to: pinned image, `ports` (one HTTP port by default), TCP readiness, exec liveness. */
export function service(context: BoundedContext, id: string, ports: Port[] = [Port.http(8080)]): Microservice {
  return new Microservice(context, id, { image: Image.fromTag(`ghcr.io/acme/${id}`, '1.0.0'), ports, readiness: Probe.tcp(), liveness: Probe.exec(['true']) });
}

/** A platform 'shop' (with `platformProps`) with context 'catalog' (service 'products') and an ApiGateway 'public' for api.example.com. */
export function buildApiGateway(props: Partial<ApiGatewayProps> = {}, platformProps: PlatformProps = {}) {
  const { app, platform, context } = setup({}, platformProps);
  const products = service(context, 'products');
  const gateway = new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls'), ...props });
  return { app, platform, context, products, gateway };
}
