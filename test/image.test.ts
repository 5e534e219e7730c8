import { Image, Microservice, Port, Probe } from '../lib';
import { find, objects, setup } from './_helpers';

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
      const tag = 'v'.repeat(64);

      expect(() => service(Image.fromTag('ghcr.io/acme/products', tag)))
        .toThrow(new RegExp(`^catalog/products: 'version' \\('${tag}'\\) must be a valid label value: 1 to 63 characters .*; use a shorter or simpler name$`));
    });
  });
});
