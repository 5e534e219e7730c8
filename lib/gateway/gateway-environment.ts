import { IConstruct } from 'constructs';
import { _invalid } from '../internal/errors';
import { ErrorCode } from '../internal/configuration-error';
import { ApiGatewayProps } from './gateway-props';
import { GatewayTls } from './gateway-tls';

/**
 * A gateway's props with what its platform's environment declares: the TLS issuer
 * (`GatewayTls.certManager(tlsIssuer)` when the gateway sets no `tls`), plain HTTP,
 * and the exposure (allowed source ranges, proxy replicas). A value set both on the
 * gateway and in the environment is refused when the two differ.
 * @internal
 */
export function _withEnvironment(gateway: IConstruct, props: ApiGatewayProps): ApiGatewayProps {
  const env = props.platform.environment;
  if (env === undefined) {
    return props;
  }
  const path = gateway.node.path;
  const refuse = (prop: string, value: unknown, declared: string) => _invalid(gateway, prop, value,
    `must not differ from environment '${env.name}', which declares ${declared}`,
    `declare it in Environment.of('${env.name}') only, and remove ${prop} from the gateway's props`, ErrorCode.CONFLICT);
  let tls = props.tls;
  if (env.tlsIssuer !== undefined) {
    if (tls !== undefined && tls instanceof GatewayTls && tls.issuerName !== env.tlsIssuer) {
      throw refuse('tls', tls.issuerName === undefined ? `GatewayTls.fromSecret('${tls.secretName}')` : `GatewayTls.certManager('${tls.issuerName}')`,
        `tlsIssuer '${env.tlsIssuer}'`);
    }
    tls = tls ?? GatewayTls.certManager(env.tlsIssuer);
  }
  if (env.allowPlainHttp && tls !== undefined) {
    throw refuse('tls', tls instanceof GatewayTls ? tls.issuerName ?? tls.secretName : String(tls), 'allowPlainHttp (a gateway without TLS)');
  }
  if (env.allowPlainHttp && props.allowPlainHttp === false) {
    throw refuse('allowPlainHttp', false, 'allowPlainHttp: true');
  }
  return {
    ...props,
    tls,
    allowPlainHttp: env.allowPlainHttp || props.allowPlainHttp,
    allowedSourceRanges: env._exposure(path, 'allowedSourceRanges', props.allowedSourceRanges),
    proxyReplicas: env._exposure(path, 'proxyReplicas', props.proxyReplicas),
    proxyMaxReplicas: env._exposure(path, 'proxyMaxReplicas', props.proxyMaxReplicas),
  };
}
