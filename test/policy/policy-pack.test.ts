import * as fs from 'fs';
import * as path from 'path';
import { ConfigurationError, ErrorCode, POLICY_RULES, POLICY_SUPPRESSION_PREFIX, PolicyPack, PolicyRule, formatViolation, policySuppressionAnnotation } from '../../lib';
import { compliantApp, found, pod } from './_fixtures';

describe('PolicyPack', () => {
  test('runs every rule by default, CMS-000 first, with stable ids and slugs', () => {
    const pack = new PolicyPack();
    expect(pack.rules.map(r => r.id)).toEqual(['CMS-000', ...POLICY_RULES.map(r => r.id)]);
    expect(POLICY_RULES.map(r => r.id)).toEqual(Array.from({ length: 14 }, (_, i) => `CMS-${String(i + 1).padStart(3, '0')}`));
    for (const rule of pack.rules) {
      expect(rule.slug).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect([rule.description, rule.reason, rule.fix].every(t => t.length > 20 && !t.endsWith('.'))).toBe(true);
      expect(rule.kinds.length).toBeGreaterThan(0);
    }
  });

  test('a suppression annotation with a reason moves the finding to suppressed', () => {
    const app = compliantApp();
    pod(app).priorityClassName = '';
    app.deployment.metadata.annotations = { [policySuppressionAnnotation(POLICY_RULES[9])]: 'the cluster has no priority classes yet' };
    const report = new PolicyPack().check(app.all);
    expect(report.violations).toEqual([]);
    expect(report.suppressed).toEqual([expect.objectContaining({ ruleId: 'CMS-010', name: 'web', reason: 'the cluster has no priority classes yet' })]);
    expect(report.objects).toBe(4);
  });

  test('fails when a suppression has no reason (and it suppresses nothing), or names no rule', () => {
    const app = compliantApp();
    pod(app).priorityClassName = '';
    app.deployment.metadata.annotations = { [`${POLICY_SUPPRESSION_PREFIX}priority-class`]: '  ', [`${POLICY_SUPPRESSION_PREFIX}priority-klass`]: 'a typo' };
    expect(found(app.all)).toEqual([
      `CMS-000 Deployment/web $.metadata.annotations['${POLICY_SUPPRESSION_PREFIX}priority-class']`,
      `CMS-000 Deployment/web $.metadata.annotations['${POLICY_SUPPRESSION_PREFIX}priority-klass']`,
      'CMS-010 Deployment/web $.spec.template.spec.priorityClassName',
    ]);
  });

  test('skip leaves rules out by id or slug; a skipped rule\'s suppression is then unknown', () => {
    const app = compliantApp();
    pod(app).priorityClassName = '';
    expect(new PolicyPack({ skip: ['CMS-010'] }).check(app.all).violations).toEqual([]);
    expect(new PolicyPack({ skip: ['priority-class', 'spread'] }).rules.map(r => r.slug)).not.toContain('spread');
  });

  test('fails when skip names no rule, or rules repeat an id', () => {
    expect(() => new PolicyPack({ skip: ['CMS-099'] })).toThrow(expect.objectContaining({ code: ErrorCode.UNKNOWN_REFERENCE, prop: 'skip', value: 'CMS-099' }));
    expect(() => new PolicyPack({ rules: [POLICY_RULES[0], POLICY_RULES[0]] })).toThrow(expect.objectContaining({ code: ErrorCode.DUPLICATE, prop: 'rules' }));
    expect(() => new PolicyPack({ rules: [{ id: 'X' } as unknown as PolicyRule] })).toThrow(ConfigurationError);
  });

  test('runs a rule of one\'s own beside the pack\'s, on the kinds it names', () => {
    const team: PolicyRule = {
      id: 'TEAM-001', slug: 'team-label', description: 'every Deployment carries the team label of the org',
      reason: 'the on-call rota is found by the team label', fix: 'add the label team: <name>', kinds: ['Deployment'],
      check: m => (m.metadata?.labels?.team === undefined ? [{ path: '$.metadata.labels', message: 'no team label' }] : []),
    };
    const report = new PolicyPack({ rules: [...POLICY_RULES, team] }).check(compliantApp().all);
    expect(report.violations.map(formatViolation)).toEqual(['Deployment shop/web $.metadata.labels: no team label [TEAM-001 team-label]; add the label team: <name>']);
  });

  test('ignores what is not an object (an empty YAML document)', () => {
    expect(new PolicyPack().check([null, undefined, 'x', [], ...compliantApp().all]).objects).toBe(4);
  });
});

test('the README\'s rule table lists every rule of the pack, word for word', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| (CMS-\d{3}) \| `([a-z-]+)` \| (.+) \|$/gm)].map(m => [m[1], m[2], m[3]]);
  expect(rows).toEqual(new PolicyPack().rules.map(r => [r.id, r.slug, r.description]));
});
