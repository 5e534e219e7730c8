import { Duration } from 'cdk8s';
import {
  BackingService, BoundedContext, CronJob, CronSchedule, DiagramRenderer, GatewayTls, Image, IngressGateway, Job, Microservice, Platform,
  Probe, RemoteRef, SecretSource, SecretStore, StatefulService, Worker, Workload, callEdgeId, portLabel, workloadNodeId,
} from '../../lib';
import { composition } from '../release/_release';
import { storeProps } from '../_helpers';

/** A sealed value of the shape kubeseal prints (a 4096-bit key's session key). */
const SEALED = Buffer.concat([Buffer.from([0x02, 0x00]), Buffer.alloc(512, 7), Buffer.alloc(40, 9)]).toString('base64');

let renderer: Promise<DiagramRenderer> | undefined;
/** Graphviz, loaded once per test file. */
export function viz(): Promise<DiagramRenderer> {
  renderer ??= DiagramRenderer.load();
  return renderer;
}

/**
 * A platform with every kind the diagram draws: the four releases of the release
 * tests (a service per strategy, a call from another context, an ApiGateway), plus a
 * worker run as a singleton, a store with an owner that calls it and one that does not,
 * a Job, a CronJob, secrets from each source, backing services (one shared by two
 * contexts) and an IngressGateway.
 */
export function everyKind(): { platform: Platform } {
  const { catalog, shop, products } = composition();
  const platform = catalog.platform;
  const relay = new Worker(shop, 'relay', { image: Image.fromTag('ghcr.io/acme/relay', '1.2.0'), readiness: Probe.exec(['/app/ready']),
    liveness: Probe.exec(['/app/alive']), replicas: 1 });
  const orders = Microservice.all(shop).find(s => s.name === 'orders')!;
  relay.connectTo(orders);
  const store = new StatefulService(catalog, 'products-cache', storeProps([products, Microservice.all(catalog).find(s => s.name === 'search')!]));
  products.connectTo(store);
  const migrate = new Job(shop, 'migrate', { image: Image.fromTag('ghcr.io/acme/orders', '1.0.0'), activeDeadline: Duration.minutes(5) });
  const purge = new CronJob(shop, 'purge', { image: Image.fromTag('ghcr.io/acme/orders', '1.0.0'), schedule: CronSchedule.DAILY });
  const db = BackingService.fromUrl('postgresql://orders-db.internal:5432/orders?sslmode=verify-full', { cidrs: ['10.20.0.0/16'] });
  for (const w of [orders, migrate, purge]) w.addBackingService('DATABASE_URL', db);
  const shared = BackingService.fromUrl('https://partner.example/api', { cidrs: ['203.0.113.0/24'] });
  orders.addBackingService('PARTNER_URL', shared);
  products.addBackingService('PARTNER_URL', shared);
  orders.addSecret('db', SecretSource.fromExternalSecret({ store: SecretStore.cluster('vault'), data: { password: RemoteRef.of('orders/db') } }));
  products.addSecret('signing', SecretSource.fromSealedSecret({ encryptedData: { key: SEALED } }));
  migrate.addSecret('legacy', SecretSource.fromSecretName('legacy-credentials', ['token']));
  const app = platform.node.scope!;
  const legacy = new IngressGateway(app, 'legacy', { platform, hosts: ['legacy.example.com'], tls: GatewayTls.fromSecret('legacy-tls') });
  legacy.addRoute({ host: 'legacy.example.com', path: '/orders', service: orders });
  return { platform };
}

/** What the model holds, walked from the constructs: the workloads and the declared calls, as the diagram must show them. */
export function modelOf(platform: Platform): { workloads: Set<string>; calls: Map<string, { from: string; to: string; port: string }> } {
  const workloads = new Set<string>();
  const calls = new Map<string, { from: string; to: string; port: string }>();
  for (const context of BoundedContext.all(platform)) {
    for (const w of Workload.all(context)) {
      workloads.add(workloadNodeId(w));
      for (const c of w.connections.calls) {
        calls.set(callEdgeId(c), { from: workloadNodeId(c.caller), to: workloadNodeId(c.callee), port: portLabel(c.port) });
      }
    }
  }
  return { workloads, calls };
}

/** A Mermaid entity code back to its character (`#quot;` is '"', `#35;` is '#'). */
export function unMermaid(text: string): string {
  return text.replace(/#(quot|lt|gt|amp|\d+);/g, (_, code: string) =>
    ({ quot: '"', lt: '<', gt: '>', amp: '&' } as { [k: string]: string })[code] ?? String.fromCodePoint(Number(code)));
}

/** The nodes and edges of a Mermaid flowchart as this library writes it, parsed back. */
export function parseMermaid(text: string): { nodes: Map<string, { shape: string; label: string }>; edges: Array<{ from: string; arrow: string; label: string; to: string }> } {
  const nodes = new Map<string, { shape: string; label: string }>();
  const edges: Array<{ from: string; arrow: string; label: string; to: string }> = [];
  for (const line of text.split('\n')) {
    const edge = /^\s+(\w+) (-->|---|==>|-\.->|-\.-)\|"([^"]*)"\| (\w+)$/.exec(line);
    if (edge) {
      edges.push({ from: edge[1], arrow: edge[2], label: unMermaid(edge[3]), to: edge[4] });
      continue;
    }
    const node = /^\s+(\w+)(\[\[|\[\(|\[\/|\(\[|\(\(|\{\{|\[|\(|>)"([^"]*)"(\]\]|\)\]|\/\]|\]\)|\)\)|\}\}|\]|\))$/.exec(line);
    if (node) {
      nodes.set(node[1], { shape: node[2], label: unMermaid(node[3]) });
    }
  }
  return { nodes, edges };
}

/** An SVG's `&lt;` and friends back to characters. */
export function unXml(text: string): string {
  return text.replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n))).replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, '\'').replace(/&amp;/g, '&');
}

/** The nodes and edges of an SVG Graphviz wrote, by the ids the DOT gave them, with each edge's ends (from its title). */
export function parseSvg(svg: string): { nodes: Set<string>; edges: Map<string, { from: string; to: string }> } {
  const nodes = new Set<string>();
  const edges = new Map<string, { from: string; to: string }>();
  for (const m of svg.matchAll(/<g id="([^"]+)" class="(node|edge)">\s*<title>([^<]*)<\/title>/g)) {
    if (m[2] === 'node') {
      nodes.add(m[1]);
    } else {
      const [from, to] = unXml(m[3]).split('->');
      edges.set(m[1], { from, to });
    }
  }
  return { nodes, edges };
}
