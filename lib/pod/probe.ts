import { Duration } from 'cdk8s';
import { k8s } from '../internal/k8s';
import { IConstruct } from 'constructs';
import { _credentialKind } from '../internal/credentials';
import { _wholeSeconds } from '../internal/duration';
import { _checkType, _instanceOf, _invalid } from '../internal/errors';
import { Port, PortProtocol } from './port';
import { ErrorCode } from '../internal/configuration-error';

/**
 * Timing options shared by every kind of probe.
 */
export interface ProbeOptions {
  /**
   * How long after the container starts before the first probe.
   *
   * @default Duration.seconds(0)
   */
  readonly initialDelay?: Duration;

  /**
   * How often to probe.
   *
   * @default Duration.seconds(10)
   */
  readonly period?: Duration;

  /**
   * How long one probe may take.
   *
   * @default Duration.seconds(2)
   */
  readonly timeout?: Duration;

  /**
   * Consecutive failures before the probe counts as failed.
   *
   * @default 3 (30 for a startup probe: five minutes to start at the default period)
   */
  readonly failureThreshold?: number;

  /**
   * Consecutive successes before the probe counts as passed again. Kubernetes
   * requires 1 for liveness and startup probes.
   *
   * @default 1
   */
  readonly successThreshold?: number;
}

/**
 * Options for probes that connect to one of the microservice's ports.
 */
export interface PortProbeOptions extends ProbeOptions {
  /**
   * The name of the port to probe.
   *
   * @default - the first port whose protocol matches the probe (HTTP for HTTP
   * probes, gRPC for gRPC probes, TCP for TCP probes), else the first port; a
   * gRPC probe without a gRPC port is an error
   */
  readonly port?: string;
}

/**
 * Options for HTTP probes.
 */
export interface HttpProbeOptions extends PortProbeOptions {
  /**
   * Request headers, by name (for example a cookie a readiness endpoint needs). They
   * are written into the pod spec, which everyone who may read the workload reads:
   * credentials (`Authorization`, tokens, keys) are refused.
   *
   * @default - no headers besides the kubelet's own (User-Agent, Accept)
   */
  readonly headers?: { [name: string]: string };
}

/**
 * Options for gRPC probes.
 */
export interface GrpcProbeOptions extends PortProbeOptions {
  /**
   * The service name sent in the gRPC health check request.
   *
   * @default - the server's overall health (empty service name)
   * @see https://github.com/grpc/grpc/blob/master/doc/health-checking.md
   */
  readonly service?: string;
}

/** What a probe tells Kubernetes. */
export enum ProbeRole {
  /** Ready to receive traffic. */
  READINESS = 'readiness',
  /** Alive; restarted when it fails. */
  LIVENESS = 'liveness',
  /** Started; the other probes wait for it. */
  STARTUP = 'startup',
}

type Handler =
  | { kind: 'http'; path: string; port?: string; headers?: { [name: string]: string } }
  | { kind: 'grpc'; port?: string; service?: string }
  | { kind: 'tcp'; port?: string }
  | { kind: 'exec'; command: string[] };

/**
 * A health probe: HTTP GET, gRPC health check, TCP connect or a command.
 *
 * @example
 * Probe.http('/healthz/ready')
 * Probe.grpc({ port: 'grpc' })
 * Probe.tcp({ port: 'amqp', period: Duration.seconds(20) })
 * Probe.exec(['/app/healthcheck'])
 * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
 */
export class Probe {
  /** An HTTP GET of `path`; any status from 200 to 399 passes. */
  public static http(path: string, options: HttpProbeOptions = {}): Probe {
    return new Probe({ kind: 'http', path, port: options.port, headers: options.headers ? { ...options.headers } : undefined }, options);
  }

  /** A gRPC health check (grpc.health.v1). */
  public static grpc(options: GrpcProbeOptions = {}): Probe {
    return new Probe({ kind: 'grpc', port: options.port, service: options.service }, options);
  }

  /** A TCP connect to a port. */
  public static tcp(options: PortProbeOptions = {}): Probe {
    return new Probe({ kind: 'tcp', port: options.port }, options);
  }

  /** A command run in the container; exit code 0 passes. */
  public static exec(command: string[], options: ProbeOptions = {}): Probe {
    return new Probe({ kind: 'exec', command: [...command] }, options);
  }

  private constructor(private readonly handler: Handler, private readonly options: ProbeOptions) {}

