/**
 * A pinned container image: a repository with a version tag (never `latest`) or a
 * content digest.
 *
 * Problems are recorded, not thrown, so that the microservice that uses the image
 * can name its own construct path in the error.
 *
 * @example
 * Image.fromTag('ghcr.io/acme/products', '1.8.2')
 * Image.fromDigest('ghcr.io/acme/payments', 'sha256:0f3c...')
 * Image.fromReference('ghcr.io/acme/orders:2.0.1')
 */
export class Image {
  /**
   * An image pinned by tag. The tag must not be `latest`.
   *
   * @param repository registry and repository, for example `ghcr.io/acme/products`
   * @param tag a version tag, for example `1.8.2`
   */
  public static fromTag(repository: string, tag: string): Image {
    return new Image(repository, tag, undefined);
  }

  /**
   * An image pinned by content digest, the strongest pin.
   *
   * @param repository registry and repository, for example `ghcr.io/acme/products`
   * @param digest `sha256:` followed by 64 hex digits
   */
  public static fromDigest(repository: string, digest: string): Image {
    return new Image(repository, undefined, digest);
  }

  /**
   * An image from a full reference: `repo:tag`, `repo@sha256:...` or
   * `repo:tag@sha256:...`.
   */
  public static fromReference(reference: string): Image {
    const at = reference.indexOf('@');
    const digest = at >= 0 ? reference.slice(at + 1) : undefined;
    const rest = at >= 0 ? reference.slice(0, at) : reference;
    const slash = rest.lastIndexOf('/');
    const colon = rest.lastIndexOf(':');
    const hasTag = colon > slash;
    const repository = hasTag ? rest.slice(0, colon) : rest;
    const tag = hasTag ? rest.slice(colon + 1) : undefined;
    return new Image(repository, tag, digest);
  }

  /** Registry and repository, for example `ghcr.io/acme/products`. */
  public readonly repository: string;

  /** The version tag, if pinned by tag. */
  public readonly tag?: string;

  /** The content digest, if pinned by digest. */
  public readonly digest?: string;

  private constructor(repository: string, tag: string | undefined, digest: string | undefined) {
    this.repository = repository;
    this.tag = tag;
    this.digest = digest;
  }

  /**
   * The reference as a container runtime reads it.
   */
  public get reference(): string {
    return this.repository + (this.tag !== undefined ? `:${this.tag}` : '') + (this.digest !== undefined ? `@${this.digest}` : '');
  }

  /**
   * A version for the `app.kubernetes.io/version` label: the tag, or the first 12
   * hex digits of the digest.
   */
  public get version(): string {
    if (this.tag !== undefined) {
      return this.tag;
    }
    return (this.digest ?? '').replace(/^sha256:/, '').slice(0, 12);
  }

  /**
   * What is wrong with this reference, or `undefined` when it is pinned.
   * @internal
   */
  public _problem(): { expected: string; fix: string } | undefined {
    if (!/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(this.repository)) {
      return {
        expected: 'must be a lower-case image repository such as \'ghcr.io/acme/products\'',
        fix: 'correct the repository part of the image',
      };
    }
    if (this.digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(this.digest)) {
      return {
        expected: 'must have a digest of the form \'sha256:\' followed by 64 lower-case hex digits',
        fix: 'copy the digest from your registry (for example `crane digest <image>`)',
      };
    }
    if (this.tag === undefined && this.digest === undefined) {
      return {
        expected: 'must be pinned, but has no tag and no digest (it would pull \'latest\')',
        fix: 'use Image.fromTag(repository, \'1.2.3\') or Image.fromDigest(repository, \'sha256:...\')',
      };
    }
    if (this.tag !== undefined && this.tag.toLowerCase() === 'latest') {
      return {
        expected: 'must be pinned, but uses the moving tag \'latest\'',
        fix: 'use a version tag such as \'1.2.3\' or a digest',
      };
    }
    if (this.tag !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(this.tag)) {
      return {
        expected: 'must have a tag of up to 128 letters, digits, \'_\', \'.\' and \'-\', not starting with \'.\' or \'-\'',
        fix: 'correct the tag',
      };
    }
    return undefined;
  }
}
