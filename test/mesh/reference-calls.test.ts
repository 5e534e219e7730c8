/**
 * Who may call whom in the reference platform (issue 24), on the committed dist/:
 * the calls its AuthorizationPolicies allow equal those its NetworkPolicies allow,
 * which equal the calls charts/ declares. `npm run conformance` asks the same of
 * what the API server stored after the apply (test/conformance/access-matrix.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { buildSalesPlatform, ENVIRONMENTS } from '../../charts';
import { BoundedContext, Workload } from '../../lib';
import { declaredCalls } from '../conformance/access-matrix';
import { authorizedCalls, differences, Manifest, networkCalls } from './mesh-invariants';

describe.each(ENVIRONMENTS.map(e => [e.name, e] as const))('dist/%s', (name, env) => {
  test('the AuthorizationPolicies and the NetworkPolicies allow exactly the declared calls', () => {
    const dir = path.join(__dirname, '..', '..', 'dist', name);
    const objects: Manifest[] = fs.readdirSync(dir).filter(f => f.endsWith('.yaml'))
      .flatMap(f => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8'), { version: '1.1' }).map(d => d.toJSON() as Manifest));
    const { platform } = buildSalesPlatform(Testing.app(), env);
    const declared = declaredCalls(platform);
    const workloads = new Set(BoundedContext.all(platform).flatMap(c => Workload.all(c).map(w => `${w.namespace}/${w.name}`)));
    const authz = authorizedCalls(objects);
    expect(declared.size).toBeGreaterThan(10);
    expect([
      ...authz.problems,
      ...differences('AuthorizationPolicy', declared, authz.calls),
      ...differences('NetworkPolicy', declared, networkCalls(objects, workloads)),
    ]).toEqual([]);
    // the wildcard grants are the gateway's proxies and Prometheus, nothing else
    expect(new Set([...authz.wildcards].map(k => k.split(' -> ')[0]))).toEqual(new Set(['envoy-gateway-system/*', 'monitoring/*']));
  });
});
