/**
 * The cdk8s validation plugin: unit tests of `PolicyValidation` with the context the
 * CLI passes, and the acceptance test of issue 23: the real `cdk8s synth` of an app
 * of raw cdk8s-plus-27 objects and an included third-party manifest fails with one
 * violation per planted mistake, each naming its construct path; fixed, it passes.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Testing, Yaml } from 'cdk8s';
import { ErrorCode, PolicyValidation, PolicyValidationContext } from '../../lib';
import { compliantApp } from './_fixtures';
import { buildPlusApp } from './fixtures/plus-app';

const ROOT = path.join(__dirname, '..', '..');

interface Recorded { violations: Array<{ ruleName: string; recommendation: string; fix: string; violatingResources: Array<{ resourceName: string; locations: readonly string[]; manifestPath: string }> }>; status?: string; metadata?: { readonly [key: string]: string }; logs: string[] }

/** A context of the CLI's shape over manifests written to a temporary file. */
function context(manifests: unknown[], dir: string): { ctx: PolicyValidationContext; recorded: Recorded } {
  const file = path.join(dir, 'app.k8s.yaml');
  fs.writeFileSync(file, Yaml.stringify(...manifests));
  const recorded: Recorded = { violations: [], logs: [] };
  const ctx: PolicyValidationContext = {
    manifests: [file],
    parseManifest: p => Yaml.load(p),
    report: {
      addViolation: v => { recorded.violations.push(JSON.parse(JSON.stringify(v))); },
      submit: (status, metadata) => { recorded.status = status; recorded.metadata = metadata; },
    },
    logger: { log: m => { recorded.logs.push(m); } },
  };
  return { ctx, recorded };
}

