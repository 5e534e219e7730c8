import { App } from 'cdk8s';
import { ENVIRONMENTS, PROD, buildSalesPlatform } from '../../charts';
import {
  BoundedContext, DiagramEdgeKind, DiagramGraph, DiagramNodeKind, Platform, Workload, diagramId, dotText, mermaidText, platformDiagram, renderDot, renderMermaid,
} from '../../lib';
import { everyKind, modelOf, parseMermaid, parseSvg, unMermaid, unXml, viz } from './_diagram';

/** The reference platform of one environment, built in-process. */
function reference(env = PROD): Platform {
  return buildSalesPlatform(new App(), env).platform;
}

const platforms: Array<[string, () => Platform]> = [
  ['the reference platform (prod)', () => reference()],
  ['the reference platform (dev)', () => reference(ENVIRONMENTS[0])],
  ['a platform with every kind', () => everyKind().platform],
];

describe.each(platforms)('the diagram of %s', (_name, build) => {
  let platform: Platform;
  let graph: DiagramGraph;
  beforeAll(() => {
    platform = build();
    graph = platformDiagram(platform);
  });

  test('the Mermaid text shows every workload and every declared call of the model, and no other workload or call', () => {
    const model = modelOf(platform);
    const { nodes, edges } = parseMermaid(renderMermaid(graph));
    expect(new Set([...nodes.keys()].filter(id => id.startsWith('wl_')))).toEqual(model.workloads);
    // a call is an arrow between two workloads; the other arrows between workloads are owners that declared no call to their store
    const calls = edges.filter(e => e.arrow === '-->');
    expect(calls.map(e => `${e.from} ${e.to} ${e.label.split(' ')[0]}`).sort())
      .toEqual([...model.calls.values()].map(c => `${c.from} ${c.to} ${c.port}`).sort());
    expect(edges.filter(e => e.arrow !== '-->' && e.from.startsWith('wl_') && e.to.startsWith('wl_')).every(e => e.arrow === '---' || e.to.startsWith('track_'))).toBe(true);
    // every node is drawn once, and every edge joins two drawn nodes
    expect(nodes.size).toBe(graph.nodes.length);
    for (const e of edges) {
      expect(nodes.has(e.from) && nodes.has(e.to)).toBe(true);
    }
  });

  test('the SVG shows every workload and every declared call of the model, and no other workload or call', async () => {
    const model = modelOf(platform);
    const { nodes, edges } = parseSvg((await viz()).svg(renderDot(graph)));
    expect(new Set([...nodes].filter(id => id.startsWith('wl_')))).toEqual(model.workloads);
    const calls = [...edges].filter(([id]) => id.startsWith('call_'));
    expect(new Set(calls.map(([id]) => id))).toEqual(new Set(model.calls.keys()));
    for (const [id, ends] of calls) {
      expect(ends).toEqual({ from: model.calls.get(id)!.from, to: model.calls.get(id)!.to });
    }
    expect(nodes.size).toBe(graph.nodes.length);
    expect(edges.size).toBe(graph.edges.length);
  });

  test('the other nodes are the model\'s too: each secret, release track, gateway and backing service once', () => {
    const count = (kind: DiagramNodeKind) => graph.nodes.filter(n => n.kind === kind).length;
    const workloads = BoundedContext.all(platform).flatMap(c => Workload.all(c));
    expect(count(DiagramNodeKind.SECRET_SOURCE)).toBe(workloads.reduce((n, w) => n + w.configuration.secrets.length, 0));
    const urls = new Set(workloads.flatMap(w => Object.values(w.connections.backingServices).map(b => new URL(b.url).hostname)));
    expect(graph.nodes.filter(n => n.kind === DiagramNodeKind.BACKING_SERVICE).map(n => n.name.replace(/:\d+$/, '')).sort()).toEqual([...urls].sort());
  });
});