  /**
   * The kind of probe: `http`, `grpc`, `tcp` or `exec`.
   */
  public get kind(): string {
    return this.handler.kind;
  }

  /**
   * Renders the probe for a container with the given ports.
   * @internal
   */
  public _render(scope: IConstruct, role: ProbeRole, ports: Port[], prefix: string = ''): k8s.Probe {
    const prop = `${prefix}${role}`;
    const o = this.options;
    const successThreshold = o.successThreshold ?? 1;
    const failureThreshold = o.failureThreshold ?? (role === ProbeRole.STARTUP ? 30 : 3);
    if (role !== ProbeRole.READINESS && successThreshold !== 1) {
      throw _invalid(scope, `${prop}.successThreshold`, successThreshold,
        `must be 1 for a ${role} probe (Kubernetes rejects anything else)`, 'remove successThreshold or set it to 1', ErrorCode.CONFLICT);
    }
    for (const [name, value] of [['successThreshold', successThreshold], ['failureThreshold', failureThreshold]] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw _invalid(scope, `${prop}.${name}`, value, 'must be a whole number of at least 1', `set ${name} to 1 or more`, ErrorCode.OUT_OF_RANGE);
      }
    }
    const timeoutSeconds = _wholeSeconds(scope, `${prop}.timeout`, o.timeout ?? Duration.seconds(2), 1);
    const periodSeconds = _wholeSeconds(scope, `${prop}.period`, o.period ?? Duration.seconds(10), 1);
    if (timeoutSeconds > periodSeconds) {
      throw _invalid(scope, `${prop}.timeout`, `${timeoutSeconds}s`,
        `must not be longer than the period (${periodSeconds}s), or probes overlap`, 'shorten the timeout or lengthen the period', ErrorCode.CONFLICT);
    }
    const timing = {
      initialDelaySeconds: _wholeSeconds(scope, `${prop}.initialDelay`, o.initialDelay ?? Duration.seconds(0), 0),
      periodSeconds,
      timeoutSeconds,
      failureThreshold,
      successThreshold,
    };
    const h = this.handler;
    switch (h.kind) {
      case 'http': {
        _checkType(scope, `${prop}.path`, h.path, 'string', 'use a path such as \'/ready\'');
        if (!h.path.startsWith('/')) {
          throw _invalid(scope, `${prop}.path`, h.path, 'must be an absolute path starting with \'/\'', `use '/${h.path}'`);
        }
        const port = this.resolvePort(scope, prop, ports, h.port, PortProtocol.HTTP);
        const httpHeaders = Object.entries(h.headers ?? {}).map(([name, value]) => checkHeader(scope, `${prop}.headers`, name, value));
        return { ...timing, httpGet: { path: h.path, port: k8s.IntOrString.fromString(port.name), scheme: 'HTTP', ...(httpHeaders.length > 0 ? { httpHeaders } : {}) } };
      }
      case 'grpc': {
        const port = this.resolvePort(scope, prop, ports, h.port, PortProtocol.GRPC);
        if (h.service !== undefined && !GRPC_SERVICE.test(h.service)) {
          throw _invalid(scope, `${prop}.service`, h.service, 'must be a gRPC service name: letters, digits, \'_\' and \'.\' (such as \'grpc.health.v1.Health\' or \'orders.v1.Orders\')',
            'use the fully qualified service name the server registers with its health service, or leave service out for the server\'s overall health');
        }
        return { ...timing, grpc: { port: port.containerPort, ...(h.service !== undefined ? { service: h.service } : {}) } };
      }
      case 'tcp': {
        const port = this.resolvePort(scope, prop, ports, h.port, PortProtocol.TCP);
        return { ...timing, tcpSocket: { port: k8s.IntOrString.fromString(port.name) } };
      }
      case 'exec': {
        const secretWord = h.command.findIndex(word => _credentialKind(word) !== undefined);
        if (secretWord >= 0) {
          throw _invalid(scope, `${prop}.command[${secretWord}]`, '(value not shown)', `looks like ${_credentialKind(h.command[secretWord])}, which must not be written into the pod spec`,
            'read the credential from a mounted secret inside the probe command', ErrorCode.PLAINTEXT_SECRET);
        }
        if (h.command.length === 0 || h.command[0].length === 0) {
          throw _invalid(scope, `${prop}.command`, h.command, 'must name a program to run', 'pass the command as an array, for example [\'/app/healthcheck\']', ErrorCode.MISSING_REQUIRED);
        }
        return { ...timing, exec: { command: h.command } };
      }
    }
  }

  /**
   * What the probe checks, without its timing: readiness and liveness must check
   * different things, or a slow dependency restarts healthy pods.
   * @internal
   */
  public _fingerprint(scope: IConstruct, role: ProbeRole, ports: Port[]): string {
    const { httpGet, grpc, tcpSocket, exec } = this._render(scope, role, ports);
    return JSON.stringify({ httpGet, grpc, tcpSocket, exec });
  }

  /**
   * The HTTP path kube-score's pod-probes-identical would call this readiness probe
   * and `liveness` identical by, when they are not: it compares HTTP probes by path
   * only, not by port or headers.
   * @internal
   */
  public _kubeScorePath(liveness: Probe): string | undefined {
    return this.handler.kind === 'http' && liveness.handler.kind === 'http' && this.handler.path === liveness.handler.path ? this.handler.path : undefined;
  }

  private resolvePort(scope: IConstruct, prop: string, ports: Port[], name: string | undefined, preferred: PortProtocol): Port {
    if (name !== undefined) {
      const port = ports.find(p => p.name === name);
      if (!port) {
        throw _invalid(scope, `${prop}.port`, name, `must name one of the service's ports (${ports.map(p => `'${p.name}'`).join(', ') || 'it has none'})`,
          'use an existing port name or add the port to \'ports\'', ErrorCode.UNKNOWN_REFERENCE);
      }
      return port;
    }
    const port = ports.find(p => p.protocol === preferred) ?? (preferred === PortProtocol.GRPC ? undefined : ports[0]);
    if (!port) {
      throw _invalid(scope, `${prop}.port`, undefined,
        `must name a port, and the service has no ${preferred === PortProtocol.GRPC ? 'gRPC port' : 'port'} to default to`,
        preferred === PortProtocol.GRPC ? 'add Port.grpc(...) to \'ports\' or name a port' : 'add a port to \'ports\' or use Probe.exec', ErrorCode.MISSING_REQUIRED);
    }
    return port;
  }
}

