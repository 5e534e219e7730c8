import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { ENVIRONMENTS } from '../../charts';
import { REVISION_ANNOTATION } from '../../lib';
import { coverageProblems } from '../conformance/argocd';
import { Manifest } from '../_helpers';

/** The reference platform's Argo CD objects and waves, as committed in dist/. */
const DIST = path.join(__dirname, '..', '..', 'dist');
const load = (file: string) => (Yaml.load(file) as Manifest[]).filter(Boolean);
const files = (env: string) => fs.readdirSync(path.join(DIST, env)).filter(f => f.endsWith('.yaml')).sort();
/** An object's wave: Argo CD's default, 0, when it names none. */
const wave = (o: Manifest) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? '0');

describe.each(ENVIRONMENTS.map(e => [e.name]))('dist/argocd/%s.yaml', env => {
  const docs = load(path.join(DIST, 'argocd', `${env}.yaml`));

  test('every file of the environment is read by exactly one application, of a project the file defines', () => {
    expect(coverageProblems(env, docs, files(env))).toEqual([]);
    expect(coverageProblems(env, docs, [...files(env), '0099-extra.k8s.yaml'])).toEqual(['dist/' + env + '/0099-extra.k8s.yaml is read by 0 Applications (none), not exactly one']);
  });

  test('each team\'s project allows exactly the namespaces and kinds its application delivers, and every object its application delivers is allowed', () => {
    for (const a of docs.filter(d => d.kind === 'Application')) {
      const project = docs.find(d => d.kind === 'AppProject' && d.metadata.name === a.spec.project)!.spec;
      const objects = load(path.join(DIST, env, a.spec.source.directory.include));
      const group = (o: Manifest) => o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
      for (const o of objects) {
        if (o.metadata.namespace === undefined) {
          expect(project.clusterResourceWhitelist).toContainEqual(expect.objectContaining({ group: group(o), kind: o.kind }));
        } else {
          expect(project.destinations.map((d: Manifest) => d.namespace)).toContain(o.metadata.namespace);
          expect(project.namespaceResourceWhitelist).toContainEqual({ group: group(o), kind: o.kind });
        }
      }
      if (a.spec.project.endsWith('-team')) {
        // one application per team here: the project is exactly what it delivers
        const namespaced = objects.filter(o => o.metadata.namespace !== undefined);
        expect(project.destinations.map((d: Manifest) => d.namespace)).toEqual([...new Set(namespaced.map(o => o.metadata.namespace))]);
        expect(project.namespaceResourceWhitelist.length).toBe(new Set(namespaced.map(o => `${group(o)}/${o.kind}`)).size);
        expect(project.clusterResourceWhitelist).toEqual([{ group: '', kind: 'Namespace', name: a.spec.destination.namespace }]);
      }
    }
  });

  test('sync waves: the namespace and what governs it first, then what a workload reads, then stores, then workloads, then routes and monitors', () => {
    for (const f of files(env)) {
      const objects = load(path.join(DIST, env, f));
      // every object names its wave, but the earlier ConfigMap revisions carried verbatim from the committed output (wave 0, Argo CD's default, as the ConfigMaps')
      const unnamed = objects.filter(o => o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] === undefined);
      expect(unnamed.filter(o => o.kind !== 'ConfigMap' || o.metadata.annotations?.[REVISION_ANNOTATION] === undefined).map(o => `${o.kind}/${o.metadata.name}`)).toEqual([]);
      const of = (kinds: string[]) => objects.filter(o => kinds.includes(o.kind) && o.metadata.annotations?.['argocd.argoproj.io/hook'] === undefined).map(wave);
      const max = (xs: number[]) => Math.max(-Infinity, ...xs);
      const min = (xs: number[]) => Math.min(Infinity, ...xs);
      expect(max(of(['Namespace', 'ResourceQuota', 'LimitRange']))).toBeLessThan(min(of(['ExternalSecret', 'SealedSecret', 'Secret'])));
      expect(max(of(['Namespace', 'ServiceAccount', 'ConfigMap', 'Role', 'RoleBinding', 'NetworkPolicy']))).toBeLessThan(min(of(['StatefulSet', 'Deployment', 'Job', 'CronJob'])));
      expect(max(of(['ExternalSecret', 'SealedSecret']))).toBeLessThan(min(of(['StatefulSet', 'Deployment', 'CronJob'])));
      expect(max(of(['StatefulSet']))).toBeLessThan(min(of(['Deployment', 'CronJob'])));
      expect(max(of(['Deployment', 'StatefulSet', 'Service']))).toBeLessThan(min(of(['ServiceMonitor', 'PodMonitor', 'HTTPRoute', 'Gateway'])));
      // the migration hook runs after the secrets it reads and before the workloads that need its schema
      for (const hook of objects.filter(o => o.kind === 'Job' && o.metadata.annotations?.['argocd.argoproj.io/hook'] === 'Sync')) {
        expect(wave(hook)).toBeGreaterThan(max(of(['ExternalSecret', 'SealedSecret'])));
        expect(wave(hook)).toBeLessThan(min(of(['Deployment'])));
      }
    }
  });

  test('the secrets a workload mounts come from objects in an earlier wave than the workload', () => {
    const objects = files(env).flatMap(f => load(path.join(DIST, env, f)));
    const producers = new Map<string, number>();
    for (const o of objects) {
      if (o.kind === 'ExternalSecret') producers.set(`${o.metadata.namespace}/${o.spec.target?.name ?? o.metadata.name}`, wave(o));
      if (o.kind === 'SealedSecret') producers.set(`${o.metadata.namespace}/${o.spec.template?.metadata?.name ?? o.metadata.name}`, wave(o));
    }
    let checked = 0;
    for (const w of objects.filter(o => ['Deployment', 'StatefulSet'].includes(o.kind))) {
      const spec = w.spec.template.spec;
      const names = [
        ...(spec.volumes ?? []).map((v: Manifest) => v.secret?.secretName),
        ...spec.containers.flatMap((c: Manifest) => [...(c.env ?? []).map((e: Manifest) => e.valueFrom?.secretKeyRef?.name), ...(c.envFrom ?? []).map((e: Manifest) => e.secretRef?.name)]),
      ].filter(Boolean);
      for (const n of names) {
        const p = producers.get(`${w.metadata.namespace}/${n}`);
        if (p === undefined) continue;
        expect([w.metadata.name, n, p < wave(w)]).toEqual([w.metadata.name, n, true]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});
