import { IConstruct } from 'constructs';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';
import { _compare, _invalid } from '../internal/errors';
import { LABEL } from '../internal/labels';
import * as gw from '../imports/gateway.networking.k8s.io';
import { _GATEWAY_API_LIMITS } from './gateway-api-limits';
import { _covers, _hostSlug } from './routing';

/** A listener of the Gateway, and the namespaces whose routes it admits. @internal */
export interface _Listener {
  readonly name: string;
  readonly protocol: string;
  readonly port: number;
  /** The host name it serves; undefined: every host and address (or a TCP listener). */
  readonly hostname?: string;
  readonly kinds: string[];
  readonly passthrough?: boolean;
  /** The namespaces of the routes on it; undefined: only the Gateway's own namespace. */
  readonly namespaces?: Set<string>;
}

/** What the listeners need of their gateway. @internal */
export interface _ListenerOwner extends IConstruct {
  /** The Secret of the certificate, when the gateway terminates TLS. */
  readonly tlsSecretName?: string;
}

/**
 * The listeners of an `ApiGateway`'s Gateway: one per host (HTTPS, or HTTP on a
 * development gateway), or one without a host name when the gateway has no hosts,
 * the HTTP listener that redirects to HTTPS, and one per TLS passthrough or TCP route.
 * @internal
 */
export class _GatewayListeners {
  private readonly listeners = new Map<string, _Listener>();

  constructor(private readonly gateway: _ListenerOwner, private readonly hosts: string[]) {}

  /** The listeners, in the order they were added. */
  public get all(): _Listener[] {
    return [...this.listeners.values()];
  }

  /** The name of the listener of a host (or of every host, on a gateway without hosts). */
  public static nameFor(tls: boolean, host: string | undefined): string {
    return host === undefined ? (tls ? 'https' : 'http') : `${tls ? 'https' : 'http'}-${_hostSlug(host)}`;
  }

  /** Adds a listener; throws when its name is taken or the Gateway would hold more than the CRD allows. */
  public add(l: _Listener, prop: string, value: unknown): _Listener {
    const taken = this.listeners.get(l.name);
    if (taken) {
      throw _invalid(this.gateway, prop, value, `must need a Gateway listener of its own, but '${l.name}' is already ${taken.hostname ? `the listener of '${taken.hostname}'` : 'taken'}`,
        l.protocol === 'TCP' ? 'use another listenerPort' : 'use another host name', ErrorCode.DUPLICATE);
    }
    const max = _GATEWAY_API_LIMITS.gatewayListeners;
    if (this.listeners.size >= max) {
      throw _invalid(this.gateway, prop, value, `must not need listener ${this.listeners.size + 1} of the Gateway, which holds at most ${max} (Gateway API ${_GATEWAY_API_LIMITS.version}, spec.listeners maxItems)`,
        'serve several hosts with one wildcard host (\'*.example.com\'), or split the hosts and routes over two gateways', ErrorCode.OUT_OF_RANGE);
    }
    this.listeners.set(l.name, l);
    return l;
  }

  /** The listener that serves `host`'s HTTP and gRPC routes; throws when none does. */
  public forHost(prop: string, host: string, tls: boolean): _Listener {
    const exact = this.listeners.get(_GatewayListeners.nameFor(tls, host));
    const own = exact?.hostname === host ? exact : this.all.find(l => l.kinds.includes('HTTPRoute') && l.hostname !== undefined && _covers(l.hostname, host));
    if (own) {
      return own;
    }
    const deeper = this.hosts.find(h => h.startsWith('*.') && host.endsWith(h.slice(1)));
    if (deeper) {
      throw _invalid(this.gateway, prop, host, `must be covered by one of the gateway's hosts, but '${deeper}' covers one label only: its certificate is not valid for '${host}', although a Gateway API listener would match it`,
        `add '${host}' (or '*.${host.slice(host.indexOf('.') + 1)}') to the gateway's hosts`, ErrorCode.UNKNOWN_REFERENCE);
    }
    throw _invalid(this.gateway, prop, host, `must be covered by the gateway's hosts (${this.hosts.map(h => `'${h}'`).join(', ')}), each a listener${tls ? ' that the certificate covers' : ''}`,
      `add '${host}' to the gateway's hosts${tls ? ' (and to its certificate)' : ''}, or route one of the hosts`, ErrorCode.UNKNOWN_REFERENCE);
  }

  /** The Gateway's `spec.listeners[]` entry of a listener. */
  public render(l: _Listener): gw.GatewaySpecListeners {
    const namespaces = l.namespaces === undefined || l.namespaces.size === 0
      ? { from: gw.GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME }
      : {
        from: gw.GatewaySpecListenersAllowedRoutesNamespacesFrom.SELECTOR,
        selector: { matchExpressions: [{ key: LABEL.NAMESPACE_NAME, operator: 'In', values: [...l.namespaces].sort(_compare) }] },
      };
    const tls = l.protocol === 'HTTPS'
      ? { tls: { mode: gw.GatewaySpecListenersTlsMode.TERMINATE, certificateRefs: [{ group: '', kind: 'Secret', name: this.gateway.tlsSecretName! }] } }
      : l.passthrough ? { tls: { mode: gw.GatewaySpecListenersTlsMode.PASSTHROUGH } } : {};
    return {
      name: l.name,
      protocol: l.protocol,
      port: l.port,
      ...(l.hostname ? { hostname: l.hostname } : {}),
      ...tls,
      allowedRoutes: { namespaces, kinds: l.kinds.map(kind => ({ group: 'gateway.networking.k8s.io', kind })) },
    };
  }

  /** Errors for host listeners without routes (they serve only errors). */
  public validate(): ConfigurationError[] {
    const errors: ConfigurationError[] = [];
    for (const l of this.listeners.values()) {
      if (l.hostname !== undefined && l.kinds.includes('HTTPRoute') && l.namespaces!.size === 0) {
        errors.push(_invalid(this.gateway, 'hosts', l.hostname, 'must have at least one route: a listener without routes serves only errors',
          `route it with addRoute or addGrpcRoute, or remove '${l.hostname}' from hosts`, ErrorCode.MISSING_REQUIRED));
      }
    }
    return errors;
  }
}
