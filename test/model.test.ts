/**
 * Generated models, not only hand-picked cases (issue 13): random valid platforms
 * synthesize and keep the invariants, and every single mutation of one is either
 * refused with a message in the standard shape or synthesizes to valid names. The
 * server-side half (what we accept, the API server accepts) runs in
 * `npm run conformance`. The seed is fixed (CI is deterministic); FC_SEED=<n> tries
 * others, and fast-check prints the seed and path of a failing case: replay it with
 * FC_SEED=<seed> FC_PATH=<path> npx jest test/model.test.ts.
 */
import { App, Testing, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import { _YamlEmitter } from '../lib/internal/yaml';
import { nameProblems, plaintextProblems, trafficProblems, Manifest } from './model/invariants';
import { inStandardShape, MUTATIONS } from './model/mutations';
import { buildPlatform, platformSpec, PlatformSpec } from './model/spec';

// a fixed seed by default, so that CI is deterministic; FC_SEED=<n> (with FC_PATH to
// replay a failure) explores others
const params: fc.Parameters<unknown> = {
  numRuns: Number(process.env.FC_RUNS ?? 60),
  seed: Number(process.env.FC_SEED ?? 20261123),
  ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
};

function synth(p: PlatformSpec): Manifest[] {
  const app: App = Testing.app();
  buildPlatform(app, p);
  return app.node.children.flatMap(c => Testing.synth(c as never));
}

describe('generated platform models', () => {
  test('every valid model synthesizes, opens exactly its declared calls, names validly, stores no plaintext credential, prints as cdk8s prints', () => {
    fc.assert(fc.property(platformSpec, p => {
      const objects = synth(p);
      const problems = [...nameProblems(objects), ...plaintextProblems(objects), ...trafficProblems(objects, p)];
      if (new _YamlEmitter().stringify(objects) !== Yaml.stringify(...objects)) problems.push('the YAML emitter of synthesize() prints these manifests unlike cdk8s Yaml.stringify');
      if (problems.length > 0) throw new Error(problems.join('\n'));
    }), params);
  });

  test('every single mutation is refused in the standard shape (path, prop, value, expectation, fix) or synthesizes validly', () => {
    const refused = new Map<string, number>();
    fc.assert(fc.property(platformSpec, fc.integer({ min: 0, max: MUTATIONS.length - 1 }), fc.nat(), (p, m, at) => {
      const mutation = MUTATIONS[m];
      const mutated = mutation.apply(p, at);
      let objects: Manifest[];
      try {
        objects = synth(mutated);
      } catch (e) {
        const message = (e as Error).message;
        if (!inStandardShape(message)) throw new Error(`mutation '${mutation.name}' was refused, but not in the standard shape:\n${message}`);
        refused.set(mutation.name, (refused.get(mutation.name) ?? 0) + 1);
        return;
      }
      const problems = nameProblems(objects);
      if (problems.length > 0) throw new Error(`mutation '${mutation.name}' was accepted, with invalid names:\n${problems.join('\n')}`);
    }), { ...params, numRuns: Number(process.env.FC_RUNS ?? 150) });
    // the mutations are mistakes: most must be refused (each one that can be accepted is valid Kubernetes)
    expect(refused.size).toBeGreaterThan(MUTATIONS.length / 2);
  });
});
