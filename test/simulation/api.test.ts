import { ApiObject, Informer, KubeApi } from './api';

type Handler = { onEvent: (type: string, obj: unknown) => void; onEnd: (err?: Error) => void; rv: string };

/** Stands in for the API server: serves lists and hands the test the watch callbacks. */
class FakeApi {
  lists: { items: ApiObject[]; rv: string }[] = [];
  watches: Handler[] = [];
  listCalls = 0;
  list(): Promise<{ items: ApiObject[]; metadata: { resourceVersion: string } }> {
    const l = this.lists[Math.min(this.listCalls++, this.lists.length - 1)];
    return Promise.resolve({ items: l.items, metadata: { resourceVersion: l.rv } });
  }
  watch(_p: string, rv: string, onEvent: Handler['onEvent'], onEnd: Handler['onEnd']): () => void {
    this.watches.push({ onEvent, onEnd, rv });
    return () => undefined;
  }
}

const obj = (name: string, rv: string, ns = 'shop'): ApiObject => ({ metadata: { name, namespace: ns, resourceVersion: rv } });
const flush = (ms = 250): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('Informer', () => {
  test('keeps a live copy: list, then every watch event, with a callback after each', async () => {
    const api = new FakeApi();
    api.lists = [{ items: [obj('a', '1')], rv: '5' }];
    const seen: string[] = [];
    const inf = new Informer<ApiObject>(api as unknown as KubeApi, '/api/v1/pods', (t, o) => seen.push(`${t} ${o.metadata.name} (${inf.items.size})`));
    await inf.start();
    expect(api.watches[0].rv).toBe('5');
    api.watches[0].onEvent('ADDED', obj('b', '6'));
    api.watches[0].onEvent('MODIFIED', obj('a', '7'));
    api.watches[0].onEvent('DELETED', obj('b', '8'));
    // the store is updated before the callback runs
    expect(seen).toEqual(['ADDED b (2)', 'MODIFIED a (2)', 'DELETED b (1)']);
    expect(inf.list().map((o) => o.metadata.resourceVersion)).toEqual(['7']);
    inf.stop();
  });

  test('resumes from the last resource version (bookmarks included) when the stream ends', async () => {
    const api = new FakeApi();
    api.lists = [{ items: [], rv: '5' }];
    const inf = new Informer<ApiObject>(api as unknown as KubeApi, '/api/v1/pods');
    await inf.start();
    api.watches[0].onEvent('ADDED', obj('a', '9'));
    api.watches[0].onEvent('BOOKMARK', { metadata: { resourceVersion: '12' } });
    api.watches[0].onEnd();
    await flush();
    expect(api.watches.map((w) => w.rv)).toEqual(['5', '12']);
    expect(api.listCalls).toBe(1);
    inf.stop();
  });

  test('lists again after the watch expired (410 Gone), dropping what no longer exists', async () => {
    const api = new FakeApi();
    api.lists = [{ items: [obj('a', '1'), obj('b', '2')], rv: '5' }, { items: [obj('b', '20')], rv: '21' }];
    const inf = new Informer<ApiObject>(api as unknown as KubeApi, '/api/v1/pods');
    await inf.start();
    api.watches[0].onEvent('ERROR', { metadata: { name: '' }, code: 410 });
    api.watches[0].onEnd();
    await flush();
    expect(api.listCalls).toBe(2);
    expect(inf.list().map((o) => o.metadata.name)).toEqual(['b']);
    expect(api.watches[1].rv).toBe('21');
    inf.stop();
  });

  test('a stopped informer neither watches nor lists again', async () => {
    const api = new FakeApi();
    api.lists = [{ items: [], rv: '5' }];
    const inf = new Informer<ApiObject>(api as unknown as KubeApi, '/api/v1/pods');
    await inf.start();
    inf.stop();
    api.watches[0].onEnd();
    await flush();
    expect(api.watches).toHaveLength(1);
    expect(api.listCalls).toBe(1);
  });
});
