/**
 * The library's YAML emitter (lib/internal/yaml.ts) prints what cdk8s' `Yaml.stringify`
 * prints, byte for byte: on generated documents full of
 * the strings YAML 1.1 treats specially, and on everything it hands back to
 * `Yaml.stringify`. `MicroservicesApp` and `synthesize()` use it (issue 15); that they
 * write what cdk8s' `app.synth()` writes is test/platform/microservices-app.test.ts.
 */
import { Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import { _YamlEmitter } from '../../lib/internal/yaml';

const params: fc.Parameters<unknown> = {
  numRuns: Number(process.env.FC_RUNS ?? 400),
  seed: Number(process.env.FC_SEED ?? 20261123),
  ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
};

/** Strings that YAML 1.1 reads as something else, or that need quoting, or that look like syntax. */
const TRICKY = [
  '', ' ', 'y', 'Y', 'n', 'N', 'yes', 'No', 'ON', 'off', 'true', 'False', 'null', 'Null', '~', '<<', '=',
  'e1', 'E10', '1e3', '0x1F', '0o17', '017', '0b101', '1_000', '1:20', '-1:30.5', '.inf', '-.Inf', '.nan', '3.14', '-0', '+1',
  '2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '1.37', '8080',
  '-', '?', '- a', '? a', ':', 'a:', 'a: b', 'a:b', '#x', 'a #b', 'a#b', '!tag', '&anchor', '*alias', '|', '>', '%x', '@x', '`x',
  '---', '---x', '...', 'a ', ' a', '[x]', '{x}', 'a,b', "it's", 'say "hi"', `'both" quotes`, '\\', 'tab\there', 'bell\u0007',
  'nul\u0000', 'del\u007f', 'é', '日本', '\ud800', 'emoji 😀', 'x'.repeat(1100), `${'a '.repeat(60)}end`,
  'multi\nline', 'trailing\n', '\nleading', 'multi\n\nblank', 'spaces \n here', '--- x\n--- y', '%x\ny',
];

const key = fc.oneof(fc.constantFrom(...TRICKY), fc.string({ maxLength: 12 }), fc.constantFrom('apiVersion', 'kind', 'metadata', 'app.kubernetes.io/name'));
const scalar = fc.oneof(
  fc.constantFrom(...TRICKY), fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 8 }),
  fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom(0, -0, 1e21, Infinity, NaN),
);
const value = fc.letrec(tie => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, tie('list'), tie('map')),
  list: fc.array(tie('node'), { maxLength: 4 }),
  map: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
})).node;
const document = fc.dictionary(key, value, { maxKeys: 6 });

function same(docs: unknown[]): void {
  expect(new _YamlEmitter().stringify(docs)).toBe(Yaml.stringify(...docs));
}

describe('YAML emitter', () => {
  test('prints generated documents exactly as Yaml.stringify does', () => {
    fc.assert(fc.property(fc.array(document, { minLength: 1, maxLength: 3 }), docs => same(docs)), params);
  });

  test('prints every tricky string exactly as Yaml.stringify does, as key, value and item, at every depth', () => {
    const emitter = new _YamlEmitter();
    for (const s of TRICKY) {
      const docs = [{ [s]: s }, { a: { [s]: [s, { [s]: s }] } }, { items: [[s], { b: [{ [s]: { [s]: s } }] }] }];
      expect(emitter.stringify(docs)).toBe(Yaml.stringify(...docs));
    }
  });

  test('prints the block layout: nested maps, sequences under keys, sequences of sequences, empty collections', () => {
    const doc = { a: [[1, 2], []], b: [{}], c: [{ x: { y: 1 }, z: [1] }], d: {}, e: { f: [] } };
    const printed = new _YamlEmitter().stringify([doc]);
    expect(printed).toBe([
      'a:', '  - - 1', '    - 2', '  - []', 'b:', '  - {}', 'c:', '  - x:', '      "y": 1', '    z:', '      - 1', 'd: {}', 'e:', '  f: []', '',
    ].join('\n'));
    expect(printed).toBe(Yaml.stringify(doc));
  });

  test('hands back to Yaml.stringify what its layout does not cover, with the same result', () => {
    const shared = { name: 'x' };
    const cases: unknown[] = [
      undefined, // an undefined document is a blank line
      { script: 'line one\nline two\n' }, // a block scalar
      { list: [shared, shared] }, // the same object twice: yaml writes an anchor and an alias
      { when: new Date(Date.UTC(2026, 10, 23)) }, // a timestamp
      { gone: undefined, kept: 1 }, // an undefined value
      { zero: -0 },
      { ['k'.repeat(1100)]: 1 }, // an explicit key
      { n: { '---': 1, '%x': 2 } }, // keys printed differently by depth
      [1, 2], // not a map at the top
      'scalar',
      Object.assign(Object.create(null), { a: 1 }),
      {},
    ];
    for (const c of cases) same([c]);
    same(cases);
  });

  test('asks Yaml.stringify once per distinct scalar and key, not once per manifest', () => {
    const manifest = (i: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `m-${i % 10}`, labels: { tier: 'web' } }, data: { PORT: '8080', ON: 'on' } });
    const stringify = jest.spyOn(Yaml, 'stringify');
    try {
      const emitter = new _YamlEmitter();
      emitter.stringify(Array.from({ length: 50 }, (_, i) => manifest(i)));
      // keys: apiVersion kind metadata name labels tier data PORT ON (9); values: v1 ConfigMap m-0..m-9 web 8080 on (15)
      expect(stringify).toHaveBeenCalledTimes(24);
      emitter.stringify(Array.from({ length: 500 }, (_, i) => manifest(i)));
      expect(stringify).toHaveBeenCalledTimes(24);
    } finally {
      stringify.mockRestore();
    }
  });

  test('matches the installed cdk8s; a release that lays documents out differently does not', () => {
    expect(_YamlEmitter.matchesCdk8s()).toBe(true);
    const original = Yaml.stringify.bind(Yaml);
    // a cdk8s that indents sequences differently
    const stringify = jest.spyOn(Yaml, 'stringify').mockImplementation((...docs: any[]) => original(...docs).replace(/^( *)- /mg, '$1-   '));
    try {
      expect(_YamlEmitter.matchesCdk8s()).toBe(false);
    } finally {
      stringify.mockRestore();
    }
  });
});
