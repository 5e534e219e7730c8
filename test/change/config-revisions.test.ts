import * as path from 'path';
import { YamlOutputType } from 'cdk8s';
import { CONFIG_OF_LABEL, CONFIG_REVISIONS_KEPT, PreviousOutput, REVISION_ANNOTATION, StatefulService } from '../../lib';
import { Manifest, find, objects, setup, microservice, storeProps } from '../_helpers';
import { filesIn, objectsIn, synth, tempDir } from './_platform';

/** Synthesizes the configurations `modes` one after the other, each with the one before as previous; returns the directories. */
function releases(modes: string[], type?: YamlOutputType): string[] {
  const dir = tempDir();
  return modes.map((mode, i) => {
    const out = path.join(dir, `v${i}`);
    synth(out, { mode }, i === 0 ? PreviousOutput.NONE : PreviousOutput.fromDirectory(path.join(dir, `v${i - 1}`)), type);
    return out;
  });
}

/** api's ConfigMaps in file order: [MODE, revision annotation]. */
function revisions(dir: string): Array<[string, string | undefined]> {
  return objectsIn(dir).filter((o: Manifest) => o.kind === 'ConfigMap' && o.metadata.labels?.[CONFIG_OF_LABEL] === 'api')
    .map((o: Manifest) => [o.data.MODE, o.metadata.annotations?.[REVISION_ANNOTATION]]);
}

describe('ConfigMap revisions', () => {
  test(`keeps ${CONFIG_REVISIONS_KEPT} earlier revisions after the current one, newest first, and drops older ones`, () => {
    const dirs = releases(['a', 'b', 'c', 'd', 'e']);
    expect(revisions(dirs[0])).toEqual([['a', undefined]]);
    expect(revisions(dirs[1])).toEqual([['b', undefined], ['a', '1']]);
    expect(revisions(dirs[3])).toEqual([['d', undefined], ['c', '3'], ['b', '2'], ['a', '1']]);
    expect(revisions(dirs[4])).toEqual([['e', undefined], ['d', '4'], ['c', '3'], ['b', '2']]);
  });

  test('a carried revision is the previous ConfigMap, in the same file, right after the current one, with the revision annotation', () => {
    const [v0, v1] = releases(['a', 'b']);
    const old = objectsIn(v0).find((o: Manifest) => o.kind === 'ConfigMap')!;
    const all = objectsIn(v1);
    const i = all.findIndex((o: Manifest) => o.metadata.name === old.metadata.name);
    expect(all[i - 1]).toMatchObject({ kind: 'ConfigMap', data: { MODE: 'b' } });
    expect(all[i]).toEqual({ ...old, metadata: { ...old.metadata, annotations: { [REVISION_ANNOTATION]: '1' } } });
    expect(Object.keys(filesIn(v1))).toEqual(Object.keys(filesIn(v0)));
  });

  test('a re-synth of unchanged code over its own output is byte-identical', () => {
    const dir = tempDir();
    const [, , v2] = releases(['a', 'b', 'c']);
    synth(dir, { mode: 'c' }, PreviousOutput.fromDirectory(v2));
    expect(filesIn(dir)).toEqual(filesIn(v2));
  });

  test('returning to an earlier configuration makes it current again and retires the one before', () => {
    const dirs = releases(['a', 'b', 'c', 'b']);
    expect(revisions(dirs[3])).toEqual([['b', undefined], ['c', '3'], ['a', '1']]);
  });

  test.each([
    ['FILE_PER_RESOURCE', YamlOutputType.FILE_PER_RESOURCE, ''],
    ['FOLDER_PER_CHART_FILE_PER_RESOURCE', YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE, '0001-orders/'],
  ])('with %s, a carried revision gets a file of its own beside the current one', (_, type, folder) => {
    const [v0, v1] = releases(['a', 'b'], type);
    const old = objectsIn(v0).find((o: Manifest) => o.kind === 'ConfigMap')!;
    expect(filesIn(v1)[`${folder}ConfigMap.${old.metadata.name}.k8s.yaml`]).toContain(`${REVISION_ANNOTATION}: "1"`);
    expect(Object.keys(filesIn(v1)).length).toBe(Object.keys(filesIn(v0)).length + 1);
  });

  test(`Deployments and StatefulSets keep ${CONFIG_REVISIONS_KEPT} old revisions for a rollback (revisionHistoryLimit), one per ConfigMap revision kept`, () => {
    const { context } = setup();
    const products = microservice(context, 'products');
    const store = new StatefulService(context, 'cache', storeProps([products]));
    expect(find(objects(context), 'Deployment', 'products').spec.revisionHistoryLimit).toBe(CONFIG_REVISIONS_KEPT);
    expect(find(objects(context), 'StatefulSet', store.name).spec.revisionHistoryLimit).toBe(CONFIG_REVISIONS_KEPT);
    expect(CONFIG_REVISIONS_KEPT).toBe(3);
  });
});
