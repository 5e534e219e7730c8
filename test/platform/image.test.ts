import { Image, ImagePolicy, ImagePullPolicy, Microservice, Platform, Port, Probe } from '../../lib';
import { find, objects, setup } from '../_helpers';

const DIGEST = 'sha256:0f3c5a1b2c3d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789ab';

/** Builds a microservice around `image`, the only thing these tests vary. */
function service(image: Image) {
  const { context } = setup();
  const products = new Microservice(context, 'products', {
    image,
    ports: [Port.http(8080)],
    readiness: Probe.http('/ready'),
    liveness: Probe.http('/live'),
  });
  return { context, products };
}

describe('Image', () => {
  describe('parsing', () => {
    test('fromTag pins a repository to a tag', () => {
      const image = Image.fromTag('ghcr.io/acme/products', '1.8.2');

      expect({ repository: image.repository, tag: image.tag, digest: image.digest }).toEqual({ repository: 'ghcr.io/acme/products', tag: '1.8.2', digest: undefined });
      expect(image.reference).toEqual('ghcr.io/acme/products:1.8.2');
      expect(image.version).toEqual('1.8.2');
    });

    test('fromDigest pins a repository to a digest, versioned by its first 12 hex digits', () => {
      const image = Image.fromDigest('ghcr.io/acme/products', DIGEST);

      expect({ repository: image.repository, tag: image.tag, digest: image.digest }).toEqual({ repository: 'ghcr.io/acme/products', tag: undefined, digest: DIGEST });
      expect(image.reference).toEqual(`ghcr.io/acme/products@${DIGEST}`);
      expect(image.version).toEqual('0f3c5a1b2c3d');
    });

    test.each([
      ['ghcr.io/acme/orders:2.0.1', 'ghcr.io/acme/orders', '2.0.1', undefined],
      ['localhost:5000/acme/orders:2.0.1', 'localhost:5000/acme/orders', '2.0.1', undefined],
      ['localhost:5000/acme/orders', 'localhost:5000/acme/orders', undefined, undefined],
      [`ghcr.io/acme/orders@${DIGEST}`, 'ghcr.io/acme/orders', undefined, DIGEST],
      [`ghcr.io/acme/orders:2.0.1@${DIGEST}`, 'ghcr.io/acme/orders', '2.0.1', DIGEST],
      ['nginx', 'nginx', undefined, undefined],
    ])('fromReference reads %s', (reference, repository, tag, digest) => {
      const image = Image.fromReference(reference);

      expect({ repository: image.repository, tag: image.tag, digest: image.digest }).toEqual({ repository, tag, digest });
      expect(image.reference).toEqual(reference);
    });

    test('a reference with tag and digest is versioned by the tag', () => {
      expect(Image.fromReference(`ghcr.io/acme/orders:2.0.1@${DIGEST}`).version).toEqual('2.0.1');
    });
  });

  describe('in a microservice', () => {
    test('renders the reference and the version label', () => {
      const { context, products } = service(Image.fromReference(`ghcr.io/acme/products:1.8.2@${DIGEST}`));

      expect(products.image.reference).toEqual(`ghcr.io/acme/products:1.8.2@${DIGEST}`);
      const d = find(objects(context), 'Deployment', 'products');
      expect(d.spec.template.spec.containers[0].image).toEqual(`ghcr.io/acme/products:1.8.2@${DIGEST}`);
      expect(d.spec.template.metadata.labels['app.kubernetes.io/version']).toEqual('1.8.2');
    });

    test.each([
      ['the tag is latest', Image.fromTag('ghcr.io/acme/products', 'latest'), 'ghcr.io/acme/products:latest'],
      ['the tag is LATEST', Image.fromTag('ghcr.io/acme/products', 'LATEST'), 'ghcr.io/acme/products:LATEST'],
      ['a reference ends in :latest', Image.fromReference('ghcr.io/acme/products:latest'), 'ghcr.io/acme/products:latest'],
    ])('fails when %s', (_case, image, reference) => {
      expect(() => service(image))
        .toThrow(new RegExp(`^catalog/products: 'image' \\('${reference}'\\) must be pinned, but uses the moving tag 'latest'; use a version tag such as '1\\.2\\.3' or a digest$`));
    });

    test.each([
      ['a reference has no tag', Image.fromReference('ghcr.io/acme/products'), 'ghcr.io/acme/products'],
      ['a reference with a registry port has no tag', Image.fromReference('localhost:5000/acme/products'), 'localhost:5000/acme/products'],
    ])('fails when %s', (_case, image, reference) => {
      expect(() => service(image))
        .toThrow(new RegExp(`^catalog/products: 'image' \\('${reference}'\\) must be pinned, but has no tag and no digest \\(it would pull 'latest'\\); use Image\\.fromTag\\(repository, '1\\.2\\.3'\\) or Image\\.fromDigest\\(repository, 'sha256:\\.\\.\\.'\\)$`));
    });

    test.each([
      ['too short', Image.fromDigest('ghcr.io/acme/products', 'sha256:0f3c'), 'ghcr.io/acme/products@sha256:0f3c'],
      ['upper-case', Image.fromDigest('ghcr.io/acme/products', DIGEST.toUpperCase()), `ghcr.io/acme/products@${DIGEST.toUpperCase()}`],
      ['not sha256', Image.fromDigest('ghcr.io/acme/products', DIGEST.replace('sha256', 'md5')), `ghcr.io/acme/products@${DIGEST.replace('sha256', 'md5')}`],
      ['bad, after a good tag', Image.fromReference('ghcr.io/acme/products:1.8.2@sha256:xyz'), 'ghcr.io/acme/products:1.8.2@sha256:xyz'],
    ])('fails when the digest is %s', (_case, image, reference) => {
      expect(() => service(image))
        .toThrow(new RegExp(`^catalog/products: 'image' \\('${reference}'\\) must have a digest of the form 'sha256:' followed by 64 lower-case hex digits; copy the digest from your registry \\(for example \`crane digest <image>\`\\)$`));
    });

    test.each([
      ['has upper-case letters', Image.fromTag('ghcr.io/Acme/products', '1.8.2'), 'ghcr.io/Acme/products:1.8.2'],
      ['is empty', Image.fromTag('', '1.8.2'), ':1.8.2'],
      ['ends in a slash', Image.fromTag('ghcr.io/acme/products/', '1.8.2'), 'ghcr.io/acme/products/:1.8.2'],
      ['has a space', Image.fromReference('ghcr.io/acme/my products:1.8.2'), 'ghcr.io/acme/my products:1.8.2'],
    ])('fails when the repository %s', (_case, image, reference) => {
      expect(() => service(image))
        .toThrow(new RegExp(`^catalog/products: 'image' \\('${reference}'\\) must be a lower-case image repository such as 'ghcr\\.io/acme/products'; correct the repository part of the image$`));
    });

    test.each([
      ['starts with a dash', Image.fromTag('ghcr.io/acme/products', '-1.8.2'), 'ghcr.io/acme/products:-1.8.2'],
      ['has a plus', Image.fromTag('ghcr.io/acme/products', '1.8.2+build5'), 'ghcr.io/acme/products:1.8.2\\+build5'],
      ['is empty', Image.fromReference('ghcr.io/acme/products:'), 'ghcr.io/acme/products:'],
      ['is longer than 128 characters', Image.fromTag('ghcr.io/acme/products', 'v'.repeat(129)), `ghcr.io/acme/products:${'v'.repeat(129)}`],
    ])('fails when the tag %s', (_case, image, reference) => {
      expect(() => service(image))
        .toThrow(new RegExp(`^catalog/products: 'image' \\('${reference}'\\) must have a tag of up to 128 letters, digits, '_', '\\.' and '-', not starting with '\\.' or '-'; correct the tag$`));
    });

    test('fails when a valid tag is too long for the version label', () => {
      const tag = `1.0.0-${'v'.repeat(58)}`;

      expect(() => service(Image.fromTag('ghcr.io/acme/products', tag)))
        .toThrow(new RegExp(`^catalog/products: 'version' \\('${tag}'\\) must be a valid label value: 1 to 63 characters .*; use a shorter or simpler name$`));
    });
  });

  describe('platform image policy', () => {
    function withPolicy(image: Image, imagePolicy?: ImagePolicy) {
      const { context, platform } = setup({}, imagePolicy ? { imagePolicy } : {});
      new Microservice(context, 'products', { image, ports: [Port.http(8080)], readiness: Probe.http('/ready'), liveness: Probe.http('/live') });
      return platform;
    }

    test('defaults to version tags', () => {
      expect(withPolicy(Image.fromTag('ghcr.io/acme/products', '1.8.2')).imagePolicy).toBe(ImagePolicy.VERSION_TAGS);
    });

    test.each(['1.2.3', 'v1.2.3', '7.2.5-alpine', '1.4.0-rc.1', '20.11.1-alpine3.19', '2024.01.15', '1.2.3.4', '3f2a1bc', 'sha-3f2a1bc9e0'])(
      'VERSION_TAGS accepts the release-looking tag %s', (tag) => {
        expect(() => withPolicy(Image.fromTag('docker.io/library/redis', tag))).not.toThrow();
      });

    test.each(['alpine', '20', '7.2', 'stable', '20-alpine', 'lts', 'v2', 'main', '1234567', 'abcdefab'])(
      'fails when VERSION_TAGS meets the moving tag %s', (tag) => {
        expect(() => withPolicy(Image.fromTag('docker.io/library/node', tag)))
          .toThrow(new RegExp(`^catalog/products: 'image' \\('docker.io/library/node:${tag}'\\) must be pinned to a release, but '${tag}' looks like a moving tag \\(the platform's imagePolicy is ImagePolicy.VERSION_TAGS: a tag of three numbers such as '1.2.3' or '7.2.5-alpine', or a commit id\\); use the full version tag \\(for example '7.2.5-alpine' rather than 'alpine' or '7.2'\\) or a digest, or set imagePolicy: ImagePolicy.NOT_LATEST on the Platform$`));
      });

    test('VERSION_TAGS accepts any digest, with or without a tag', () => {
      expect(() => withPolicy(Image.fromDigest('docker.io/library/redis', DIGEST))).not.toThrow();
      expect(() => withPolicy(Image.fromReference(`docker.io/library/redis:alpine@${DIGEST}`))).not.toThrow();
    });

    test('NOT_LATEST accepts a moving tag but still refuses latest', () => {
      expect(() => withPolicy(Image.fromTag('docker.io/library/redis', 'alpine'), ImagePolicy.NOT_LATEST)).not.toThrow();
      expect(() => withPolicy(Image.fromTag('docker.io/library/redis', 'latest'), ImagePolicy.NOT_LATEST)).toThrow(/uses the moving tag 'latest'/);
    });

    test('DIGESTS accepts only a digest', () => {
      expect(() => withPolicy(Image.fromDigest('docker.io/library/redis', DIGEST), ImagePolicy.DIGESTS)).not.toThrow();
      expect(() => withPolicy(Image.fromTag('docker.io/library/redis', '7.2.5'), ImagePolicy.DIGESTS))
        .toThrow(/^catalog\/products: 'image' \('docker.io\/library\/redis:7.2.5'\) must be pinned by digest: the platform's imagePolicy is ImagePolicy.DIGESTS; use Image.fromDigest\(repository, 'sha256:...'\) \(crane digest <image> prints it\), or Image.fromReference\('repo:tag@sha256:...'\)$/);
    });

    test('fails when the platform is given something other than an ImagePolicy', () => {
      const app = setup().app;
      expect(() => new Platform(app, 'other', { imagePolicy: 'digests' as unknown as ImagePolicy }))
        .toThrow(/^other: 'imagePolicy' \('digests'\) must be an ImagePolicy; use ImagePolicy.DIGESTS, ImagePolicy.VERSION_TAGS or ImagePolicy.NOT_LATEST$/);
    });
  });

  describe('pull policy', () => {
    function pulled(image: Image, imagePullPolicy?: ImagePullPolicy) {
      const { context } = setup();
      const products = new Microservice(context, 'products', { image, imagePullPolicy, ports: [Port.http(8080)], readiness: Probe.http('/ready'), liveness: Probe.http('/live') });
      return { products, deployment: find(objects(context), 'Deployment', 'products') };
    }

    test('pulls Always by default', () => {
      const { products, deployment } = pulled(Image.fromTag('ghcr.io/acme/products', '1.8.2'));

      expect(products.imagePullPolicy).toBe(ImagePullPolicy.ALWAYS);
      expect(deployment.spec.template.spec.containers[0].imagePullPolicy).toEqual('Always');
      expect(deployment.metadata.annotations ?? {}).not.toHaveProperty('kube-score/ignore');
      expect(deployment.metadata.annotations ?? {}).not.toHaveProperty('polaris.fairwinds.com/pullPolicyNotAlways-exempt');
    });

    test.each([[ImagePullPolicy.IF_NOT_PRESENT, 'IfNotPresent'], [ImagePullPolicy.NEVER, 'Never']])(
      'renders %s for an image pinned by digest, with kube-score\'s and Polaris\' suppressions and their reason', (policy, value) => {
        const { deployment } = pulled(Image.fromDigest('ghcr.io/acme/products', DIGEST), policy);

        const reason = `container products runs an image pinned by digest with imagePullPolicy ${value}: the digest names immutable content, so every node runs exactly that image`;
        expect(deployment.spec.template.spec.containers[0].imagePullPolicy).toEqual(value);
        expect(deployment.metadata.annotations['kube-score/ignore']).toEqual('container-image-pull-policy');
        expect(deployment.metadata.annotations['polaris.fairwinds.com/pullPolicyNotAlways-exempt']).toEqual('true');
        expect(JSON.parse(deployment.metadata.annotations['conformance.cdk8s-microservices.io/suppress'])).toEqual(expect.arrayContaining([
          { tool: 'kube-score', check: 'container-image-pull-policy', reason },
          { tool: 'polaris', check: 'pullPolicyNotAlways', reason },
        ]));
      });

    test('fails when a tag-pinned image is not pulled Always', () => {
      expect(() => pulled(Image.fromTag('ghcr.io/acme/products', '1.8.2'), ImagePullPolicy.IF_NOT_PRESENT))
        .toThrow(/^catalog\/products: 'imagePullPolicy' \('IfNotPresent'\) must be Always unless the image is pinned by digest: a tag can move, and a node that has the image cached would run a stale one and skip the registry's credential check; pin the image with Image.fromDigest \(then IfNotPresent pulls the same content once per node\), or use ImagePullPolicy.ALWAYS$/);
    });

    test('fails when imagePullPolicy is not an ImagePullPolicy', () => {
      expect(() => pulled(Image.fromTag('ghcr.io/acme/products', '1.8.2'), 'Always' as unknown as ImagePullPolicy))
        .toThrow(/^catalog\/products: 'imagePullPolicy' \('Always'\) must be an ImagePullPolicy; use ImagePullPolicy.ALWAYS$/);
    });
  });
});
