#!/usr/bin/env node
// Derives the list limits an ApiGateway checks at synth from the pinned Gateway API CRDs
// (tools/crds.env, the YAML tools/fetch-crds.sh --all prints): maxItems, maxLength and the
// CEL rules of the storage version of each CRD. Writes lib/gateway/gateway-api-limits.ts;
// with --check, exits 1 when that file differs from what the CRDs give (test/gateway
// runs the same comparison). Usage: node tools/gateway-api-limits.cjs [--check]
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const yaml = require('yaml');

const REPO = path.join(__dirname, '..');
const OUT = path.join(REPO, 'lib', 'gateway', 'gateway-api-limits.ts');

/** The pinned Gateway API version (tools/crds.env). */
function pinnedVersion() {
  const env = fs.readFileSync(path.join(__dirname, 'crds.env'), 'utf8');
  const m = /^GATEWAY_API_VERSION=(\S+)$/m.exec(env);
  if (!m) throw new Error('tools/crds.env has no GATEWAY_API_VERSION');
  return m[1];
}

/** The CRD files of tools/fetch-crds.sh --all (cached; downloaded once through the Go module proxy). */
function crdFiles() {
  const out = execFileSync('bash', [path.join(__dirname, 'fetch-crds.sh'), '--all'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.split('\n').filter(f => /\/gateway\.networking\.k8s\.io_[a-z]+\.yaml$/.test(f));
}

/** The storage version's spec schema of the CRD `<plural>`, and the CRD's bundle version. */
function spec(files, plural) {
  const file = files.find(f => f.endsWith(`/gateway.networking.k8s.io_${plural}.yaml`));
  if (!file) throw new Error(`no CRD for ${plural} in tools/fetch-crds.sh --all`);
  const crd = yaml.parse(fs.readFileSync(file, 'utf8'));
  const version = crd.spec.versions.find(v => v.storage);
  return { schema: version.schema.openAPIV3Schema.properties.spec, bundle: crd.metadata.annotations['gateway.networking.k8s.io/bundle-version'], channel: crd.metadata.annotations['gateway.networking.k8s.io/channel'] };
}

/** The schema at a path of property names ('[]' steps into array items). */
function at(schema, ...steps) {
  let s = schema;
  for (const step of steps) {
    s = step === '[]' ? s.items : s.properties[step];
    if (!s) throw new Error(`the CRD has no ${steps.join('.')}`);
  }
  return s;
}

/** Whether the schema has the path of property names (a field an older release lacks). */
function has(schema, ...steps) {
  let s = schema;
  for (const step of steps) {
    s = step === '[]' ? s && s.items : s && s.properties && s.properties[step];
  }
  return Boolean(s);
}

function maxItems(schema, ...steps) {
  const s = at(schema, ...steps);
  if (typeof s.maxItems !== 'number') throw new Error(`the CRD sets no maxItems on ${steps.join('.')}`);
  return s.maxItems;
}

/** The bound of the CEL rule that limits the matches of all rules of a route (`... <= 128`). */
function totalMatches(schema) {
  const rule = (at(schema, 'rules')['x-kubernetes-validations'] || []).find(r => /total number of matches/.test(r.message));
  const m = rule && /<=\s*(\d+)\s*$/.exec(rule.rule.trim());
  if (!m) throw new Error('the CRD has no CEL rule on the total number of matches of a route');
  return Number(m[1]);
}

/** Whether a CEL rule of the schema (anywhere below it) calls the Kubernetes IP/CIDR library. */
function usesIpLibrary(schema) {
  const rules = [];
  const walk = s => {
    if (!s || typeof s !== 'object') return;
    for (const r of s['x-kubernetes-validations'] || []) rules.push(r.rule);
    for (const c of Object.values(s.properties || {})) walk(c);
    walk(s.items);
  };
  walk(schema);
  return rules.some(r => /\b(isIP|ip|isCIDR|cidr)\(/.test(r));
}

function limits(files) {
  const gateway = spec(files, 'gateways');
  const http = spec(files, 'httproutes');
  const grpc = spec(files, 'grpcroutes');
  const tls = spec(files, 'tlsroutes');
  const h = http.schema;
  const g = grpc.schema;
  const modifier = Math.min(...['set', 'add', 'remove'].map(k => maxItems(h, 'rules', '[]', 'filters', '[]', 'requestHeaderModifier', k)));
  return {
    version: http.bundle,
    channel: http.channel,
    gatewayListeners: maxItems(gateway.schema, 'listeners'),
    httpRouteHostnames: maxItems(h, 'hostnames'),
    httpRouteRules: maxItems(h, 'rules'),
    httpRouteMatchesPerRule: maxItems(h, 'rules', '[]', 'matches'),
    httpRouteMatchesTotal: totalMatches(h),
    httpRouteFilters: maxItems(h, 'rules', '[]', 'filters'),
    httpRouteBackendRefs: maxItems(h, 'rules', '[]', 'backendRefs'),
    httpRouteHeaderMatches: maxItems(h, 'rules', '[]', 'matches', '[]', 'headers'),
    httpRouteQueryParamMatches: maxItems(h, 'rules', '[]', 'matches', '[]', 'queryParams'),
    headerModifierEntries: modifier,
    headerNameLength: at(h, 'rules', '[]', 'matches', '[]', 'headers', '[]', 'name').maxLength,
    corsAllowOrigins: maxItems(h, 'rules', '[]', 'filters', '[]', 'cors', 'allowOrigins'),
    corsAllowHeaders: maxItems(h, 'rules', '[]', 'filters', '[]', 'cors', 'allowHeaders'),
    corsExposeHeaders: maxItems(h, 'rules', '[]', 'filters', '[]', 'cors', 'exposeHeaders'),
    grpcRouteHostnames: maxItems(g, 'hostnames'),
    grpcRouteRules: maxItems(g, 'rules'),
    grpcRouteMatchesPerRule: maxItems(g, 'rules', '[]', 'matches'),
    grpcRouteMatchesTotal: totalMatches(g),
    grpcRouteHeaderMatches: maxItems(g, 'rules', '[]', 'matches', '[]', 'headers'),
    grpcRouteBackendRefs: maxItems(g, 'rules', '[]', 'backendRefs'),
    tlsRouteHostnames: maxItems(tls.schema, 'hostnames'),
    tlsRouteRules: maxItems(tls.schema, 'rules'),
    tlsRouteNeedsIpLibrary: usesIpLibrary(tls.schema),
    httpRouteMirrorPercent: has(h, 'rules', '[]', 'filters', '[]', 'requestMirror', 'percent'),
    grpcRouteMirrorPercent: has(g, 'rules', '[]', 'filters', '[]', 'requestMirror', 'percent'),
  };
}

/** The TypeScript module of the limits. */
function render(files) {
  const l = limits(files);
  if (l.version !== pinnedVersion()) throw new Error(`the CRDs are Gateway API ${l.version}, but tools/crds.env pins ${pinnedVersion()}`);
  const lines = Object.entries(l).map(([k, v]) => `  ${k}: ${typeof v === 'string' ? `'${v}'` : v},`);
  return [
    `// Generated by tools/gateway-api-limits.cjs from the Gateway API CRDs pinned in tools/crds.env`,
    `// (${l.version}, ${l.channel} channel, storage versions): do not edit. Regenerate with`,
    `// \`node tools/gateway-api-limits.cjs\` after changing the pin; test/gateway checks it against the CRDs.`,
    '',
    '/**',
    ' * The list limits (maxItems, maxLength, CEL bounds) of the pinned Gateway API CRDs',
    ' * that an ApiGateway can reach, whether the TLSRoute CRD\'s CEL rules need the',
    ' * Kubernetes IP library, and whether RequestMirror has `percent`. @internal',
    ' */',
    'export const _GATEWAY_API_LIMITS = {',
    ...lines,
    '} as const;',
    '',
  ].join('\n');
}

module.exports = { render, crdFiles, pinnedVersion, OUT };

if (require.main === module) {
  const text = render(crdFiles());
  if (process.argv.includes('--check')) {
    if (!fs.existsSync(OUT) || fs.readFileSync(OUT, 'utf8') !== text) {
      console.error(`${path.relative(REPO, OUT)} differs from the CRDs: run node tools/gateway-api-limits.cjs`);
      process.exit(1);
    }
  } else {
    fs.writeFileSync(OUT, text);
    console.error(`wrote ${path.relative(REPO, OUT)}`);
  }
}
