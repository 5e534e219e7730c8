import { App } from 'cdk8s';
import { Environment } from '../platform/environment';
import { Platform } from '../platform/platform';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';
import { DiagramGraph, platformDiagram } from './diagram';
import { renderDot } from './diagram-dot';
import { renderMermaid } from './diagram-mermaid';

/** What `Viz.renderString` of @viz-js/viz needs: the one method used. */
interface _Viz {
  renderString(input: string, options: { format: string; engine: string }): string;
}

/**
 * Renders DOT to SVG with Graphviz compiled to WebAssembly (@viz-js/viz): the same
 * input gives the same bytes. Loading compiles the WebAssembly, which is asynchronous;
 * rendering is not, so a loaded renderer serves `synthesizeEnvironments`' synchronous
 * `extraFiles` hook.
 */
export class DiagramRenderer {
  /**
   * Loads Graphviz (about 0.2 s). The module is read here, not when the library is
   * imported: it is 1.2 MB of JavaScript and WebAssembly that only drawing needs.
   */
  public static async load(): Promise<DiagramRenderer> {
    const { instance } = await import('@viz-js/viz');
    return new DiagramRenderer(await instance());
  }

  private constructor(private readonly viz: _Viz) {}

  /** The SVG of a DOT graph, laid out by Graphviz' `dot`. */
  public svg(dot: string): string {
    return this.viz.renderString(dot, { format: 'svg', engine: 'dot' });
  }
}

/** The file names `diagramFiles` writes, relative to the output directory. */
export const DIAGRAM_DIRECTORY = 'diagram';

/**
 * The diagram of each environment's platform, as `synthesizeEnvironments`' `extraFiles`
 * write them beside the environments' directories (outside what `kubectl apply -f`
 * reads): a Markdown file with the Mermaid flowchart (GitHub, GitLab and Gitea render
 * it) and an SVG laid out by Graphviz, which the Markdown shows too.
 *
 * When every environment draws the same diagram, one pair is written:
 * `diagram/platform.md` and `diagram/platform.svg`. When they differ (hosts, secret
 * stores, scale to one replica), one pair per environment: `diagram/<env>.md` and
 * `diagram/<env>.svg`, and no `platform.*`.
 *
 * @example
 * const renderer = await DiagramRenderer.load();
 * synthesizeEnvironments(ENVIRONMENTS, build, { extraFiles: built => diagramFiles(built, renderer) });
 */
export function diagramFiles(built: ReadonlyArray<{ readonly environment: Environment; readonly app: App }>, renderer: DiagramRenderer): { [file: string]: string } {
  const drawn = built.map(b => {
    const graph = platformDiagram(_platformOf(b.app, b.environment));
    return { env: b.environment.name, graph, mermaid: renderMermaid(graph) };
  });
  const same = drawn.every(d => d.mermaid === drawn[0].mermaid);
  const files: { [file: string]: string } = {};
  for (const d of same ? drawn.slice(0, 1) : drawn) {
    const name = same ? 'platform' : d.env;
    const scope = same ? `every environment (${drawn.map(x => x.env).join(', ')})` : `environment ${d.env}`;
    files[`${DIAGRAM_DIRECTORY}/${name}.md`] = diagramMarkdown(d.graph, d.mermaid, scope, `${name}.svg`);
    files[`${DIAGRAM_DIRECTORY}/${name}.svg`] = renderer.svg(renderDot(d.graph));
  }
  return files;
}

/** The Markdown file of one diagram: a heading, the SVG, the legend and the Mermaid block. */
export function diagramMarkdown(graph: DiagramGraph, mermaid: string, scope: string, svgFile: string): string {
  return [
    `# Platform ${graph.platform}: ${scope}`,
    '',
    '<!-- written by the synth from the constructs (lib/delivery/diagram.ts); do not edit -->',
    '',
    `![the ${graph.platform} platform](${svgFile})`,
    '',
    'Boxes are microservices, double boxes workers, cylinders stores (dashed: outside the cluster), '
      + 'parallelograms jobs, hexagons cron jobs, notes secret sources, dashed boxes release tracks. '
      + 'Arrows are declared calls (`port/protocol`), bold arrows the gateway\'s routes, dashed arrows backing services and secrets.',
    '',
    '```mermaid',
    mermaid.trimEnd(),
    '```',
    '',
  ].join('\n');
}

/** The one Platform of an environment's app. @internal */
function _platformOf(app: App, env: Environment): Platform {
  const platforms = app.charts.filter(c => Platform.isPlatform(c)) as Platform[];
  if (platforms.length !== 1) {
    throw new ConfigurationError({ path: 'diagramFiles', prop: 'built', value: platforms.length,
      expected: `must hold exactly one Platform per environment (environment '${env.name}' holds ${platforms.length})`,
      fix: 'build one Platform in each environment\'s app', code: ErrorCode.CONFLICT });
  }
  return platforms[0];
}