const GRPC_SERVICE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,256}$/;
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization)$|token|secret|password|api-?key|bearer/i;

function checkHeader(scope: IConstruct, prop: string, name: string, value: string): { name: string; value: string } {
  if (!HEADER_NAME.test(name)) {
    throw _invalid(scope, prop, name, 'must be an HTTP header name (letters, digits and !#$%&\'*+.^_`|~-)', 'correct the header name, for example \'X-Probe\'', ErrorCode.INVALID_NAME);
  }
  if (CREDENTIAL_HEADER.test(name) || _credentialKind(value, name) !== undefined) {
    throw _invalid(scope, `${prop}.${name}`, '(value not shown)', 'carries a credential, which must not be written into the pod spec',
      'give the health endpoint a path that needs no credential (probes come from the kubelet on the node), or send a non-secret marker header', ErrorCode.PLAINTEXT_SECRET);
  }
  if (/[\r\n]/.test(value)) {
    throw _invalid(scope, `${prop}.${name}`, value, 'must be a single line', 'remove the line breaks');
  }
  return { name, value };
}

/**
 * A long-running container's probes, rendered and checked: readiness and liveness
 * are required unless `withoutProbes` gives the reason, and must check different
 * things.
 * @internal
 */
export interface _ProbeSet {
  readonly readiness?: k8s.Probe;
  readonly liveness?: k8s.Probe;
  readonly startup?: k8s.Probe;
  /** Why readiness and liveness may look the same, when kube-score reports them so. */
  readonly identical?: string;
}

/**
 * Renders and checks a long-running container's probes.
 * @internal
 */