describe('the reference platform\'s diagram', () => {
  const graph = platformDiagram(reference());
  const mermaid = renderMermaid(graph);
  const { nodes, edges } = parseMermaid(mermaid);
  const id = (ns: string, name: string) => diagramId('wl', ns, name);

  test('groups the workloads by bounded context, named by namespace and team, left to right', () => {
    expect(mermaid.split('\n')[0]).toBe('flowchart LR');
    expect(graph.groups.map(g => `${g.namespace} ${g.team}`)).toEqual(['accounts accounts-team', 'catalog catalog-team', 'orders orders-team']);
    expect(mermaid).toContain('  subgraph ctx_orders["orders #40;orders-team#41;"]');
    expect(graph.nodes.find(n => n.id === id('orders', 'payments'))!.group).toBe('ctx_orders');
  });

  test('draws each kind in its shape, the kind on its second line', () => {
    expect(nodes.get(id('orders', 'orders'))).toEqual({ shape: '[', label: 'orders<br/>Microservice' });
    expect(nodes.get(id('orders', 'outbox-relay'))).toEqual({ shape: '[[', label: 'outbox-relay<br/>Worker, singleton' });
    expect(nodes.get(id('catalog', 'products-cache'))).toEqual({ shape: '[(', label: 'products-cache<br/>StatefulService' });
    expect(nodes.get(id('orders', 'orders-migrate'))).toEqual({ shape: '[/', label: 'orders-migrate<br/>Job' });
    expect(nodes.get(id('accounts', 'session-cleanup'))).toEqual({ shape: '{{', label: 'session-cleanup<br/>CronJob' });
    expect(nodes.get('gw_gateway')).toEqual({ shape: '([', label: 'gateway<br/>ApiGateway' });
    expect(nodes.get('clients')).toEqual({ shape: '((', label: 'clients<br/>outside the cluster' });
  });

  test('labels calls with port and protocol, routes with host and path, and shows stores, secrets, backing services and tracks', () => {
    const edge = (from: string, to: string) => edges.filter(e => e.from === from && e.to === to).map(e => `${e.arrow} ${e.label}`);
    expect(edge(id('orders', 'orders'), id('accounts', 'auth'))).toEqual(['--> 9090/grpc']);
    expect(edge(id('catalog', 'products'), id('catalog', 'products-cache'))).toEqual(['--> 6379/tcp (owner)']);
    expect(edge('clients', 'gw_gateway')).toEqual(['==> https api.sales.example.com']);
    expect(edge('gw_gateway', id('orders', 'orders'))).toEqual(['==> api.sales.example.com/orders to 8080/http']);
    expect(edge(diagramId('sec', 'orders', 'orders', 'db'), id('orders', 'orders'))).toEqual(['-.-> /var/run/secrets/db']);
    expect(nodes.get(diagramId('sec', 'orders', 'orders', 'db'))!.label).toBe('orders-db<br/>ExternalSecret from ClusterSecretStore vault');
    expect(nodes.get(diagramId('sec', 'accounts', 'auth', 'signing-key'))!.label).toBe('auth-signing-key<br/>SealedSecret');
    expect(edge(id('catalog', 'products'), diagramId('track', 'catalog', 'products', 'canary'))).toEqual(['-.- 10% of routed requests']);
    expect(nodes.get(diagramId('track', 'catalog', 'products', 'canary'))!.label).toBe('products-canary<br/>canary 1.9.0');
    // the orders database, used by three workloads of orders, is one node in that context
    const db = graph.nodes.find(n => n.name === 'orders-db.orders.sales.internal:5432')!;
    expect(db).toMatchObject({ kind: DiagramNodeKind.BACKING_SERVICE, group: 'ctx_orders' });
    expect(graph.edges.filter(e => e.to === db.id).map(e => `${e.from} ${e.label}`).sort()).toEqual([
      `${id('orders', 'orders')} 5432/postgresql`, `${id('orders', 'orders-migrate')} 5432/postgresql`, `${id('orders', 'outbox-relay')} 5432/postgresql`]);
  });

  test('lays the SVG out left to right with the clients first and one cluster per context', () => {
    const dot = renderDot(graph);
    expect(dot).toContain('rankdir=LR');
    expect(dot).toContain('{ rank=min; clients; }');
    expect(dot.match(/subgraph cluster_/g)).toHaveLength(3);
  });
});

