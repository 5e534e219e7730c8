import { DiagramEdgeKind, DiagramGraph, DiagramNode, DiagramNodeKind } from './diagram';

/** The Mermaid shape of each node kind: the text before and after the label. */
const SHAPES: { [kind in DiagramNodeKind]: [string, string] } = {
  [DiagramNodeKind.MICROSERVICE]: ['[', ']'],
  [DiagramNodeKind.WORKER]: ['[[', ']]'],
  [DiagramNodeKind.STORE]: ['[(', ')]'],
  [DiagramNodeKind.JOB]: ['[/', '/]'],
  [DiagramNodeKind.CRON_JOB]: ['{{', '}}'],
  [DiagramNodeKind.CLIENTS]: ['((', '))'],
  [DiagramNodeKind.GATEWAY]: ['([', '])'],
  [DiagramNodeKind.BACKING_SERVICE]: ['[(', ')]'],
  [DiagramNodeKind.SECRET_SOURCE]: ['>', ']'],
  [DiagramNodeKind.RELEASE_TRACK]: ['(', ')'],
};

/** The Mermaid arrow of each edge kind. */
export const MERMAID_ARROWS: { [kind in DiagramEdgeKind]: string } = {
  [DiagramEdgeKind.CALL]: '-->',
  [DiagramEdgeKind.OWNS]: '---',
  [DiagramEdgeKind.INGRESS]: '==>',
  [DiagramEdgeKind.ROUTE]: '==>',
  [DiagramEdgeKind.BACKING]: '-.->',
  [DiagramEdgeKind.SECRET]: '-.->',
  [DiagramEdgeKind.TRACK]: '-.-',
};

/**
 * Text as Mermaid reads it inside a quoted label: the characters that end a label or
 * start markup as entity codes (`#quot;`, `#lt;`, ...), line breaks as spaces.
 */
export function mermaidText(text: string): string {
  return text.replace(/[#"<>&|`\\[\]{}()]/g, c => `#${c.codePointAt(0)};`).replace(/[\r\n\t]+/g, ' ');
}

/**
 * The diagram as a Mermaid flowchart, left to right: a subgraph per bounded context
 * (its namespace and team), a node shape per kind, the gateway and the clients
 * outside on the left, backing services outside the cluster after the contexts,
 * and edges labelled with port and protocol (or route, or share of a release).
 */
export function renderMermaid(graph: DiagramGraph): string {
  const lines = ['flowchart LR'];
  const node = (n: DiagramNode, indent: string) => {
    const [open, close] = SHAPES[n.kind];
    lines.push(`${indent}${n.id}${open}"${mermaidText(n.name)}<br/>${mermaidText(n.detail)}"${close}`);
  };
  const outside = graph.nodes.filter(n => n.group === undefined);
  for (const n of outside.filter(x => x.kind === DiagramNodeKind.CLIENTS || x.kind === DiagramNodeKind.GATEWAY)) {
    node(n, '  ');
  }
  for (const g of graph.groups) {
    lines.push(`  subgraph ${g.id}["${mermaidText(`${g.namespace} (${g.team})`)}"]`, '    direction LR');
    for (const n of graph.nodes.filter(x => x.group === g.id)) {
      node(n, '    ');
    }
    lines.push('  end');
  }
  for (const n of outside.filter(x => x.kind !== DiagramNodeKind.CLIENTS && x.kind !== DiagramNodeKind.GATEWAY)) {
    node(n, '  ');
  }
  for (const e of graph.edges) {
    lines.push(`  ${e.from} ${MERMAID_ARROWS[e.kind]}|"${mermaidText(e.label)}"| ${e.to}`);
  }
  const classes: Array<[string, DiagramNodeKind[], string]> = [
    ['external', [DiagramNodeKind.BACKING_SERVICE, DiagramNodeKind.CLIENTS], 'stroke-dasharray: 4 3'],
    ['secret', [DiagramNodeKind.SECRET_SOURCE], 'fill:#fff7e0,stroke:#b08900'],
    ['track', [DiagramNodeKind.RELEASE_TRACK], 'fill:#eef6ff,stroke:#3b82f6,stroke-dasharray: 4 3'],
  ];
  for (const [name, kinds, style] of classes) {
    const ids = graph.nodes.filter(n => kinds.includes(n.kind)).map(n => n.id);
    if (ids.length > 0) {
      lines.push(`  classDef ${name} ${style}`, `  class ${ids.join(',')} ${name}`);
    }
  }
  return lines.join('\n') + '\n';
}
