// The policy pack as the validation plugin of this project's own `cdk8s synth` (cdk8s.yaml).
// cdk8s-cli loads a plugin with require(), and this repository's sources are TypeScript:
// tsx's require hook lets it load lib/policy/validation-plugin.ts as it is. An app that
// installs cdk8s-microservices names the package instead (README, "Guardrails for any cdk8s app").
require('tsx/cjs');
module.exports = require('../lib/policy/validation-plugin');
