import { Testing } from 'cdk8s';
import { _checkCidr } from '../../lib/internal/cidr';

describe('_checkCidr', () => {
  const scope = Testing.chart();
  const check = (cidr: string, allowEverything = false) => () => _checkCidr(scope, 'cidrs', cidr, allowEverything);

  test.each(['10.20.0.0/16', '10.20.3.4/32', '0.0.0.0/0', 'fd00:10::/64', '2001:db8::1/128', '::ffff:10.0.0.0/104', '::/0'])('accepts the network %s', cidr => {
    expect(check(cidr, true)).not.toThrow();
  });

  test('fails when the address has host bits set, naming the network and the one address', () => {
    expect(check('10.20.0.5/16')).toThrow(/^test: 'cidrs' \('10\.20\.0\.5\/16'\) must not have host bits set: the prefix \/16 makes it the whole network 10\.20\.0\.0\/16, not the address 10\.20\.0\.5; write '10\.20\.0\.0\/16' for the network, or '10\.20\.0\.5\/32' for the one address$/);
    expect(check('fd00:10::1/64')).toThrow(/the whole network fd00:10::\/64, not the address fd00:10::1; write 'fd00:10::\/64' for the network, or 'fd00:10::1\/128'/);
    expect(check('2001:db8:0:0:1:0:0:1/32')).toThrow(/write '2001:db8::\/32'/);
  });

  test('fails when it opens every address, unless that is allowed', () => {
    expect(check('0.0.0.0/0')).toThrow(/^test: 'cidrs' \('0\.0\.0\.0\/0'\) must be narrower than every address; name the subnet/);
    expect(check('::/0')).toThrow(/must be narrower than every address/);
  });

  test('fails when an address has no prefix length, naming the one to write', () => {
    expect(check('10.20.0.5')).toThrow(/\('10\.20\.0\.5'\) must be an IPv4 or IPv6 network in CIDR notation \(address\/prefix length\); write '10\.20\.0\.5\/32' for the one address$/);
    expect(check('fd00::1')).toThrow(/write 'fd00::1\/128' for the one address$/);
  });

  test.each(['10.20.0.0/33', '10.20.0.256/32', 'fd00::/129', 'db.internal/32', '10.0.0.0/16/1', '10.0.0.0/-1', ''])('fails when %p is not a CIDR', cidr => {
    expect(check(cidr)).toThrow(/must be an IPv4 or IPv6 network in CIDR notation \(address\/prefix length\); write it as address\/prefix/);
  });
});
