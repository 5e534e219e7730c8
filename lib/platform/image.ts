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
   * What is wrong with this reference under `policy`, or `undefined` when it is
   * pinned as the policy asks.
   * @internal
   */
  public _problem(policy: ImagePolicy = ImagePolicy.VERSION_TAGS): { expected: string; fix: string } | undefined {
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
    return policy._problem(this);
  }
}

/** `1.2.3`, `v1.2.3`, `7.2.5-alpine`, `1.4.0-rc.1`, `2024.01.15`: three numbers or more, then any qualifier. */
const VERSION_TAG = /^v?\d+\.\d+\.\d+([-+._][0-9A-Za-z][0-9A-Za-z._+-]*)?$/;
/** A commit id as CI tags images with (`3f2a1bc`, `sha-3f2a1bc9`): 7 to 40 hex digits, some of them letters. */
const COMMIT_TAG = /^(sha-|git-)?(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}$/;

/**
 * Which image references a platform accepts: how firmly an image must be pinned.
 * `latest` and untagged images are refused under every policy.
 *
 * @example
 * new Platform(app, 'sales', { imagePolicy: ImagePolicy.DIGESTS })
 */
export class ImagePolicy {
  /** Every image pinned by content digest (`repo@sha256:...`, or `repo:tag@sha256:...`): what runs is exactly what was reviewed. */
  public static readonly DIGESTS = new ImagePolicy('digests');
  /**
   * A digest, or a tag that looks like a release: three numbers or more
   * (`1.2.3`, `v1.2.3`, `7.2.5-alpine`, `1.4.0-rc.1`) or a commit id (`3f2a1bc`,
   * `sha-3f2a1bc`). Tags that move on every release (`alpine`, `20`, `7.2`,
   * `stable`, `20-alpine`) are refused. The default.
   */
  public static readonly VERSION_TAGS = new ImagePolicy('version tags');
  /** Any tag but `latest` (a moving tag such as `alpine` or `20` passes). */
  public static readonly NOT_LATEST = new ImagePolicy('not latest');

  private constructor(
    /** The policy's name, for messages. */
    public readonly name: string,
  ) {}

  /** What is wrong with a pinned, well-formed image under this policy. @internal */
  public _problem(image: Image): { expected: string; fix: string } | undefined {
    if (image.digest !== undefined || this === ImagePolicy.NOT_LATEST) {
      return undefined;
    }
    if (this === ImagePolicy.DIGESTS) {
      return {
        expected: 'must be pinned by digest: the platform\'s imagePolicy is ImagePolicy.DIGESTS',
        fix: 'use Image.fromDigest(repository, \'sha256:...\') (crane digest <image> prints it), or Image.fromReference(\'repo:tag@sha256:...\')',
      };
    }
    const tag = image.tag ?? '';
    if (!VERSION_TAG.test(tag) && !COMMIT_TAG.test(tag)) {
      return {
        expected: `must be pinned to a release, but '${tag}' looks like a moving tag (the platform's imagePolicy is ImagePolicy.VERSION_TAGS: a tag of three numbers such as '1.2.3' or '7.2.5-alpine', or a commit id)`,
        fix: 'use the full version tag (for example \'7.2.5-alpine\' rather than \'alpine\' or \'7.2\') or a digest, or set imagePolicy: ImagePolicy.NOT_LATEST on the Platform',
      };
    }
    return undefined;
  }
}

/**
 * When the kubelet pulls a container's image.
 *
 * @see https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy
 */
export class ImagePullPolicy {
  /** On every container start (the registry checks the pull credentials every time). The default. */
  public static readonly ALWAYS = new ImagePullPolicy('Always');
  /** Once per node; only for an image pinned by digest, whose content cannot change. */
  public static readonly IF_NOT_PRESENT = new ImagePullPolicy('IfNotPresent');
  /** Never: the image must be on the node already (preloaded); only for an image pinned by digest. */
  public static readonly NEVER = new ImagePullPolicy('Never');

  private constructor(
    /** The Kubernetes name of the policy. */
    public readonly value: string,
  ) {}
}
