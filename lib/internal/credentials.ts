/**
 * Detectors for values that look like credentials, so that they are refused where
 * they would be stored in plaintext (ConfigMaps, plain environment variables, the
 * pod spec). Each returns what the value looks like; messages never print the value.
 *
 * Three layers, each keeping false positives low:
 * - the formats of well-known tokens (prefixes and shapes providers publish so that
 *   scanners can find them), anywhere in the text;
 * - a random-looking value under a credential-like name (`PAYMENT_API_KEY`, an
 *   assignment `signing_key: ...` inside a configuration file), but never under a
 *   name that says it is public or merely refers to a key (`*_KEY_ID`, `PUBLIC_KEY`);
 * - for single values (environment values, command-line words), a long high-entropy
 *   token of mixed case and digits, the shape of a generated secret; hex digests,
 *   UUIDs, paths and names have no such shape.
 * Every pattern is linear on large inputs (bounded repetitions), for 1 MiB files.
 */
const DETECTORS: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]{0,32}PRIVATE KEY( BLOCK)?-----/, 'a private key'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8}/, 'a JSON Web Token'],
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}\b/, 'a GitHub token'],
  [/\bgithub_pat_[A-Za-z0-9_]{40,}\b/, 'a GitHub token'],
  [/\bglpat-[A-Za-z0-9_-]{20,}\b/, 'a GitLab token'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/\b(sk|rk)_(live|test)_[A-Za-z0-9]{16,}\b/, 'a Stripe key'],
  [/\bwhsec_[A-Za-z0-9+/]{24,}/, 'a webhook signing secret'],
  [/\bsk-ant-[A-Za-z0-9_-]{20,}/, 'an Anthropic API key'],
  [/\bsk-(proj-)?[A-Za-z0-9_-]{32,}/, 'an OpenAI API key'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, 'a Google API key'],
  [/\bya29\.[0-9A-Za-z_-]{20,}/, 'a Google OAuth token'],
  [/\bnpm_[A-Za-z0-9]{36}\b/, 'an npm token'],
  [/\bpypi-AgE[A-Za-z0-9_-]{50,}/, 'a PyPI token'],
  [/\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/, 'a SendGrid key'],
  [/\bSK[0-9a-f]{32}\b/, 'a Twilio key'],
  [/\bhv[sb]\.[A-Za-z0-9_-]{24,}/, 'a HashiCorp Vault token'],
  [/\bshp(at|ca|pa|ss)_[a-fA-F0-9]{32}\b/, 'a Shopify token'],
  [/\bdop_v1_[a-f0-9]{64}\b/, 'a DigitalOcean token'],
  [/\bsq0(atp|csp)-[0-9A-Za-z_-]{22,}/, 'a Square token'],
  [/\bAccountKey=[A-Za-z0-9+/=]{40,}/, 'an Azure storage account key'],
  [/\bBearer\s{1,8}[A-Za-z0-9._~+/-]{16}/, 'a bearer token'],
  [/\b[a-z][a-z0-9+.-]{0,31}:\/\/[^\s/:@]{1,256}:[^\s@]{1,256}@/i, 'a URL with a password'],
  [/\b(password|passwd|pwd|secret|token|api[_-]?key)["']?\s{0,4}[=:]\s{0,4}["']?(?!\$)[^\s"',}{]{4}/i, 'a password, secret or token assignment'],
];

/**
 * Environment variable names that security scanners (Polaris'
 * sensitiveContainerEnvVar) treat as credentials whatever their value.
 */
const CREDENTIAL_NAME = /password|token|bearer|secret/i;

/**
 * The abbreviations of those names that scanners miss: `DB_PASS`, `MYSQL_PWD`,
 * `SMTP_PASSWD`, `REDIS_PW`, `GH_TKN`. The abbreviation ends the name, after a
 * separator (`PASSWD` anywhere), so that `BYPASS`, `COMPASS` and the shell's `PWD`
 * stay plain names.
 */
