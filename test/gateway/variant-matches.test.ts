import { _cookieRegex } from '../../lib/gateway/variant-matches';

describe('the Cookie header match of an A/B variant', () => {
  const matches = (name: string, value: string, header: string) => new RegExp(_cookieRegex(name, value)).test(header);

  test('matches the cookie with exactly the value, wherever it is in the header', () => {
    expect(matches('variant', 'b', 'variant=b')).toBe(true);
    expect(matches('variant', 'b', 'session=1; variant=b')).toBe(true);
    expect(matches('variant', 'b', 'variant=b; session=1')).toBe(true);
  });

  test('does not match another value, a longer name or a value that starts the same', () => {
    expect(matches('variant', 'b', 'variant=a')).toBe(false);
    expect(matches('variant', 'b', 'xvariant=b')).toBe(false);
    expect(matches('variant', 'b', 'variant=bb')).toBe(false);
  });

  test('escapes what a regular expression would read: a.b matches only a.b', () => {
    expect(matches('a.b', 'x+y', 'a.b=x+y')).toBe(true);
    expect(matches('a.b', 'x+y', 'aXb=x+y')).toBe(false);
    expect(matches('a.b', 'x+y', 'a.b=xxy')).toBe(false);
  });
});
