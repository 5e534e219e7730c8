import { _credentialKind } from '../../lib/internal/credentials';

// Made-up values in the published formats (none is a real credential); built from parts
// so that secret scanners reading this repository do not flag the test itself.
const fake = (...parts: string[]) => parts.join('');
const GENERATED = 'q7Vd9ZkP2mXw4LrT8bNc3HyJ6sGf1QeA';

describe('credential detection', () => {
  describe('refuses', () => {
    test.each([
      ['a Stripe key', fake('sk_', 'test_', '51HqLyjWDarjtT1zdp7dc8Xyz')],
      ['a Stripe key', fake('sk_', 'live_', '51HqLyjWDarjtT1zdp7dc8Xyz')],
      ['an OpenAI API key', fake('sk-', 'proj-', 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z')],
      ['an Anthropic API key', fake('sk-', 'ant-', 'api03-AbCdEfGhIjKlMnOpQrStUv')],
      ['an npm token', fake('npm_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8')],
      ['a SendGrid key', fake('SG.', 'abcdefghijklmnopqrstuv', '.', 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ')],
      ['a HashiCorp Vault token', fake('hvs.', 'CAESIJlWh2xV8fK3mNq9PzR4tY7u')],
      ['a Google OAuth token', fake('ya29.', 'a0AfH6SMBx1y2z3A4B5C6D7E8F9')],
      ['an Azure storage account key', fake('DefaultEndpointsProtocol=https;AccountKey=', 'Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4YWJjZA==')],
      ['a GitHub token', fake('ghp_', 'aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789')],
    ])('%s, anywhere in the value', (kind, value) => {
      expect(_credentialKind(`prefix ${value} suffix`)).toEqual(kind);
    });

    test.each([
      ['PAYMENT_API_KEY', 'f3a9c1d27be84e6a'],
      ['SIGNING_KEY', 'Zx81kQ0pLmN3vB7t'],
      ['DB_CREDENTIALS', 'u5er:Pa55w0rdXyZ9'],
      ['SESSION_SALT', '8d7f6a5s4d3f2g1h'],
      ['PRIVATE', 'abc123def456ghi789'],
    ])('a random value under the credential-like name %s', (name, value) => {
      expect(_credentialKind(value, name)).toMatch(new RegExp(`under the credential-like name '${name}'`));
    });

    test('a generated-looking token in a single value, whatever its name', () => {
      expect(_credentialKind(GENERATED, 'UPSTREAM_OPTIONS')).toMatch(/^a generated secret/);
      expect(_credentialKind(`--header=X-Auth:${GENERATED}`)).toMatch(/^a generated secret/);
    });

    test('a random value assigned to a credential-like name inside a configuration file', () => {
      const file = 'server:\n  port: 8080\npayments:\n  encryption_key: "f3a9c1d27be84e6a9d"\n';
      expect(_credentialKind(file)).toEqual('a random value assigned to the credential-like name \'encryption_key\'');
      expect(_credentialKind('[signing]\nsigning_key = Zx81kQ0pLmN3vB7tQ\n')).toMatch(/'signing_key'/);
    });
  });

  describe('accepts what is not a credential', () => {
    test.each([
      ['CACHE_KEY_PREFIX', 'products:v1:'],
      ['PRIMARY_KEY', 'id'],
      ['API_KEY_HEADER', 'X-Api-Key'],
      ['SIGNING_KEY_ID', 'f3a9c1d27be84e6a'],
      ['JWT_PUBLIC_KEY_URL', 'https://auth.shop.example.com/.well-known/jwks.json'],
      ['KEY_ROTATION_DAYS', '30'],
      ['AUTH_SERVICE_URL', 'http://auth.accounts.svc.cluster.local:8080'],
      ['IMAGE_DIGEST', 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
      ['REQUEST_ID_HEADER', 'X-Request-Id'],
      ['BUILD_UUID', '123e4567-e89b-12d3-a456-426614174000'],
      ['GIT_COMMIT', '10ae003038c81855aca8489df5e35da150f4dc2e'],
      ['JAVA_OPTS', '-XX:MaxRAMPercentage=75.0 -XX:+UseContainerSupport -Dcom.example.ProductServiceConfiguration=true'],
      ['LOG_LEVEL', 'info'],
      ['FEATURE_FLAGS', 'checkout-v2,reviews-sorting,PaymentsRetryPolicy2024'],
      ['STRIPE_PUBLISHABLE_KEY_NAME', 'stripe-publishable'],
    ])('%s = %p', (name, value) => {
      expect(_credentialKind(value, name)).toBeUndefined();
    });

    test('configuration files with certificates, public keys, ids and plain settings', () => {
      const file = [
        'tls:', '  ca: |', '    -----BEGIN CERTIFICATE-----', '    MIIBszCCAVmgAwIBAgIUQ3yY8fK3mNq9PzR4tY7uV2wX1zAwCgYIKoZIzj0EAwIw', '    -----END CERTIFICATE-----',
        'jwt:', '  public_key: "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo4"',
        '  key_id: "f3a9c1d27be84e6a9d"', '  issuer: https://auth.shop.example.com', 'cache:', '  key_prefix: products-v1-abcdef123456', '',
      ].join('\n');
      expect(_credentialKind(file)).toBeUndefined();
    });
  });
});
