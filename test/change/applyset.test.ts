import { createHash } from 'crypto';
import { StatefulService, VolumeClaim } from '../../lib';
import {
  APPLYSET_BOOTSTRAP_FIELD_MANAGER, APPLYSET_CRD_NAME, APPLYSET_GROUP, APPLYSET_KIND, APPLYSET_METADATA, ApplySet, applySetId, checkApplySetMembers,
} from '../../lib/change/applyset';
import { ConfigurationError, ErrorCode } from '../../lib/internal/configuration-error';
import { find, microservice, objects, setup, storeProps, thrown } from '../_helpers';
import { Size } from 'cdk8s';

const set = (): ApplySet => new ApplySet({ platform: 'shop', environment: 'dev', kubectlVersion: '1.37.2' });

describe('applySetId', () => {
  test('is applyset-<base64url(sha256(name.namespace.kind.group)), no padding>-v1', () => {
    const digest = createHash('sha256').update('shop-dev..ApplySet.platform.cdk8s-microservices.io').digest('base64');
    const urlSafe = digest.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

    expect(applySetId('shop-dev', '', 'ApplySet', 'platform.cdk8s-microservices.io')).toBe(`applyset-${urlSafe}-v1`);
  });

  test('is the id kubectl 1.37.2 accepted for the parent shop-dev (its check compares the label with its own computation)', () => {
    expect(set().id).toBe('applyset-gL_twXXtWWqMU-uLIJZ23Ittrw85-8edzI62QZUkkAo-v1');
  });

  test('a namespaced parent hashes its namespace (kubectl\'s Secret parent in namespace apps)', () => {
    expect(applySetId('set', 'apps', 'Secret', '')).not.toBe(applySetId('set', '', 'Secret', ''));
    expect(applySetId('set', 'apps', 'Secret', '')).toMatch(/^applyset-[A-Za-z0-9_-]{43}-v1$/);
  });
});

describe('ApplySet', () => {
  test('names the parent <platform>-<environment> and refers to it as <resource>.<group>/<name>', () => {
    const s = set();

    expect([s.name, s.parentRef, s.platform, s.environment, s.kubectlVersion])
      .toEqual(['shop-dev', 'applysets.platform.cdk8s-microservices.io/shop-dev', 'shop', 'dev', '1.37.2']);
  });

  test('the parent type is a cluster-scoped CRD labelled as an ApplySet parent type', () => {
    const crd = set().crd() as any;

    expect(crd.metadata.name).toBe(APPLYSET_CRD_NAME);
    expect(crd.metadata.labels).toEqual({ 'applyset.kubernetes.io/is-parent-type': 'true', 'app.kubernetes.io/managed-by': 'cdk8s' });
    expect(crd.spec).toMatchObject({ group: APPLYSET_GROUP, scope: 'Cluster', names: { kind: 'ApplySet', plural: 'applysets' } });
    expect(crd.spec.versions).toEqual([expect.objectContaining({ name: 'v1', served: true, storage: true })]);
  });

  test('the parent carries the id label, kubectl\'s tooling and a first contents record, and no part-of label', () => {
    const p = set().parent() as any;

    expect(p.apiVersion).toBe('platform.cdk8s-microservices.io/v1');
    expect(p.kind).toBe(APPLYSET_KIND);
    expect(p.metadata.name).toBe('shop-dev');
    expect(p.metadata.namespace).toBeUndefined();
    expect(p.metadata.labels).toEqual({ 'applyset.kubernetes.io/id': set().id, 'app.kubernetes.io/managed-by': 'cdk8s' });
    // kubectl checks the tooling's base name (kubectl) and reads the group-resources only while it has not written group-kinds
    expect(p.metadata.annotations).toEqual({
      'applyset.kubernetes.io/tooling': 'kubectl/v1.37.2',
      'applyset.kubernetes.io/contains-group-resources': 'namespaces',
    });
    // kubectl-applyset writes these: the bootstrap must never own them, or re-running it would take the record away
    expect(Object.keys(p.metadata.annotations)).not.toContain(APPLYSET_METADATA.CONTAINS_GROUP_KINDS);
    expect(Object.keys(p.metadata.annotations)).not.toContain(APPLYSET_METADATA.ADDITIONAL_NAMESPACES);
  });

  test('the bootstrap applies the type, waits until it is served, then applies the parent, as its own field manager', () => {
    expect(set().bootstrapCommands('dist/applyset-crd.yaml', 'dist/dev.applyset.yaml')).toEqual([
      'kubectl apply --server-side --force-conflicts --field-manager=cdk8s-microservices-applyset -f dist/applyset-crd.yaml',
      'kubectl wait --for=condition=Established --timeout=60s crd/applysets.platform.cdk8s-microservices.io',
      'kubectl apply --server-side --force-conflicts --field-manager=cdk8s-microservices-applyset -f dist/dev.applyset.yaml',
    ]);
    expect(APPLYSET_BOOTSTRAP_FIELD_MANAGER).not.toMatch(/^kubectl/);
  });

  test('the release command applies the directory server-side and prunes with the set', () => {
    expect(set().applyCommand('dist/dev/')).toBe(
      'KUBECTL_APPLYSET=true kubectl apply --server-side --prune --applyset=applysets.platform.cdk8s-microservices.io/shop-dev -R -f dist/dev/');
  });

  test('fails when the platform or environment is not a DNS-1123 label', () => {
    const e = thrown(() => new ApplySet({ platform: 'Shop', environment: 'dev', kubectlVersion: '1.37.2' }));
    expect(e).toBeInstanceOf(ConfigurationError);
    expect(e.message).toBe('ApplySet: \'platform\' (\'Shop\') must be a DNS-1123 label: at most 63 characters of lower-case letters, digits and \'-\', starting and ending with a letter or digit; pass the platform\'s name');
    expect(e.code).toBe(ErrorCode.INVALID_NAME);
    expect(thrown(() => new ApplySet({ platform: 'shop', environment: 'prod_eu', kubectlVersion: '1.37.2' })).prop).toBe('environment');
    expect(thrown(() => new ApplySet({ platform: 'shop', environment: 3 as unknown as string, kubectlVersion: '1.37.2' })).code).toBe(ErrorCode.WRONG_TYPE);
  });

  test('fails when the kubectl release is not major.minor.patch', () => {
    const e = thrown(() => new ApplySet({ platform: 'shop', environment: 'dev', kubectlVersion: 'v1.37' }));
    expect(e.message).toBe('ApplySet: \'kubectlVersion\' (\'v1.37\') must be a kubectl release as major.minor.patch; pass the release `kubectl version --client` prints, without the \'v\', for example \'1.37.2\'');
    expect(thrown(() => new ApplySet({ platform: 'shop', environment: 'dev' } as never)).code).toBe(ErrorCode.WRONG_TYPE);
  });

  test('fails when a path would need quoting in the command shown', () => {
    const e = thrown(() => set().applyCommand('dist/my env/'));
    expect(e.message).toBe('ApplySet: \'dir\' (\'dist/my env/\') must be a path of letters, digits, \'_\', \'.\', \'/\' and \'-\'; pass the path as the command line names it, for example \'dist/prod/\'');
    expect(thrown(() => set().bootstrapCommands('crd.yaml', '$(rm -rf /)')).prop).toBe('parentFile');
  });
});

