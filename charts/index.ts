import { App } from 'cdk8s';
import {
  AdmissionPolicies, ArgoCdDelivery, ContextDashboard, Environment, LogFormat, LogLevel, Platform, PlatformMonitoring, ServiceMesh, Subject, TeamRole, TraceSampler, Workload, WorkloadLogging,
  WorkloadTracing,
} from '../lib';
import { AccountsContext } from './accounts';
import { CatalogContext } from './catalog';
import { SalesGateway } from './gateway';
import { OrdersContext } from './orders';

export { AccountsContext } from './accounts';
export { CatalogContext } from './catalog';
export { SalesGateway } from './gateway';
export { DEV, ENVIRONMENTS, PROD, STAGING } from './environments';
export { OrdersContext } from './orders';

/** The git repository that holds the reference platform and its committed dist/: what Argo CD delivers. */
export const PLATFORM_REPOSITORY = 'https://github.com/acme-sales/platform.git';

/** The OTLP/HTTP endpoint of the OpenTelemetry collector in every environment's cluster. */
export const OTLP_ENDPOINT = 'http://otel-collector.observability.svc.cluster.local:4318';

/**
 * The reference platform: the sales system, one bounded context per namespace.
 */
export interface SalesPlatform {
  readonly platform: Platform;
  readonly accounts: AccountsContext;
  readonly catalog: CatalogContext;
  readonly orders: OrdersContext;
  readonly gateway: SalesGateway;
}

/**
 * Builds the reference sales platform into an app, for one environment (dev,
 * staging, prod: `ENVIRONMENTS`); without one, as production.
 */
export function buildSalesPlatform(app: App, environment?: Environment): SalesPlatform {
  // the control plane's endpoints, for the services granted API access
  // and Istio in sidecar mode (with its CNI node agent) in every cluster: mutual TLS and per-call authorization
  const platform = new Platform(app, 'sales', { apiServerCidrs: ['10.10.0.0/28'], environment, mesh: ServiceMesh.istio() });
  // every cluster runs the same monitoring stack under the same names (no environment differs):
  // kube-prometheus-stack in 'monitoring' (its defaults: release label, Prometheus pod labels)
  // and the OpenTelemetry collector's OTLP/HTTP receiver in 'observability'
  new PlatformMonitoring(platform, 'monitoring', { otlpEndpoint: OTLP_ENDPOINT });
  // the policy pack's rules that CEL can judge, enforced by the API server in the contexts' namespaces
  new AdmissionPolicies(platform, 'admission');
  // delivered by Argo CD from the committed dist/<env>/ (dist/argocd/<env>.yaml): one application per chart, a project per team
  new ArgoCdDelivery(platform, 'argocd', { repoURL: PLATFORM_REPOSITORY });
  const accounts = new AccountsContext(app, platform);
  const catalog = new CatalogContext(app, platform, accounts);
  const orders = new OrdersContext(app, platform, accounts, catalog);
  const gateway = new SalesGateway(app, platform, accounts, catalog, orders);

  // every workload traced; products, the busiest read API, keeps a tenth of the traces it starts
  new WorkloadTracing(catalog.products, 'tracing', { sampler: TraceSampler.parentBasedRatio(10) });
  for (const context of [accounts, catalog, orders]) {
    WorkloadTracing.forEveryWorkload(context);
    // our services log JSON records at info (LOG_FORMAT, LOG_LEVEL); redis logs as its redis.conf says
    for (const w of Workload.all(context).filter(x => x !== catalog.productsCache)) {
      new WorkloadLogging(w, 'logging', { format: LogFormat.JSON, level: LogLevel.INFO });
    }
    // one Grafana dashboard per context: RED panels per service, the burn rate of each objective
    new ContextDashboard(context, 'dashboard');
  }

  // who may do what in each namespace: the owning team's developers and on-call
  // operators, read-only for everyone in sales, and a CI/CD deployer per context
  for (const context of [accounts, catalog, orders]) {
    context.grantTeam(Subject.group(`oidc:${context.namespaceName}-developers`), TeamRole.DEVELOPER);
    context.grantTeam(Subject.group(`oidc:${context.namespaceName}-operators`), TeamRole.OPERATOR);
    context.grantTeam(Subject.group('oidc:sales-readers'), TeamRole.VIEWER);
    context.addDeployer();
  }
  return { platform, accounts, catalog, orders, gateway };
}
