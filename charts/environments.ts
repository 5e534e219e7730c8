import { Environment, ResourceSizing, SecretStore } from '../lib';

/**
 * A developer cluster: at most three replicas of anything (an autoscaler between 2
 * and 3: the linters want at least 2 and a range), a quarter of the CPU and
 * half the memory, plain HTTP on its own hosts (no certificates), the development
 * Vault, and the gateway reachable from the office network only. Literal secrets
 * stay refused: nothing secret lands in dist/ in plaintext, in any environment.
 */
export const DEV = Environment.of('dev', {
  replicas: { max: 3 },
  resources: ResourceSizing.percent({ cpu: 25, memory: 50 }),
  quota: {
    accounts: { pods: 20 },
    catalog: { pods: 20 },
    orders: { pods: 20 },
  },
  hosts: { api: 'api.dev.sales.example.com', shop: 'shop.dev.sales.example.com' },
  allowPlainHttp: true,
  secretStores: { vault: SecretStore.cluster('vault-dev') },
  exposure: { allowedSourceRanges: ['10.0.0.0/8'] },
});

/**
 * Staging: production's shape at a smaller scale (at most four replicas), its own
 * hosts with certificates from Let's Encrypt's staging issuer, the staging Vault.
 */
export const STAGING = Environment.of('staging', {
  replicas: { max: 4 },
  hosts: { api: 'api.staging.sales.example.com', shop: 'shop.staging.sales.example.com' },
  tlsIssuer: 'letsencrypt-staging',
  secretStores: { vault: SecretStore.cluster('vault-staging') },
});

/** Production: the platform as its code declares it. */
export const PROD = Environment.of('prod', {
  hosts: { api: 'api.sales.example.com', shop: 'shop.sales.example.com' },
  tlsIssuer: 'letsencrypt-prod',
});

/** The environments the reference platform ships, in the order they are synthesized. */
export const ENVIRONMENTS: readonly Environment[] = [DEV, STAGING, PROD];
