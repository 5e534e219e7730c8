/**
 * Detectors for values that look like credentials, so that they are refused where
 * they would be stored in plaintext (ConfigMaps, plain environment variables).
 * Each returns what the value looks like; messages never print the value itself.
 */
const DETECTORS: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]{0,32}PRIVATE KEY( BLOCK)?-----/, 'a private key'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8}/, 'a JSON Web Token'],
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}\b/, 'a GitHub token'],
  [/\bgithub_pat_[A-Za-z0-9_]{40,}\b/, 'a GitHub token'],
  [/\bglpat-[A-Za-z0-9_-]{20,}\b/, 'a GitLab token'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/\b(sk|rk)_live_[A-Za-z0-9]{16,}\b/, 'a Stripe key'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, 'a Google API key'],
  [/\bBearer\s{1,8}[A-Za-z0-9._~+/-]{16}/, 'a bearer token'],
  // bounded repetitions keep every pattern linear on large inputs (1 MiB config files)
  [/\b[a-z][a-z0-9+.-]{0,31}:\/\/[^\s/:@]{1,256}:[^\s@]{1,256}@/i, 'a URL with a password'],
  [/\b(password|passwd|pwd|secret|token|api[_-]?key)["']?\s{0,4}[=:]\s{0,4}["']?[^\s"',}{]{4}/i, 'a password, secret or token assignment'],
];

/**
 * Environment variable names that security scanners (Polaris'
 * sensitiveContainerEnvVar) treat as credentials whatever their value.
 */
const CREDENTIAL_NAME = /password|token|bearer|secret/i;

/**
 * Whether an environment variable name reads as a credential's.
 */
export function _isCredentialName(name: string): boolean {
  return CREDENTIAL_NAME.test(name);
}

/**
 * What `value` looks like, when it looks like a credential; otherwise undefined.
 */
export function _credentialKind(value: string): string | undefined {
  for (const [pattern, kind] of DETECTORS) {
    if (pattern.test(value)) {
      return kind;
    }
  }
  return undefined;
}
