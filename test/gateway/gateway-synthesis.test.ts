import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { ApiGateway, BoundedContext, GatewayTls, IngressGateway, Platform } from '../../lib';
import { service } from './_gateway';

describe('gateway synthesis', () => {
  test.each([
    ['ApiGateway', ApiGateway],
    ['IngressGateway', IngressGateway],
  ])('the %s chart is written after the contexts it routes to, and after every context created before it', (_kind, Gateway) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-'));
    try {
      const app = new App({ outdir });
      const platform = new Platform(app, 'shop');
      const accounts = new BoundedContext(app, 'accounts', { platform, team: 'a' });
      const catalog = new BoundedContext(app, 'catalog', { platform, team: 'c' });
      const gateway = new Gateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });
      gateway.addRoute({ host: 'api.example.com', service: service(catalog, 'products') });
      service(accounts, 'users');
      app.synth();
      expect(fs.readdirSync(outdir).sort()).toEqual(['0000-shop.k8s.yaml', '0001-accounts.k8s.yaml', '0002-catalog.k8s.yaml', '0003-public.k8s.yaml']);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
