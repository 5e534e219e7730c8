import { Image, ImagePolicy } from '../../platform/image';
import { _POD_KINDS, _containersOf, _podTemplateOf } from '../pod-template';
import { PolicyFinding, PolicyManifest, PolicyRule } from '../policy-rule';
import { _at, _str } from '../json';

/**
 * CMS-001: every container image is pinned to a release: a digest, or a tag of
 * three numbers or a commit id, judged as `Image` judges the images of our
 * constructs under `ImagePolicy.VERSION_TAGS`.
 */
export const PINNED_IMAGE: PolicyRule = {
  id: 'CMS-001',
  slug: 'pinned-image',
  description: 'every container image is pinned to a release: a digest, or a version tag of three numbers or a commit id',
  reason: 'a moving tag (latest, alpine, 7.2) runs different code on every pull: a restart or a new node silently upgrades, and a rollback cannot go back',
  fix: 'use the full version tag (for example 1.8.2 or 7.2.5-alpine) or a digest (repo@sha256:...)',
  kinds: _POD_KINDS,
  check(manifest: PolicyManifest): PolicyFinding[] {
    const pod = _podTemplateOf(manifest);
    if (pod === undefined) {
      return [];
    }
    const findings: PolicyFinding[] = [];
    for (const c of _containersOf(pod)) {
      const image = _str(c.container.image);
      if (image === undefined || image === '') {
        findings.push({ path: _at(c.path, 'image'), message: `container '${c.name}' has no image` });
        continue;
      }
      const problem = Image.fromReference(image)._problem(ImagePolicy.VERSION_TAGS);
      if (problem !== undefined) {
        findings.push({ path: _at(c.path, 'image'), message: `image '${image}' of container '${c.name}' ${problem.expected.replace(/ \(the platform's imagePolicy[^)]*\)/, '')}` });
      }
    }
    return findings;
  },
};
