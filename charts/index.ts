import { App } from 'cdk8s';
import { AdmissionPolicies, Environment, Platform, Subject, TeamRole } from '../lib';
import { AccountsContext } from './accounts';
import { CatalogContext } from './catalog';
import { SalesGateway } from './gateway';
import { OrdersContext } from './orders';

export { AccountsContext } from './accounts';
export { CatalogContext } from './catalog';
export { SalesGateway } from './gateway';
export { DEV, ENVIRONMENTS, PROD, STAGING } from './environments';
export { OrdersContext } from './orders';

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
  const platform = new Platform(app, 'sales', { apiServerCidrs: ['10.10.0.0/28'], environment });
  // the policy pack's rules that CEL can judge, enforced by the API server in the contexts' namespaces
  new AdmissionPolicies(platform, 'admission');
  const accounts = new AccountsContext(app, platform);
  const catalog = new CatalogContext(app, platform, accounts);
  const orders = new OrdersContext(app, platform, accounts, catalog);
  const gateway = new SalesGateway(app, platform, accounts, catalog, orders);

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