describe('checkApplySetMembers', () => {
  test('accepts the rendered objects of a platform (none carries applyset metadata)', () => {
    const { context } = setup();
    new StatefulService(context, 'cache', storeProps([microservice(context, 'products')]));

    expect(() => checkApplySetMembers(objects(context))).not.toThrow();
  });

  test('fails when an object carries the part-of label kubectl adds itself', () => {
    const e = thrown(() => checkApplySetMembers([
      { kind: 'ConfigMap', metadata: { name: 'ok', namespace: 'shop' } },
      { kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'shop', labels: { 'applyset.kubernetes.io/part-of': 'applyset-x-v1' } } },
    ]));
    expect(e.message).toBe('ConfigMap/shop/settings: \'metadata.labels[\'applyset.kubernetes.io/part-of\']\' (\'applyset-x-v1\') must not be set: '
      + 'kubectl\'s ApplySet writes applyset.kubernetes.io/ metadata itself, and refuses a member that already has it; '
      + 'remove the label; kubectl adds the part-of label when it applies the environment with its ApplySet');
    expect(e.code).toBe(ErrorCode.RESERVED_NAME);
  });

  test('fails when a cluster-scoped object carries an applyset annotation', () => {
    const e = thrown(() => checkApplySetMembers([
      { kind: 'Namespace', metadata: { name: 'shop', annotations: { 'applyset.kubernetes.io/tooling': 'kubectl/v1.37.2' } } },
    ]));
    expect([e.path, e.prop, e.value]).toEqual(['Namespace/shop', 'metadata.annotations[\'applyset.kubernetes.io/tooling\']', 'kubectl/v1.37.2']);
    expect(e.fix).toMatch(/^remove the annotation;/);
  });
});

describe('what a prune never takes', () => {
  test('a store\'s claims are no members (they come from volumeClaimTemplates) and outlive the StatefulSet by default', () => {
    const { context } = setup();
    new StatefulService(context, 'cache', storeProps([microservice(context, 'products')], {
      claims: [VolumeClaim.of('data', { size: Size.gibibytes(2), mountPath: '/data' })],
    }));
    const rendered = objects(context);

    expect(rendered.filter(o => o.kind === 'PersistentVolumeClaim')).toEqual([]);
    expect(find(rendered, 'StatefulSet', 'cache').spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
  });
});