const ABBREVIATED_NAME = /[-_.](pass|pwd|pw|tkn)$|passwd/i;

/** Names that hint at a credential when the value looks random. */
const HINT_NAME = /(^|[^a-z])(api_?key|access_?key|private_?key|signing_?key|encryption_?key|master_?key|key|credentials?|private|passphrase|auth|salt|pepper|seed)([^a-z]|$)/i;

/** Names that say the value is public or only refers to a key. */
const NOT_A_SECRET_NAME = /public|(^|[^a-z])(id|ids|name|names|path|file|dir|url|uri|ref|arn|prefix|suffix|header|size|ttl|count|length|field|column|type|alg|algorithm|format|version)([^a-z]|$)/i;

/** `name: value` or `name = value` inside a text, with the name and the value captured. */
const ASSIGNMENT = /(?<![A-Za-z0-9_.-])["']?([A-Za-z][A-Za-z0-9_.-]{0,63})["']?\s{0,4}[=:]\s{0,4}["']?([A-Za-z0-9+/=_.~-]{16,512})/g;

/**
 * Whether an environment variable name reads as a credential's.
 */
export function _isCredentialName(name: string): boolean {
  return CREDENTIAL_NAME.test(name) || ABBREVIATED_NAME.test(name);
}

/** Shannon entropy in bits per character. */
function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** A value as random as a generated key: 16+ characters, letters and digits, no spaces, little repetition. */
function looksRandom(value: string): boolean {
  return value.length >= 16 && !/\s/.test(value) && /[A-Za-z]/.test(value) && /\d/.test(value) && entropy(value) >= 3.3;
}

/** The shape of a generated secret without any name: 32+ characters of mixed case and digits, high entropy. */
function looksGenerated(token: string): boolean {
  return token.length >= 32 && /[a-z]/.test(token) && /[A-Z]/.test(token) && /\d/.test(token) && entropy(token) >= 4.2;
}

function hintedName(name: string): boolean {
  return HINT_NAME.test(name) && !NOT_A_SECRET_NAME.test(name);
}

/**
 * What `value` looks like, when it looks like a credential; otherwise undefined.
 *
 * @param value the text: an environment value, a command-line word, a file's content
 * @param name the name the value is stored under (an environment variable), if any
 */
export function _credentialKind(value: string, name?: string): string | undefined {
  for (const [pattern, kind] of DETECTORS) {
    if (pattern.test(value)) {
      return kind;
    }
  }
  if (name !== undefined && hintedName(name) && looksRandom(value)) {
    return `a random value under the credential-like name '${name}'`;
  }
  if (!/[\r\n]/.test(value)) {
    // a single value: any long generated-looking token in it
    for (const token of value.slice(0, 65536).split(/[^A-Za-z0-9+/=_-]+/)) {
      if (looksGenerated(token)) {
        return 'a generated secret (a long random string of mixed case and digits)';
      }
    }
    return undefined;
  }
  // a text (a configuration file): assignments of random-looking values to credential-like names
  for (const m of value.matchAll(ASSIGNMENT)) {
    if (hintedName(m[1]) && looksRandom(m[2])) {
      return `a random value assigned to the credential-like name '${m[1]}'`;
    }
  }
  return undefined;
}

/**
 * Keys whose value is a credential, as a command-line flag (without its dashes) or a
 * shell assignment's name: the name ends with the credential (`--password`,
 * `--requirepass`, `--db-password`, `--api-key`, `--client-secret`, `PGPASSWORD`,
 * `MYSQL_PWD`). A key that goes on (`--password-file`, `--token-path`, `--secret-name`,
 * `DB_PASSWORD_FILE`) names where the credential is, not the credential.
 */
const CREDENTIAL_KEY = /(password|passwd|requirepass|masterauth|token|secret|bearer|api[-_]?key|access[-_]?key|private[-_]?key|credentials?)$|(^|[-_.])(pass|pwd|pw)$/i;

