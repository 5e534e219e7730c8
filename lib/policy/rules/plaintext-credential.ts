import { _commandLineCredential, _credentialKind, _isCredentialName } from '../../internal/credentials';
import { _POD_KINDS, _Container, _containersOf, _podTemplateOf } from '../pod-template';
import { PolicyFinding, PolicyManifest, PolicyRule } from '../policy-rule';
import { _at, _list, _obj, _str } from '../json';

/** A ConfigMap key that an `envFrom` turns into an environment variable. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The words of `command` then `args` of an exec action (a probe or a lifecycle hook), if any. */
function execCommands(c: _Container): Array<{ path: string; words: string[] }> {
  const out: Array<{ path: string; words: string[] }> = [];
  for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
    out.push({ path: _at(_at(_at(c.path, probe), 'exec'), 'command'), words: _list(_obj(_obj(c.container[probe]).exec).command).map(String) });
  }
  for (const hook of ['postStart', 'preStop']) {
    const at = _at(_at(_at(c.path, 'lifecycle'), hook), 'exec');
    out.push({ path: _at(at, 'command'), words: _list(_obj(_obj(_obj(_obj(c.container.lifecycle)[hook]).exec)).command).map(String) });
  }
  return out.filter(x => x.words.length > 0);
}

function containerFindings(c: _Container): PolicyFinding[] {
  const findings: PolicyFinding[] = [];
  const name = `container '${c.name}'`;
  _list(c.container.env).forEach((e, i) => {
    const env = _obj(e);
    const key = _str(env.name) ?? '';
    const value = _str(env.value);
    if (value === undefined || value === '') {
      return;
    }
    const at = _at(_at(_at(c.path, 'env'), i), 'value');
    const kind = _isCredentialName(key) ? `a value under the credential name '${key}'` : _credentialKind(value, key);
    if (kind !== undefined) findings.push({ path: at, message: `${name} has ${kind} in plain environment variable ${key}` });
  });
  const command = _list(c.container.command).map(String);
  const args = _list(c.container.args).map(String);
  const found = _commandLineCredential([...command, ...args]);
  if (found !== undefined) {
    const inCommand = found.index < command.length;
    const path = _at(_at(c.path, inCommand ? 'command' : 'args'), inCommand ? found.index : found.index - command.length);
    findings.push({ path, message: `${name} has ${found.kind} on its command line` });
  }
  for (const exec of execCommands(c)) {
    const inExec = _commandLineCredential(exec.words);
    if (inExec !== undefined) findings.push({ path: _at(exec.path, inExec.index), message: `${name} has ${inExec.kind} in an exec command` });
  }
  return findings;
}

function configMapFindings(manifest: PolicyManifest): PolicyFinding[] {
  const findings: PolicyFinding[] = [];
  for (const [key, raw] of Object.entries(_obj(manifest.data))) {
    const value = _str(raw) ?? '';
    const envLike = ENV_NAME.test(key);
    const kind = envLike && value !== '' && _isCredentialName(key) ? `a value under the credential name '${key}'` : _credentialKind(value, envLike ? key : undefined);
    if (kind !== undefined) findings.push({ path: _at(_at('$', 'data'), key), message: `key '${key}' holds ${kind}` });
  }
  return findings;
}

/**
 * CMS-011: no credential in plaintext: not in environment values, command lines or
 * exec probes and hooks of a pod, not in a ConfigMap, and no Secret with values in
 * the manifests. The detector is the one our constructs refuse such input with
 * (`lib/internal/credentials.ts`): well-known token formats, random values under
 * credential-like names, generated-looking tokens, credential flags.
 */
export const PLAINTEXT_CREDENTIAL: PolicyRule = {
  id: 'CMS-011',
  slug: 'plaintext-credential',
  description: 'no credential in plaintext in env values, command lines, exec probes, ConfigMaps or Secret manifests',
  reason: 'manifests are committed, printed by kubectl describe, readable by whoever may read ConfigMaps or the pod spec, and kept in every git clone: a credential there is leaked',
  fix: 'keep the credential in a secret manager (ExternalSecret, SealedSecret) and pass it as a mounted file or a secretKeyRef; never as a value in the manifests',
  kinds: [..._POD_KINDS, 'ConfigMap', 'Secret'],
  check(manifest: PolicyManifest): PolicyFinding[] {
    if (manifest.kind === 'ConfigMap') {
      return configMapFindings(manifest);
    }
    if (manifest.kind === 'Secret') {
      const keys = [...Object.keys(_obj(manifest.data)), ...Object.keys(_obj(manifest.stringData))];
      return keys.length === 0 ? [] : [{ path: manifest.stringData !== undefined ? '$.stringData' : '$.data',
        message: `Secret '${manifest.metadata?.name ?? ''}' carries its values (${keys.join(', ')}) in the manifest, base64 is not encryption` }];
    }
    const pod = _podTemplateOf(manifest);
    return pod === undefined ? [] : _containersOf(pod).flatMap(containerFindings);
  },
};
