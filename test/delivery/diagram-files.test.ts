import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { ENVIRONMENTS, buildSalesPlatform } from '../../charts';
import {
  BoundedContext, Environment, Platform, PreviousOutput, RemoteRef, SecretSource, SecretStore, diagramFiles, platformDiagram, renderMermaid, synthesizeEnvironments,
} from '../../lib';
import { microservice } from '../_helpers';
import { viz } from './_diagram';

const ROOT = path.join(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');

/** A platform 'shop' for `env`: one service reading a secret from the store 'vault'. */
function shop(env: Environment): { environment: Environment; app: App } {
  const app = new App();
  const platform = new Platform(app, 'shop', { environment: env });
  const context = new BoundedContext(app, 'catalog', { platform, team: 'catalog-team' });
  microservice(context, 'products').addSecret('db', SecretSource.fromExternalSecret({ store: SecretStore.cluster('vault'), data: { password: RemoteRef.of('db') } }));
  return { environment: env, app };
}

describe('diagramFiles', () => {
  test('environments that draw the same diagram share one pair of files, diagram/platform.md and .svg', async () => {
    const files = diagramFiles([shop(Environment.of('dev', { replicas: { max: 3 } })), shop(Environment.of('prod'))], await viz());
    expect(Object.keys(files).sort()).toEqual(['diagram/platform.md', 'diagram/platform.svg']);
    expect(files['diagram/platform.md']).toContain('# Platform shop: every environment (dev, prod)');
    expect(files['diagram/platform.md']).toContain('![the shop platform](platform.svg)');
    expect(files['diagram/platform.svg']).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\n$/);
  });

  test('environments whose diagrams differ get a pair each, and no platform.*', async () => {
    const dev = Environment.of('dev', { secretStores: { vault: SecretStore.cluster('vault-dev') } });
    const files = diagramFiles([shop(dev), shop(Environment.of('prod'))], await viz());
    expect(Object.keys(files).sort()).toEqual(['diagram/dev.md', 'diagram/dev.svg', 'diagram/prod.md', 'diagram/prod.svg']);
    expect(files['diagram/dev.md']).toContain('ExternalSecret from ClusterSecretStore vault-dev');
    expect(files['diagram/prod.md']).toContain('ExternalSecret from ClusterSecretStore vault"]');
    expect(files['diagram/dev.md']).toContain('# Platform shop: environment dev');
  });

  test('the Markdown holds the Mermaid flowchart of the platform in a mermaid block', async () => {
    const built = shop(Environment.of('prod'));
    const md = diagramFiles([built], await viz())['diagram/platform.md'];
    const platform = built.app.charts.find(c => Platform.isPlatform(c)) as Platform;
    expect(md).toContain('```mermaid\n' + renderMermaid(platformDiagram(platform)) + '```\n');
  });

  test('fails when an environment\'s app holds no Platform', async () => {
    const renderer = await viz();
    expect(() => diagramFiles([{ environment: Environment.of('dev'), app: new App() }], renderer))
      .toThrow(/diagramFiles: 'built' .*must hold exactly one Platform per environment \(environment 'dev' holds 0\)/);
  });
});

describe('the reference platform\'s diagram files', () => {
  test('dist/diagram/ is what a fresh synth writes, byte for byte (regenerate with npm run synth)', async () => {
    const renderer = await viz();
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dist-')), 'dist');
    try {
      const written = synthesizeEnvironments(ENVIRONMENTS, (app, env) => buildSalesPlatform(app, env),
        { outdir, previous: env => PreviousOutput.fromDirectory(path.join(DIST, env.name)), extraFiles: built => diagramFiles(built, renderer) });
      const fresh = written.filter(f => f.startsWith('diagram/'));
      // the environments differ in hosts and secret stores: a pair each
      expect(fresh).toEqual(ENVIRONMENTS.flatMap(e => [`diagram/${e.name}.md`, `diagram/${e.name}.svg`]).sort());
      expect(fs.readdirSync(path.join(DIST, 'diagram')).sort().map(f => `diagram/${f}`)).toEqual(fresh);
      for (const f of fresh) {
        expect(`${f}:\n${fs.readFileSync(path.join(DIST, f), 'utf8')}`).toEqual(`${f}:\n${fs.readFileSync(path.join(outdir, f), 'utf8')}`);
      }
    } finally {
      fs.rmSync(path.dirname(outdir), { recursive: true, force: true });
    }
  }, 120_000);

  test('the README\'s Diagram section embeds production\'s diagram as committed: the SVG and the Mermaid block', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = /\n## Diagram\n([\s\S]*?)\n## /.exec(readme);
    expect(section).not.toBeNull();
    expect(section![1]).toContain('![the sales platform in production](dist/diagram/prod.svg)');
    const committed = /```mermaid\n[\s\S]*?```\n/.exec(fs.readFileSync(path.join(DIST, 'diagram', 'prod.md'), 'utf8'))![0];
    expect(section![1]).toContain(committed);
  });
});