export function _renderProbes(scope: IConstruct, ports: Port[], props: ContainerProbeProps, noun: string = 'service', prefix: string = ''): _ProbeSet {
  for (const role of ['readiness', 'liveness', 'startup'] as const) {
    if (props[role] !== undefined) {
      _instanceOf(scope, `${prefix}${role}`, props[role], Probe, 'use Probe.http(path), Probe.grpc(), Probe.tcp() or Probe.exec(command)');
    }
  }
  if (props.withoutProbes !== undefined) {
    _checkType(scope, `${prefix}withoutProbes`, props.withoutProbes, 'string', 'write the reason as a sentence');
    if (props.withoutProbes.trim().length === 0) {
      throw _invalid(scope, `${prefix}withoutProbes`, props.withoutProbes, `must give the reason this ${noun} runs without probes`,
        'write the reason, or add readiness and liveness probes', ErrorCode.MISSING_REQUIRED);
    }
    if (props.readiness || props.liveness) {
      throw _invalid(scope, `${prefix}withoutProbes`, props.withoutProbes, 'must not be set together with readiness or liveness probes',
        'remove withoutProbes, or remove the probes', ErrorCode.CONFLICT);
    }
  } else if (!props.readiness || !props.liveness) {
    const missing = [!props.readiness ? 'readiness' : undefined, !props.liveness ? 'liveness' : undefined].filter(Boolean).join(' and ');
    throw _invalid(scope, `${prefix}${missing.split(' and ')[0]}`, undefined,
      `must be set: a ${noun} needs ${missing} probes so that Kubernetes routes traffic only to ready pods and restarts stuck ones`,
      'add readiness and liveness (for example Probe.http(\'/ready\') and Probe.http(\'/live\')), or set withoutProbes to the reason', ErrorCode.MISSING_REQUIRED);
  }
  const readiness = props.readiness?._render(scope, ProbeRole.READINESS, ports, prefix);
  const liveness = props.liveness?._render(scope, ProbeRole.LIVENESS, ports, prefix);
  const startup = props.startup?._render(scope, ProbeRole.STARTUP, ports, prefix);
  const reason = props.identicalProbesReason;
  const identical = props.readiness !== undefined && props.liveness !== undefined
    && props.readiness._fingerprint(scope, ProbeRole.READINESS, ports) === props.liveness._fingerprint(scope, ProbeRole.LIVENESS, ports);
  if (reason !== undefined && (!identical || reason.trim().length === 0)) {
    throw _invalid(scope, `${prefix}identicalProbesReason`, reason, identical
      ? 'must give the reason readiness and liveness check the same thing' : 'must only be set when readiness and liveness check the same thing, and they differ',
    identical ? 'write the reason, for example \'a gRPC server with one health service has nothing else to offer\'' : 'remove identicalProbesReason', identical ? ErrorCode.MISSING_REQUIRED : ErrorCode.CONFLICT);
  }
  if (identical && reason === undefined) {
    throw _invalid(scope, `${prefix}liveness`, props.liveness!.kind,
      'must check something other than the readiness probe; when both check the same thing, a slow dependency restarts healthy pods',
      'point liveness at a cheap endpoint that only proves the process is alive (for example /live) and readiness at one that checks dependencies; '
      + 'if the server offers nothing else, set identicalProbesReason to say why', ErrorCode.CONFLICT);
  }
  // kube-score's pod-probes-identical reports identical HTTP, TCP and exec probes (it compares no
  // gRPC probes), and HTTP probes of one path on different ports or with different headers
  const path = props.readiness && props.liveness ? props.readiness._kubeScorePath(props.liveness) : undefined;
  const kubeScore = identical
    ? (props.readiness!.kind !== 'grpc' ? reason : undefined)
    : (path !== undefined ? `readiness and liveness both call ${path}, on different ports or with different headers: kube-score's pod-probes-identical compares HTTP probes by path only` : undefined);
  return { readiness, liveness, startup, identical: kubeScore };
}

/**
 * The probes of a long-running container (a workload's main container or a
 * sidecar), and the reasons to go without them.
 */
export interface ContainerProbeProps {
  /**
   * The readiness probe: may this pod receive traffic now? Required unless
   * `withoutProbes` gives a reason.
   *
   * @default - none; an error unless `withoutProbes` is set
   */
  readonly readiness?: Probe;

  /**
   * The liveness probe: is the process stuck and must be restarted? It must check
   * something other than the readiness probe. Required unless `withoutProbes`
   * gives a reason.
   *
   * @default - none; an error unless `withoutProbes` is set
   */
  readonly liveness?: Probe;

  /**
   * The startup probe, for processes that start slowly; the other probes wait for it.
   *
   * @default - no startup probe
   */
  readonly startup?: Probe;

  /**
   * Opts out of readiness and liveness probes, with the reason why (kept as an
   * annotation for reviewers and policy tools).
   *
   * @default - probes are required
   */
  readonly withoutProbes?: string;

  /**
   * Why readiness and liveness may check the same thing (a gRPC server with one
   * health service has nothing else to offer). Rendered as kube-score's suppression
   * of pod-probes-identical, with this reason, where kube-score reports it.
   *
   * @default - readiness and liveness must differ
   */
  readonly identicalProbesReason?: string;
}
