import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { TARGET_ANNOTATION } from '../../../lib/platform/platform';
import { Manifest } from '../../_helpers';
import { PLATFORMS, synthesizePlatform } from './synth';

/** The objects a test platform synthesizes, read back from its files as the conformance run reads them. */
function synthesized(name: string): Manifest[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  try {
    const files = synthesizePlatform(name, dir);
    return files.flatMap(f => Yaml.load(path.join(dir, f)) as Manifest[]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const podSpecs = (all: Manifest[]) => all.flatMap(o => {
  const spec = o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec?.template?.spec;
  return spec ? [{ name: `${o.kind}/${o.metadata.name}`, spec }] : [];
});

describe('conformance test platforms', () => {
  const oldest = synthesized('target-1.27');
  const newest = synthesized('target-newest');

  test('each names its target on its PriorityClasses, where the conformance run reads it', () => {
    const targets = (all: Manifest[]) => [...new Set(all.filter(o => o.kind === 'PriorityClass').map(o => o.metadata.annotations[TARGET_ANNOTATION]))];
    expect(targets(oldest)).toEqual(['1.27']);
    expect(targets(newest)).toEqual(['1.37']);
    expect(PLATFORMS).toEqual(['target-1.27', 'target-newest']);
  });

  test('1.27: the preStop delay runs sleep in the container, and no init container restarts (no native sidecars)', () => {
    const lifecycles = podSpecs(oldest).flatMap(p => p.spec.containers.map((c: Manifest) => c.lifecycle).filter(Boolean));
    expect(lifecycles).toEqual([
      { preStop: { exec: { command: ['sleep', '5'] } } },
      { preStop: { exec: { command: ['sleep', '5'] } } },
      { preStop: { exec: { command: ['sleep', '5'] } } },
    ]);
    const init = podSpecs(oldest).flatMap(p => p.spec.initContainers ?? []);
    expect(init.map((c: Manifest) => c.name)).toEqual(['render-pages']);
    expect(init.filter((c: Manifest) => c.restartPolicy !== undefined)).toEqual([]);
  });

  test('newest: the kubelet sleeps, and the storefront has a native sidecar', () => {
    const lifecycles = podSpecs(newest).flatMap(p => p.spec.containers.map((c: Manifest) => c.lifecycle).filter(Boolean));
    expect(lifecycles).toEqual([{ preStop: { sleep: { seconds: 5 } } }, { preStop: { sleep: { seconds: 5 } } }, { preStop: { sleep: { seconds: 5 } } }]);
    const storefront = podSpecs(newest).find(p => p.name === 'Deployment/storefront')!.spec;
    expect(storefront.initContainers.map((c: Manifest) => [c.name, c.restartPolicy])).toEqual([['render-pages', undefined], ['log-shipper', 'Always']]);
  });

  test('both use volumes of every kind, an init container, pod metadata and the address forms', () => {
    for (const all of [oldest, newest]) {
      const kinds = new Set(podSpecs(all).flatMap(p => p.spec.volumes.map((v: Manifest) => Object.keys(v).find(k => k !== 'name'))));
      expect([...kinds].sort()).toEqual(['emptyDir', 'ephemeral', 'projected']);
      const storefront = all.find(o => o.kind === 'Deployment' && o.metadata.name === 'storefront')!;
      expect(storefront.spec.template.metadata.labels['example.com/cost-centre']).toEqual('shop');
      expect(storefront.spec.template.spec.containers[0].name).toEqual('web');
      const config = all.find(o => o.kind === 'ConfigMap' && o.metadata.name.startsWith('storefront-config-'))!;
      expect(Object.keys(config.data)).toEqual(['INVENTORY_ADDR', 'SESSIONS_HOST', 'SESSIONS_PORT']);
    }
  });
});
