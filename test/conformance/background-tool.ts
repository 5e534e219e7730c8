/**
 * A tool built behind the cluster stages of `npm run conformance`.
 *
 * promtool (issue 22) is the one tool only the last stage needs, and its cold build is
 * several minutes of compiling (tools/BUILD-TIMES.md). The cluster stages before it spend
 * most of their time waiting: on kubectl's client-side rate limit (each pruning apply of the
 * day-2 gate), on the simulated controllers, on the self-test's timeouts. So the build starts
 * first, at the lowest CPU priority (`nice -n 19`), and the stage that needs it waits for it:
 * a cold run pays for the part of the build those waits do not hide, a warm run pays nothing
 * (tools/build-tools.sh finds the cached binary in well under a second).
 */
import { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { ToolInfo, Tools } from './harness';
import { makeTemp, progress, removeTemp, startDaemon } from './processes';

const REPO = path.resolve(__dirname, '..', '..');

/** A tools/build-tools.sh run in the background for one tool. */
export interface BackgroundTool {
  readonly name: string;
  /** Waits for the build, adds the tool to `tools` and says how long the stage waited. */
  wait(tools: Tools): Promise<void>;
}

/** Starts `nice -n 19 tools/build-tools.sh --only NAME` in its own process group, logging to a file. */
export function buildInBackground(name: string): BackgroundTool {
  const dir = makeTemp(`cdk8s-ms-build-${name}-`);
  const manifest = path.join(dir, 'manifest.tsv');
  const logFile = path.join(dir, 'build.log');
  const env = { ...process.env };
  const shared = path.resolve(REPO, '..', 'shared', 'third_party');
  if (!env.CDK8S_MS_TOOL_SOURCES && fs.existsSync(shared)) env.CDK8S_MS_TOOL_SOURCES = shared;
  const started = Date.now();
  const child: ChildProcess = startDaemon('nice',
    ['-n', '19', 'bash', path.join(REPO, 'tools', 'build-tools.sh'), '--manifest', manifest, '--only', name], logFile, env);
  let finished = 0;
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code) => { finished = Date.now(); resolve(code ?? 1); });
  });
  progress(`${name}: tools/build-tools.sh --only ${name} in the background at nice 19, while the cluster stages run (log: ${logFile})`);
  return {
    name,
    async wait(tools: Tools): Promise<void> {
      const waitFrom = Date.now();
      if (child.exitCode === null) progress(`${name}: waiting for its background build (log: ${logFile}) ...`);
      const code = await exited;
      const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trim() : '';
      const cached = /: cached \(/.test(log);
      const waited = (Date.now() - waitFrom) / 1000;
      const total = (finished - started) / 1000;
      if (fs.existsSync(manifest)) {
        for (const line of fs.readFileSync(manifest, 'utf8').split('\n').filter(Boolean)) {
          const [n, version, status, p] = line.split('\t');
          tools.byName.set(n, { name: n, version, status: status as ToolInfo['status'], path: p });
        }
      }
      if (code !== 0) {
        process.stderr.write(`${log}\n`);
        progress(`${name}: tools/build-tools.sh --only ${name} exited ${code}; read its messages above, then run it again by hand`);
      } else {
        progress(cached ? `${name}: cached`
          : `${name}: built in the background in ${total.toFixed(0)}s; this stage waited ${waited.toFixed(0)}s for it`);
      }
      removeTemp(dir);
    },
  };
}
