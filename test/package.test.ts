import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/**
 * Proves the package is importable the way users consume it: `npm pack`, install
 * the tarball into a separate cdk8s app, type-check that app against the shipped
 * declarations and synthesize it.
 */
describe('npm package', () => {
  let work: string;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-microservices-pack-'));
  });

  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('a separate cdk8s app installs the tarball, imports it with types and synthesizes', () => {
    const run = (cmd: string, args: string[], cwd: string) =>
      execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error' } });

    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], ROOT));
    const tarball = path.join(work, packed[0].filename);
    const files: string[] = packed[0].files.map((f: { path: string }) => f.path);
    expect(files).toContain('build/index.js');
    expect(files).toContain('build/index.d.ts');
    expect(files.filter(f => f.startsWith('test/') || f.startsWith('charts/') || f.startsWith('dist/'))).toEqual([]);

    const app = path.join(work, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], app);

    fs.writeFileSync(path.join(app, 'main.ts'), [
      "import { App, Yaml } from 'cdk8s';",
      "import { BoundedContext, Image, Microservice, MicroservicesApp, Platform, Port, Probe, synthesize } from 'cdk8s-microservices';",
      'function build(app: App): Microservice {',
      "  const platform = new Platform(app, 'shop');",
      "  const catalog = new BoundedContext(app, 'catalog', { platform, team: 'catalog-team' });",
      "  return new Microservice(catalog, 'products', {",
      "    image: Image.fromTag('ghcr.io/acme/products', '1.0.0'),",
      "    ports: [Port.http(8080)],",
      "    readiness: Probe.http('/ready'),",
      "    liveness: Probe.http('/live'),",
      '  });',
      '}',
      "const app = new App({ outdir: 'dist' });",
      'const products = build(app);',
      "const minReplicas: number = products.minReplicas;",
      "console.log(`min=${minReplicas}`);",
      'app.synth();',
      "synthesize(a => { build(a); }, { outdir: 'dist-synthesize' });",
      "const fast = new MicroservicesApp({ outdir: 'dist-app' });",
      'build(fast);',
      '// the fast path, not cdk8s\' serializer: Yaml.save is never called',
      'const saves: string[] = [];',
      'const save = Yaml.save.bind(Yaml);',
      'Yaml.save = (file: string, docs: any[]) => { saves.push(file); save(file, docs); };',
      'fast.synth();',
      'console.log(`fast saves=${saves.length}`);',
      '',
    ].join('\n'));
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    run(process.execPath, [tsc, '--strict', '--target', 'ES2022', '--module', 'commonjs', '--moduleResolution', 'node', '--skipLibCheck', 'main.ts'], app);
    const printed = run(process.execPath, ['main.js'], app);
    expect(printed).toContain('min=2');
    expect(printed).toContain('fast saves=0');
    expect(fs.readdirSync(path.join(app, 'dist')).sort()).toEqual(['0000-shop.k8s.yaml', '0001-catalog.k8s.yaml']);
    const out = fs.readFileSync(path.join(app, 'dist', '0001-catalog.k8s.yaml'), 'utf8');
    expect(out).toContain('kind: Deployment');
    expect(out).toContain('name: products');
    // MicroservicesApp.synth() and synthesize() (the library's YAML emitter, with the consumer's own cdk8s) write
    // the same files and bytes as cdk8s' app.synth()
    for (const ours of ['dist-synthesize', 'dist-app']) {
      expect(fs.readdirSync(path.join(app, ours)).sort()).toEqual(['0000-shop.k8s.yaml', '0001-catalog.k8s.yaml']);
      for (const f of fs.readdirSync(path.join(app, 'dist'))) {
        expect(`${ours}/${f}\n${fs.readFileSync(path.join(app, ours, f), 'utf8')}`).toBe(`${ours}/${f}\n${fs.readFileSync(path.join(app, 'dist', f), 'utf8')}`);
      }
    }

    // a type error in the consumer is caught by the shipped declarations
    fs.writeFileSync(path.join(app, 'bad.ts'), "import { Port } from 'cdk8s-microservices';\nconst p: string = Port.http(8080);\n");
    let diagnostics = '';
    try {
      run(process.execPath, [tsc, '--strict', '--noEmit', '--skipLibCheck', 'bad.ts'], app);
    } catch (err) {
      diagnostics = String((err as { stdout?: string }).stdout);
    }
    expect(diagnostics).toMatch(/Type 'Port' is not assignable to type 'string'/);
  }, 240_000);
});
