import { DiagramEdgeKind, DiagramGraph, DiagramNode, DiagramNodeKind } from './diagram';

/** The Graphviz attributes of each node kind. */
const NODE_STYLE: { [kind in DiagramNodeKind]: string } = {
  [DiagramNodeKind.MICROSERVICE]: 'shape=box, style="rounded,filled", fillcolor="#e8f1fb"',
  [DiagramNodeKind.WORKER]: 'shape=box, style="filled", peripheries=2, fillcolor="#eef7ee"',
  [DiagramNodeKind.STORE]: 'shape=cylinder, style="filled", fillcolor="#fdf0e6"',
  [DiagramNodeKind.JOB]: 'shape=parallelogram, style="filled", fillcolor="#f3eefa"',
  [DiagramNodeKind.CRON_JOB]: 'shape=hexagon, style="filled", fillcolor="#f3eefa"',
  [DiagramNodeKind.CLIENTS]: 'shape=ellipse, style="dashed"',
  [DiagramNodeKind.GATEWAY]: 'shape=box, style="rounded,filled,bold", fillcolor="#fff3c4"',
  [DiagramNodeKind.BACKING_SERVICE]: 'shape=cylinder, style="dashed"',
  [DiagramNodeKind.SECRET_SOURCE]: 'shape=note, style="filled", fillcolor="#fff7e0"',
  [DiagramNodeKind.RELEASE_TRACK]: 'shape=box, style="rounded,dashed,filled", fillcolor="#eef6ff"',
};

/** The Graphviz attributes of each edge kind. */
const EDGE_STYLE: { [kind in DiagramEdgeKind]: string } = {
  [DiagramEdgeKind.CALL]: 'color="#1f4e79"',
  [DiagramEdgeKind.OWNS]: 'style=bold, arrowhead=none, color="#b35900"',
  [DiagramEdgeKind.INGRESS]: 'style=bold, color="#8a6d00"',
  [DiagramEdgeKind.ROUTE]: 'style=bold, color="#8a6d00"',
  [DiagramEdgeKind.BACKING]: 'style=dashed, color="#666666"',
  [DiagramEdgeKind.SECRET]: 'style=dotted, color="#b08900", arrowhead=empty',
  [DiagramEdgeKind.TRACK]: 'style=dashed, color="#3b82f6", arrowhead=none',
};

/** Text in a quoted DOT string: backslashes and quotes escaped, line breaks as spaces. */
export function dotText(text: string): string {
  return text.replace(/[\\"]/g, c => `\\${c}`).replace(/[\r\n\t]+/g, ' ');
}

/**
 * The diagram as Graphviz DOT, left to right: a cluster per bounded context, the
 * clients and gateways in the first rank, backing services outside the cluster in
 * the last; each node and edge carries its id (`id=`), which the SVG keeps.
 */
export function renderDot(graph: DiagramGraph): string {
  const lines = [
    `digraph "${dotText(graph.platform)}" {`,
    '  graph [rankdir=LR, newrank=true, nodesep=0.3, ranksep=0.9, fontname="Helvetica", fontsize=12, splines=true, outputorder=edgesfirst];',
    '  node [fontname="Helvetica", fontsize=11, margin="0.15,0.06"];',
    '  edge [fontname="Helvetica", fontsize=9, arrowsize=0.7];',
  ];
  const node = (n: DiagramNode, indent: string) =>
    lines.push(`${indent}${n.id} [id="${n.id}", label="${dotText(n.name)}\\n${dotText(n.detail)}", ${NODE_STYLE[n.kind]}];`);
  const outside = graph.nodes.filter(n => n.group === undefined);
  const first = outside.filter(n => n.kind === DiagramNodeKind.CLIENTS || n.kind === DiagramNodeKind.GATEWAY);
  const last = outside.filter(n => !first.includes(n));
  first.forEach(n => node(n, '  '));
  if (first.length > 0) lines.push(`  { rank=min; ${first.filter(n => n.kind === DiagramNodeKind.CLIENTS).map(n => n.id).join('; ') || first[0].id}; }`);
  for (const g of graph.groups) {
    lines.push(`  subgraph cluster_${g.id} {`,
      `    id="${g.id}"; label="${dotText(`${g.namespace} (${g.team})`)}"; style="rounded,filled"; fillcolor="#fafafa"; color="#999999";`);
    graph.nodes.filter(n => n.group === g.id).forEach(n => node(n, '    '));
    lines.push('  }');
  }
  last.forEach(n => node(n, '  '));
  if (last.length > 0) lines.push(`  { rank=max; ${last.map(n => n.id).join('; ')}; }`);
  for (const e of graph.edges) {
    lines.push(`  ${e.from} -> ${e.to} [id="${e.id}", label="${dotText(e.label)}", ${EDGE_STYLE[e.kind]}];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
