import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Size, YamlOutputType } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { BoundedContext, Microservice, MicroservicesApp, Platform, PodManagementPolicy, PreviousOutput, StatefulService, VolumeClaim } from '../../lib';
import { Manifest, microservice, storeProps } from '../_helpers';

/** What differs between two versions of the test platform. */
export interface Variant {
  /** The store's claim size in GiB. @default 10 */
  readonly size?: number;
  /** The store's name. @default 'orders-db' */
  readonly store?: string;
  /** The bounded context's name. @default 'orders' */
  readonly context?: string;
  /** The platform's name. @default 'shop' */
  readonly platform?: string;
  /** The value of api's MODE configuration. @default 'a' */
  readonly mode?: string;
  /** The value of the platform's 'bulk' priority tier. @default 500 */
  readonly tierValue?: number;
  /** Whether the store's pods start in parallel. @default false */
  readonly parallel?: boolean;
  /** Whether 'cache' is a store (a headless Service) rather than a microservice. @default false */
  readonly cacheIsStore?: boolean;
  /** Whether the store has a second claim. @default false */
  readonly walClaim?: boolean;
  /** Acknowledgements and other additions, given the app and the context. */
  readonly extra?: (app: App, context: BoundedContext) => void;
}

/** Builds the test platform: a context with a service 'api' (configured), a store, a 'cache' and a priority tier. */
export function build(app: App, v: Variant = {}): void {
  const platform = new Platform(app, v.platform ?? 'shop');
  platform.addPriorityTier('bulk', { value: v.tierValue ?? 500 });
  const context = new BoundedContext(app, v.context ?? 'orders', { platform, team: 'orders-team' });
  const api: Microservice = microservice(context, 'api');
  api.addEnv('MODE', v.mode ?? 'a');
  const claims = [VolumeClaim.of('data', { size: Size.gibibytes(v.size ?? 10), mountPath: '/data' })];
  if (v.walClaim) claims.push(VolumeClaim.of('wal', { size: Size.gibibytes(1), mountPath: '/wal' }));
  new StatefulService(context, v.store ?? 'orders-db', storeProps([api], {
    replicas: 2, claims, podManagementPolicy: v.parallel ? PodManagementPolicy.PARALLEL : PodManagementPolicy.ORDERED_READY,
  }));
  if (v.cacheIsStore) {
    new StatefulService(context, 'cache', storeProps([api], { claims: [VolumeClaim.of('data', { size: Size.gibibytes(1), mountPath: '/data' })] }));
  } else {
    microservice(context, 'cache');
  }
  v.extra?.(app, context);
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'safe-change-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Synthesizes the platform of `v` into `outdir` with `previous`, and returns what the progress line said. */
export function synth(outdir: string, v: Variant, previous: PreviousOutput,
  yamlOutputType: YamlOutputType = YamlOutputType.FILE_PER_CHART): string[] {
  const lines: string[] = [];
  // replaced by hand rather than with jest.spyOn: test/change/immutable.cluster.ts runs outside jest
  const write = process.stderr.write;
  process.stderr.write = ((line: string) => lines.push(String(line)) > 0) as typeof process.stderr.write;
  try {
    const app = new MicroservicesApp({ outdir, previous, yamlOutputType });
    build(app, v);
    app.synth();
  } finally {
    process.stderr.write = write;
  }
  return lines;
}

/** Synthesizes `before` into one directory, then `after` into another with the first as previous; returns the error thrown, if any. */
export function change(before: Variant, after: Variant): { error?: Error; dir: string; lines: string[] } {
  const dir = tempDir();
  synth(path.join(dir, 'v1'), before, PreviousOutput.NONE);
  try {
    const lines = synth(path.join(dir, 'v2'), after, PreviousOutput.fromDirectory(path.join(dir, 'v1')));
    return { dir, lines };
  } catch (error) {
    return { error: error as Error, dir, lines: [] };
  }
}

/** Every object under a directory, file by file in name order. */
export function objectsIn(dir: string): Manifest[] {
  const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap(e => e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]);
  // parsed here rather than with Yaml.load, which starts a node process per file
  return walk(dir).filter(f => f.endsWith('.yaml')).flatMap(f => parseAllDocuments(fs.readFileSync(f, 'utf8'), { version: '1.1' }).map(d => d.toJSON() as Manifest));
}

/** The text of every file under a directory, by relative path. */
export function filesIn(dir: string): { [file: string]: string } {
  return Object.fromEntries((fs.readdirSync(dir, { recursive: true }) as string[]).sort()
    .filter(f => fs.statSync(path.join(dir, f)).isFile()).map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}
