/*
 * The Grafana Foundation SDK publishes its modules as package.json "exports" subpaths
 * ('@grafana/grafana-foundation-sdk/dashboard'), which Node, jest and tsx resolve at
 * run time, but which TypeScript's moduleResolution "node" (this project's) does not
 * read for types. These declarations give each subpath the library uses the types of
 * the file its "exports" entry points at, so the code imports the public subpaths and
 * the compiled JavaScript requires them as a user's Node does. No type of the SDK
 * appears in the library's public API, so a user's compiler never needs them.
 * With moduleResolution "node16" or "bundler", delete this file.
 */
declare module '@grafana/grafana-foundation-sdk/dashboard' {
  export * from '@grafana/grafana-foundation-sdk/dist/dashboard';
}
declare module '@grafana/grafana-foundation-sdk/prometheus' {
  export * from '@grafana/grafana-foundation-sdk/dist/prometheus';
}
declare module '@grafana/grafana-foundation-sdk/timeseries' {
  export * from '@grafana/grafana-foundation-sdk/dist/timeseries';
}
declare module '@grafana/grafana-foundation-sdk/common' {
  export * from '@grafana/grafana-foundation-sdk/dist/common';
}
