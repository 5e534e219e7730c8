import { compareObjects } from './helm';

const cm = (name: string, data: object, namespace = 'catalog') => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });

describe('the Helm stage\'s comparison of helm template with dist/<env>/', () => {
  test('equal sets in another order: no difference', () => {
    expect(compareObjects([cm('a', { k: '{{ x }}' }), cm('b', {})], [cm('b', {}), cm('a', { k: '{{ x }}' })])).toEqual([]);
  });

  test('names an object missing, one only in the chart, and one that differs (a value Helm templated)', () => {
    const lines = compareObjects([cm('a', { k: '{{ x }}' }), cm('gone', {})], [cm('a', { k: '' }), cm('new', {})]);
    expect(lines).toEqual([
      'missing from helm template: v1 ConfigMap catalog/gone',
      'only in helm template: v1 ConfigMap catalog/new',
      expect.stringMatching(/^differs: v1 ConfigMap catalog\/a\n {2}dist: {2}.*"k":"\{\{ x \}\}".*\n {2}helm: {2}.*"k":""/),
    ]);
  });

  test('the same name in another namespace or apiVersion is another object', () => {
    expect(compareObjects([cm('a', {})], [cm('a', {}, 'orders')])).toEqual([
      'missing from helm template: v1 ConfigMap catalog/a', 'only in helm template: v1 ConfigMap orders/a']);
  });

  test('an object rendered twice is named', () => {
    expect(compareObjects([cm('a', {})], [cm('a', {}), cm('a', {})])).toEqual(['helm template renders an object twice']);
  });
});
