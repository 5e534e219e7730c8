import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { BoundedContext, Image, Microservice, Platform, Port, Probe } from '../../lib';

/** A platform of `contexts` contexts of `services` services, each calling the next. */
function platformOf(app: App, contexts: number, services: number): Microservice[] {
  const platform = new Platform(app, 'shop');
  const all: Microservice[] = [];
  for (let c = 0; c < contexts; c++) {
    const context = new BoundedContext(app, `ctx-${c}`, { platform, team: `team-${c}` });
    for (let s = 0; s < services; s++) {
      all.push(new Microservice(context, `svc-${s}`, {
        image: Image.fromTag('ghcr.io/acme/svc', '1.0.0'), ports: [Port.http(8080)], readiness: Probe.http('/ready'), liveness: Probe.http('/live'),
      }));
    }
  }
  if (all.length > 1) all.forEach((svc, i) => svc.connectTo(all[(i + 1) % all.length]));
  return all;
}

/** How many times the validations of the constructs under `app` run during `app.synth()`, per construct. */
function validationsPerConstruct(contexts: number): number {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'chart-test-')) });
  const services = platformOf(app, contexts, 2);
  let runs = 0;
  for (const s of services) s.node.addValidation({ validate: () => { runs++; return []; } });
  app.synth();
  return runs / services.length;
}

describe('the library\'s charts render from their own subtree', () => {
  test('every construct is validated the same number of times whatever the number of charts (linear synthesis)', () => {
    // cdk8s' own Chart.toJson validates the whole app once per chart: 1 + charts passes
    const few = validationsPerConstruct(2);
    const many = validationsPerConstruct(12);
    expect(few).toBe(2);
    expect(many).toBe(few);
  });

  test('the dependencies cdk8s infers across charts grow linearly with the services (no service depends on every other)', () => {
    const dependenciesPerService = (contexts: number) => {
      const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'chart-test-')) });
      const services = platformOf(app, contexts, 2);
      app.synth();
      const edges = app.node.findAll().reduce((n, c) => n + c.node.dependencies.length, 0);
      return edges / services.length;
    };
    expect(dependenciesPerService(12)).toBe(dependenciesPerService(2));
  });

  test('renders the same objects in the same order as cdk8s\' own chart rendering', () => {
    const app = Testing.app();
    platformOf(app, 3, 3);
    for (const chart of app.node.children.filter((c): c is Chart => Chart.isChart(c))) {
      const ours = chart.toJson();
      const theirs = Chart.prototype.toJson.call(chart);
      expect(ours).toEqual(theirs);
    }
  });

  test('fails when a construct of the chart is invalid, as cdk8s does', () => {
    const app = Testing.app();
    const [svc] = platformOf(app, 1, 1);
    svc.node.addValidation({ validate: () => ['broken on purpose'] });
    expect(() => Testing.synth(svc.context)).toThrow(/^Validation failed with the following errors:\n {2}\[ctx-0\/svc-0\] broken on purpose$/);
  });

  test('a plaintext Secret is reported once: by its context, or by the platform outside the contexts', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'chart-test-')) });
    const [svc] = platformOf(app, 1, 1);
    new k8s.KubeSecret(svc.context, 'Raw', { metadata: { name: 'raw', namespace: 'ctx-0' }, stringData: { token: 'x' } });
    const own = new Chart(app, 'extras');
    new ApiObject(own, 'Raw2', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'raw2' }, data: { token: 'eA==' } });

    let message = '';
    try { app.synth(); } catch (e) { message = (e as Error).message; }

    expect(message.match(/holds plaintext values/g)).toHaveLength(2);
    expect(message).toMatch(/\[ctx-0\] ctx-0\/Raw: 'data' \('Secret raw'\) holds plaintext values/);
    expect(message).toMatch(/\[shop\] extras\/Raw2: 'data' \('Secret raw2'\) holds plaintext values/);
  });
});
