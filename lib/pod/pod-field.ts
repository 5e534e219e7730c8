/**
 * A field of the pod that the kubelet hands to a container as an environment
 * variable (the downward API's `fieldRef`): what is only known once the pod exists,
 * such as its name.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/pods/downward-api/
 */
export class PodField {
  /** The pod's name (`metadata.name`). */
  public static readonly NAME = new PodField('metadata.name');
  /** The pod's namespace (`metadata.namespace`). */
  public static readonly NAMESPACE = new PodField('metadata.namespace');
  /** The pod's UID (`metadata.uid`). */
  public static readonly UID = new PodField('metadata.uid');
  /** The name of the node the pod runs on (`spec.nodeName`). */
  public static readonly NODE_NAME = new PodField('spec.nodeName');
  /** The pod's ServiceAccount (`spec.serviceAccountName`). */
  public static readonly SERVICE_ACCOUNT = new PodField('spec.serviceAccountName');
  /** The pod's primary IP address (`status.podIP`). */
  public static readonly POD_IP = new PodField('status.podIP');

  /**
   * The value of one of the pod's labels (`metadata.labels['<key>']`), such as
   * `app.kubernetes.io/version`, which differs between the tracks of a release.
   */
  public static label(key: string): PodField {
    return new PodField(`metadata.labels['${key}']`);
  }

  private constructor(
    /** The `fieldPath` the kubelet reads. */
    public readonly fieldPath: string,
  ) {}
}