describe('PolicyValidation', () => {
  let dir: string;
  // inside the repository (tsx and cdk8s resolve from its node_modules), where git ignores it
  beforeEach(() => {
    fs.mkdirSync(path.join(ROOT, 'node_modules', '.cache'), { recursive: true });
    dir = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.cache', 'policy-plugin-'));
  });
  afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  test('reports one violation per rule, each object with its location, the reason and the fix, and fails', async () => {
    const { ctx, recorded } = context(Testing.synth(buildPlusApp(Testing.app(), true)), dir);
    await new PolicyValidation().validate(ctx);
    expect(recorded.status).toBe('failure');
    expect(recorded.metadata).toEqual({ rules: '15', objects: '8', violations: '6', suppressed: '1' });
    expect(recorded.violations.map(v => [v.ruleName.split(':')[0], v.violatingResources.map(r => r.resourceName)])).toEqual([
      ['CMS-001 pinned-image', ['web']], ['CMS-002 probes', ['web']], ['CMS-007 service-account-token', ['exporter']],
      ['CMS-008 disruption-budget', ['web']], ['CMS-011 plaintext-credential', ['web-config']], ['CMS-012 rbac-wildcard', ['exporter-read']],
    ]);
    const pinned = recorded.violations[0];
    expect(pinned.violatingResources[0]).toEqual({ resourceName: 'web', manifestPath: ctx.manifests[0],
      locations: ['Deployment web $.spec.template.spec.containers[0].image: image \'ghcr.io/acme/web:latest\' of container \'web\' must be pinned, but uses the moving tag \'latest\''] });
    expect(pinned.fix).toContain('full version tag');
    expect(pinned.recommendation).toContain('ignore-check.policy.cdk8s-microservices.io/pinned-image: <why>');
    expect(recorded.logs).toEqual([expect.stringMatching(/^suppressed CMS-005 read-only-root-filesystem on Deployment exporter .*: the vendor's image unpacks/)]);
  });

  test('succeeds on the fixed app, and skip leaves rules out', async () => {
    const fixed = context(Testing.synth(buildPlusApp(Testing.app(), false)), dir);
    await new PolicyValidation().validate(fixed.ctx);
    expect([fixed.recorded.status, fixed.recorded.violations]).toEqual(['success', []]);
    const skipped = context(Testing.synth(buildPlusApp(Testing.app(), true)), dir);
    await new PolicyValidation({ skip: ['CMS-001', 'probes'] }).validate(skipped.ctx);
    expect(skipped.recorded.violations).toHaveLength(4);
  });

  test('checks the manifests of each directory as one set (a platform synthesized per environment)', async () => {
    const { sa, deployment, pdb, deny } = compliantApp();
    const { ctx, recorded } = context([deployment], dir);
    fs.mkdirSync(path.join(dir, 'other'));
    const beside = path.join(dir, 'other', 'rest.k8s.yaml');
    fs.writeFileSync(beside, Yaml.stringify(sa, pdb, deny));
    await new PolicyValidation().validate({ ...ctx, manifests: [...ctx.manifests, beside] });
    expect(recorded.violations.map(v => v.ruleName.split(':')[0])).toEqual(['CMS-006 own-service-account', 'CMS-008 disruption-budget', 'CMS-014 network-policy']);
    const together = context([deployment, sa, pdb, deny], dir);
    await new PolicyValidation().validate(together.ctx);
    expect(together.recorded.violations).toEqual([]);
  });

  test('fails when skip is not a list of rule names', () => {
    expect(() => new PolicyValidation({ skip: 'CMS-001' as never })).toThrow(expect.objectContaining({ code: ErrorCode.WRONG_TYPE, prop: 'skip' }));
    expect(() => new PolicyValidation({ skip: ['CMS-404'] })).toThrow(expect.objectContaining({ code: ErrorCode.UNKNOWN_REFERENCE }));
  });

  test('cdk8s synth with the plugin fails with one violation per planted mistake, naming its construct path; fixed, it passes', () => {
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), [
      'language: typescript',
      `app: node --import tsx ${path.join(__dirname, 'fixtures', 'plus-app.ts')}`,
      'output: dist',
      'validations:',
      // the package's entry, as TypeScript (tsx is loaded into the CLI below); an app uses `package: cdk8s-microservices`
      `  - package: ${path.join(ROOT, 'lib', 'index.ts')}`,
      '    version: 0.1.0',
      '    class: PolicyValidation',
    ].join('\n'));
    const synth = (mistakes: boolean): { status: number; report: { reports: Array<{ violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath?: string; locations: string[] }> }>; summary: { status: string } }> } } => {
      fs.rmSync(path.join(dir, 'report.json'), { force: true });
      let status = 0;
      try {
        execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--validation-reports-output-file', 'report.json'],
          { cwd: dir, stdio: 'pipe', encoding: 'utf8', env: { ...process.env, PLANT_MISTAKES: mistakes ? '1' : '0' } });
      } catch (e) {
        status = (e as { status: number }).status;
      }
      return { status, report: JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')) };
    };

    const failed = synth(true);
    expect(failed.status).toBe(2);
    const occurrences = failed.report.reports[0].violations.flatMap(v => v.violatingConstructs.flatMap(c => c.locations.map(() => `${v.ruleName.split(':')[0]} at ${c.constructPath}`)));
    expect(occurrences).toEqual([
      'CMS-001 pinned-image at shop/web/Resource',
      'CMS-002 probes at shop/web/Resource',
      'CMS-007 service-account-token at shop/exporter/exporter-deployment',
      'CMS-008 disruption-budget at shop/web/Resource',
      'CMS-011 plaintext-credential at shop/web-config/Resource',
      // cdk8s-cli keys construct metadata by object name: the ClusterRole shares its name with its binding
      'CMS-012 rbac-wildcard at shop/exporter/exporter-read-clusterrolebinding',
    ]);
    const fixed = synth(false);
    expect([fixed.status, fixed.report.reports[0].summary.status, fixed.report.reports[0].violations]).toEqual([0, 'success', []]);
  }, 120_000);
});