describe('every kind', () => {
  const graph = platformDiagram(everyKind().platform);
  const kinds = (k: string) => graph.nodes.filter(n => n.kind === k).map(n => `${n.name}: ${n.detail}`);

  test('a track per release strategy, with its share', () => {
    expect(graph.edges.filter(e => e.kind === DiagramEdgeKind.TRACK).map(e => e.label).sort())
      .toEqual(['0% of routed requests', '1 request match', '10% of routed requests', '100% of routed requests', 'mirrors 20%']);
    expect(kinds(DiagramNodeKind.RELEASE_TRACK)).toHaveLength(5);
  });

  test('an owner that declares no call to its store is drawn as its owner; one that calls, on the call', () => {
    expect(graph.edges.filter(e => e.kind === DiagramEdgeKind.OWNS).map(e => `${e.from} ${e.to}`))
      .toEqual([`${diagramId('wl', 'catalog', 'search')} ${diagramId('wl', 'catalog', 'products-cache')}`]);
    expect(graph.edges.find(e => e.id === diagramId('call', 'catalog', 'products', 'catalog', 'products-cache', 'redis'))!.label).toBe('6379/tcp (owner)');
  });

  test('secrets by source, backing services shared by two contexts outside every group, both gateways', () => {
    expect(kinds(DiagramNodeKind.SECRET_SOURCE).sort()).toEqual([
      'legacy-credentials: existing Secret', 'orders-db: ExternalSecret from ClusterSecretStore vault', 'products-signing: SealedSecret']);
    expect(graph.nodes.filter(n => n.kind === DiagramNodeKind.BACKING_SERVICE).map(n => `${n.name} ${n.group ?? '(outside)'}`).sort())
      .toEqual(['orders-db.internal:5432 ctx_ordering', 'partner.example:443 (outside)']);
    expect(kinds(DiagramNodeKind.GATEWAY)).toEqual(['legacy: IngressGateway', 'public: ApiGateway']);
    expect(kinds(DiagramNodeKind.WORKER)).toEqual(['relay: Worker, singleton']);
    expect(kinds(DiagramNodeKind.JOB)).toEqual(['migrate: Job']);
    expect(kinds(DiagramNodeKind.CRON_JOB)).toEqual(['purge: CronJob']);
  });
});

describe('escaping', () => {
  const AWKWARD = 'a"b<c>&d#e|f`g\\h[i]{j}(k)\nl';
  /** A graph of awkward names, as a model could give them (paths, store names, teams). */
  const graph: DiagramGraph = {
    platform: AWKWARD,
    groups: [{ id: diagramId('ctx', AWKWARD), namespace: AWKWARD, team: AWKWARD }],
    nodes: [
      { id: diagramId('wl', AWKWARD, 'x'), kind: DiagramNodeKind.MICROSERVICE, name: AWKWARD, detail: AWKWARD, group: diagramId('ctx', AWKWARD) },
      { id: diagramId('ext', AWKWARD), kind: DiagramNodeKind.BACKING_SERVICE, name: AWKWARD, detail: 'end' },
    ],
    edges: [{ id: diagramId('uses', AWKWARD), kind: DiagramEdgeKind.BACKING, from: diagramId('wl', AWKWARD, 'x'), to: diagramId('ext', AWKWARD), label: AWKWARD }],
  };
  const shown = AWKWARD.replace('\n', ' ');

  test('ids are letters, digits and _ only, and distinct for distinct names', () => {
    expect(diagramId('wl', AWKWARD, 'x')).toMatch(/^\w+$/);
    expect(diagramId('wl', 'a-b', 'c')).not.toBe(diagramId('wl', 'a', 'b-c'));
    expect(diagramId('wl', 'a--b', 'c')).not.toBe(diagramId('wl', 'a', '-b-c'));
  });

  test('Mermaid labels carry the text as entity codes, which read back as the text', () => {
    expect(mermaidText(AWKWARD)).not.toMatch(/["<>|`[\]{}()\n]/);
    const { nodes, edges } = parseMermaid(renderMermaid(graph));
    expect(nodes.get(diagramId('wl', AWKWARD, 'x'))!.label).toBe(`${shown}<br/>${shown}`);
    expect(edges).toEqual([{ from: diagramId('wl', AWKWARD, 'x'), arrow: '-.->', label: shown, to: diagramId('ext', AWKWARD) }]);
    expect(unMermaid(mermaidText(AWKWARD))).toBe(shown);
  });

  test('Graphviz parses the DOT, and the SVG holds the text as written', async () => {
    expect(dotText('a"b\\c')).toBe('a\\"b\\\\c');
    const svg = (await viz()).svg(renderDot(graph));
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(m => unXml(m[1]));
    expect(texts).toEqual(expect.arrayContaining([shown, `${shown} (${shown})`]));
    expect(parseSvg(svg).nodes).toEqual(new Set(graph.nodes.map(n => n.id)));
  });
});

describe('determinism', () => {
  test('the same model gives the same Mermaid, DOT and SVG bytes, from two builds and two renderers', async () => {
    const [a, b] = [platformDiagram(reference()), platformDiagram(reference())];
    expect(renderMermaid(a)).toBe(renderMermaid(b));
    expect(renderDot(a)).toBe(renderDot(b));
    const other = await (await import('../../lib')).DiagramRenderer.load();
    expect((await viz()).svg(renderDot(a))).toBe(other.svg(renderDot(b)));
  });
});
