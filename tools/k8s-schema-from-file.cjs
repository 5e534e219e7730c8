// Preloaded by tools/import-k8s.sh into the cdk8s CLI (`node -r`): `cdk8s import k8s@<version>`
// downloads the schema from raw.githubusercontent.com/cdk8s-team/cdk8s, which has no schema for
// the newest Kubernetes releases (and is not reachable from every build machine). This answers
// that one download with the OpenAPI spec the Kubernetes release itself ships
// (api/openapi-spec/swagger.json of the k8s.io/kubernetes Go module, named by
// CDK8S_MS_K8S_SWAGGER); cdk8s' own importer then generates the classes as usual. Every other
// download goes through unchanged.
'use strict';
const fs = require('fs');
const path = require('path');

const swagger = process.env.CDK8S_MS_K8S_SWAGGER;
if (!swagger) {
  throw new Error('k8s-schema-from-file: set CDK8S_MS_K8S_SWAGGER to the swagger.json to import');
}
const util = require(path.join(path.dirname(require.resolve('cdk8s-cli/package.json')), 'lib', 'util.js'));
const download = util.download;
util.download = async (url) => {
  if (/\/kubernetes-schemas\/v[0-9.]+\/_definitions\.json$/.test(url)) {
    // the cdk8s schemas are the spec's definitions (the importer reads only those), with the
    // two string-encoded union types spelled as unions, as cdk8s' own schemas have them, so
    // that they become the classes cdk8s-plus-27's k8s module has (IntOrString.fromNumber,
    // Quantity.fromString, ...)
    const { definitions } = JSON.parse(fs.readFileSync(swagger, 'utf8'));
    const union = (name, other) => {
      if (!definitions[name]) throw new Error(`k8s-schema-from-file: ${swagger} has no ${name}`);
      definitions[name] = { description: definitions[name].description, oneOf: [{ type: 'string' }, { type: other }] };
    };
    union('io.k8s.apimachinery.pkg.util.intstr.IntOrString', 'integer');
    union('io.k8s.apimachinery.pkg.api.resource.Quantity', 'number');
    return JSON.stringify({ definitions });
  }
  return download(url);
};
