import { _POD_KINDS, _containersOf, _podTemplateOf } from '../pod-template';
import { PolicyFinding, PolicyManifest, PolicyRule } from '../policy-rule';
import { _at, _list, _obj, _str } from '../json';

/** The volume types the Pod Security Standard `restricted` allows. */
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/**
 * CMS-004: the fields of the Pod Security Standard `restricted` (latest), checked
 * before the API server's admission does: no host namespaces, ports or paths, not
 * privileged, no privilege escalation, non-root, seccomp RuntimeDefault or
 * Localhost, every capability dropped (NET_BIND_SERVICE may be added back).
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
export const POD_SECURITY_RESTRICTED: PolicyRule = {
  id: 'CMS-004',
  slug: 'pod-security-restricted',
  description: 'pods meet the Pod Security Standard restricted: non-root, no privilege escalation, drop ALL, seccomp RuntimeDefault, no host access',
  reason: 'a namespace that enforces restricted rejects the pod at apply time; one that does not lets a compromised container reach the node',
  fix: 'set runAsNonRoot: true and seccompProfile.type: RuntimeDefault on the pod, allowPrivilegeEscalation: false and capabilities.drop: [ALL] on every container; remove host namespaces, hostPath volumes and hostPorts',
  kinds: _POD_KINDS,
  check(manifest: PolicyManifest): PolicyFinding[] {
    const pod = _podTemplateOf(manifest);
    if (pod === undefined) {
      return [];
    }
    const findings: PolicyFinding[] = [];
    const add = (path: string, message: string) => findings.push({ path, message });
    for (const host of ['hostNetwork', 'hostPID', 'hostIPC']) {
      if (pod.spec[host] === true) add(_at(pod.path, host), `${host} is true`);
    }
    _list(pod.spec.volumes).forEach((v, i) => {
      const type = Object.keys(_obj(v)).find(k => k !== 'name');
      if (type !== undefined && !RESTRICTED_VOLUMES.includes(type)) {
        add(_at(_at(_at(pod.path, 'volumes'), i), type), `volume '${_str(_obj(v).name) ?? i}' is of type ${type}, which restricted forbids`);
      }
    });
    const podSecurity = _obj(pod.spec.securityContext);
    const podSeccomp = _str(_obj(podSecurity.seccompProfile).type);
    for (const c of _containersOf(pod)) {
      const sc = _obj(c.container.securityContext);
      const at = _at(c.path, 'securityContext');
      const name = `container '${c.name}'`;
      if (sc.privileged === true) add(_at(at, 'privileged'), `${name} is privileged`);
      if (sc.allowPrivilegeEscalation !== false) add(_at(at, 'allowPrivilegeEscalation'), `${name} does not set allowPrivilegeEscalation: false`);
      const nonRoot = sc.runAsNonRoot ?? podSecurity.runAsNonRoot;
      if (nonRoot !== true) add(_at(at, 'runAsNonRoot'), `${name} does not run with runAsNonRoot: true (on the container or the pod)`);
      if ((sc.runAsUser ?? podSecurity.runAsUser) === 0) add(_at(at, 'runAsUser'), `${name} runs as user 0 (root)`);
      const seccomp = _str(_obj(sc.seccompProfile).type) ?? podSeccomp;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
        add(_at(at, 'seccompProfile'), `${name} has seccomp profile ${seccomp ?? '(none)'}, not RuntimeDefault or Localhost`);
      }
      const caps = _obj(sc.capabilities);
      if (!_list(caps.drop).includes('ALL')) add(_at(_at(at, 'capabilities'), 'drop'), `${name} does not drop ALL capabilities`);
      const added = _list(caps.add).filter(cap => cap !== 'NET_BIND_SERVICE');
      if (added.length > 0) add(_at(_at(at, 'capabilities'), 'add'), `${name} adds capabilities ${added.join(', ')} (only NET_BIND_SERVICE is allowed)`);
      _list(c.container.ports).forEach((p, i) => {
        const hostPort = _obj(p).hostPort;
        if (typeof hostPort === 'number' && hostPort !== 0) add(_at(_at(_at(c.path, 'ports'), i), 'hostPort'), `${name} binds host port ${hostPort}`);
      });
    }
    return findings;
  },
};