/** Flags that turn something off and take no credential (`--no-password`). */
const NEGATED_FLAG = /^(no|skip|without|disable)[-_]/i;

/**
 * Whether `value`, the value of a credential key, is the credential itself rather than
 * a reference to it: an environment reference (`$(DB_PASSWORD)`, `$DB_PASSWORD`, a
 * command substitution), a file (`/run/secrets/db`, `@file`), another flag, or, for
 * the ambiguous short flag `-p` (a port, `mkdir -p`, `cp -p`), anything but a word of
 * letters mixed with digits or symbols.
 */
function literalCredential(value: string, shortFlag: boolean): boolean {
  const v = value.replace(/^(["'])(.*)\1$/s, '$2');
  if (v.length === 0 || /^[$@~/-]|^\.\//.test(v)) {
    return false;
  }
  if (shortFlag) {
    return /[A-Za-z]/.test(v) && /[^A-Za-z]/.test(v) && !/[/.:]/.test(v) && !/^\d/.test(v);
  }
  return true;
}

/** Whether `word` is a flag that takes a credential as its value, with the flag's name. */
function credentialFlag(word: string): { flag: string; short: boolean } | undefined {
  const m = /^(--?)([A-Za-z][A-Za-z0-9_.-]{0,63})$/.exec(word);
  if (!m) {
    return undefined;
  }
  if (m[1] === '-' && m[2] === 'p') {
    return { flag: word, short: true };
  }
  return CREDENTIAL_KEY.test(m[2]) && !NEGATED_FLAG.test(m[2]) ? { flag: word, short: false } : undefined;
}

/**
 * What the credential in a sequence of words looks like, by the index of the word,
 * or undefined: the value after a credential flag (`--password x`, `--password=x`,
 * `-p x`), a shell assignment to a credential name (`PGPASSWORD=x psql`, `export
 * DB_PASS=x`).
 */
function credentialInWords(words: string[]): { index: number; kind: string } | undefined {
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const eq = word.indexOf('=');
    if (eq > 0) {
      const key = word.slice(0, eq);
      const value = word.slice(eq + 1);
      const flag = credentialFlag(key);
      if (flag && literalCredential(value, flag.short)) {
        return { index: i, kind: `a credential as the value of '${key}'` };
      }
      if (!/\s/.test(word) && /^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(key) && (CREDENTIAL_KEY.test(key) || ABBREVIATED_NAME.test(key)) && !NOT_A_SECRET_NAME.test(key)
        && literalCredential(value, false)) {
        return { index: i, kind: `a credential assigned to '${key}'` };
      }
      continue;
    }
    const flag = credentialFlag(word);
    if (flag && i + 1 < words.length && literalCredential(words[i + 1], flag.short)) {
      return { index: i + 1, kind: `a credential as the value of '${word}'` };
    }
  }
  return undefined;
}

/**
 * What the credential on a command line (a container's `command` or `args`, an exec
 * probe) looks like, and the index of the word that holds it; otherwise undefined.
 * Each word goes through `_credentialKind`; then the words are read as a command
 * line (a credential flag's value, `NAME=value` of a credential name), and so is
 * every word that holds a shell script (`sh -c '...'`), split at blanks.
 */
export function _commandLineCredential(words: string[]): { index: number; kind: string } | undefined {
  for (let i = 0; i < words.length; i++) {
    const kind = _credentialKind(words[i]);
    if (kind) {
      return { index: i, kind };
    }
  }
  const direct = credentialInWords(words);
  if (direct) {
    return direct;
  }
  for (let i = 0; i < words.length; i++) {
    if (/\s/.test(words[i])) {
      const inner = credentialInWords(words[i].slice(0, 65536).split(/[\s;&|()]+/).filter(w => w.length > 0));
      if (inner) {
        return { index: i, kind: inner.kind };
      }
    }
  }
  return undefined;
}
