import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { Manifest, resolvedEnv } from './_helpers';

const ROOT = path.join(__dirname, '..');

/** The README's tour must compile against the library and synthesize what it says. */
test('the README example type-checks and synthesizes', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme);
  expect(block).not.toBeNull();
  // inside the repo, so that 'cdk8s' resolves from its node_modules
  const dir = fs.mkdtempSync(path.join(ROOT, 'test', '.readme-'));
  try {
    const file = path.join(dir, 'example.ts');
    fs.writeFileSync(file, block![1].replace("from 'cdk8s-microservices'", `from ${JSON.stringify(path.join(ROOT, 'lib'))}`));
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--target', 'ES2022', '--module', 'commonjs',
        '--moduleResolution', 'node', '--types', 'node', file], { cwd: ROOT, stdio: 'pipe', encoding: 'utf8' });
    } catch (err) {
      throw new Error(`the README example does not type-check:\n${(err as { stdout?: string }).stdout}`);
    }
    execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: dir, stdio: 'pipe', env: { ...process.env, CDK8S_OUTDIR: path.join(dir, 'dist') } });
    const orders = Yaml.load(path.join(dir, 'dist', '0002-orders.k8s.yaml')) as Manifest[];
    const env = resolvedEnv(orders, orders.find(o => o.kind === 'Deployment')!);
    expect(env).toContainEqual({ name: 'AUTH_GRPC_URL', value: 'dns:///auth.accounts.svc.cluster.local:9090' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
