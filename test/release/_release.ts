import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { ApiGateway, BoundedContext, Colour, ConfigurationErrors, GatewayTls, IRelease, IdleScale, Image, Microservice, MicroserviceProps, Port, PreviousOutput, Probe, Release, VariantMatch } from '../../lib';
import { _checkSafeChange } from '../../lib/change/safe-change';
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

/** One service per strategy in a context, called by a service of another context, all routed by one gateway. */
export function composition() {
  // the tracks count at their maximum: more than the default quota holds
  const { app, platform, context: catalog } = setup({ quota: { cpuLimits: Cpu.units(32), pods: 64 } });
  const shop = new BoundedContext(app, 'ordering', { platform, team: 'ordering-team' });
  const service = (ctx: BoundedContext, id: string, version: string, release?: IRelease) =>
    new Microservice(ctx, id, {
      image: Image.fromTag(`ghcr.io/acme/${id}`, version), ports: [Port.http(8080)],
      readiness: Probe.http('/ready'), liveness: Probe.http('/live'), env: { LOG_LEVEL: 'info' }, release,
    });
  const next = (id: string) => Image.fromTag(`ghcr.io/acme/${id}`, '2.0.0');
  const products = service(catalog, 'products', '1.8.2', Release.canary({ image: next('products'), weight: 10, minReplicas: 1, maxReplicas: 2 }));
  const reviews = service(catalog, 'reviews', '1.4.0', Release.blueGreen({ image: next('reviews'), active: Colour.GREEN }));
  const search = service(catalog, 'search', '3.1.0', Release.abTest({ image: next('search'), matches: [VariantMatch.header('X-Search-Variant', 'b')] }));
  const pricing = service(catalog, 'pricing', '0.9.0', Release.shadow({ image: next('pricing'), percent: 20, mirrorsWritesReason: 'pricing is read-only' }));
  const idle = service(catalog, 'inventory', '5.0.0', Release.blueGreen({ image: next('inventory'), active: Colour.BLUE, idle: IdleScale.ZERO }));
  const orders = service(shop, 'orders', '1.0.0');
  orders.connectTo(products);
  const gateway = new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });
  for (const s of [products, reviews, search, pricing]) {
    gateway.addRoute({ host: 'api.example.com', path: `/${s.name}`, service: s });
  }
  return { catalog, shop, gateway, products, idle };
}

/** The output of 'products' running `image` with `release`. */
export function step(release: IRelease | undefined, image: Image = STABLE): Manifest[] {
  return rendered(buildRelease(release, { props: { image } }));
}

/** The refusals of the safe-change check when `after` follows `before` ([] when it lets the change through). */
export function refused(before: Manifest[], after: Manifest[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'release-step-'));
  Yaml.save(path.join(dir, 'before.yaml'), before);
  try {
    _checkSafeChange({ files: [{ file: 'after.yaml', docs: after, onePerResource: false }], pathOf: () => undefined,
      previous: PreviousOutput.fromDirectory(dir), acknowledgements: [], extension: '.yaml', log: () => undefined });
    return [];
  } catch (e) {
    return (e as ConfigurationErrors).errors.map(x => x.prop);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
