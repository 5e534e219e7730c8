/**
 * Processes and temporary directories of the conformance harness and the simulation:
 * daemons in their own process groups, commands run to completion, free ports on
 * 127.0.0.1, and one cleanup that stops every daemon and removes every temporary
 * directory on exit, on failure and on Ctrl-C/SIGTERM/SIGHUP. Node built-ins only.
 */
import { spawn, spawnSync, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

// ------------------------------------------------------------------ logging

const t0 = Date.now();
let label = 'conformance';
/** The prefix of progress lines: `[conformance 12.3s]` (the simulation run says `simulate`). */
export function progressLabel(l: string): void { label = l; }
export function progress(msg: string): void {
  const s = ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[${label} ${s}s] ${msg}\n`);
}

// ------------------------------------------------------------------ processes

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try { process.kill(-child.pid, signal); } catch { /* already gone */ }
}

/** Last-resort cleanup, synchronous: used on process exit. */
function cleanupSync(): void {
  for (const c of children) killGroup(c, 'SIGKILL');
  for (const d of tempDirs) { try { fs.rmSync(d, { recursive: true, force: true }); } catch { /* ignore */ } }
}
let handlersInstalled = false;
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanupSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as NodeJS.Signals[]) {
    process.on(sig, () => {
      progress(`${sig}: stopping everything the harness started`);
      cleanupSync();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Starts a long-running process in its own process group, logging to a file. */
export function startDaemon(cmd: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  installExitHandlers();
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], env });
  fs.closeSync(fd);
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

export async function stopDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((res) => child.once('exit', () => res()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

export async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = net.createServer();
    await new Promise<void>((res, rej) => { s.once('error', rej); s.listen(0, '127.0.0.1', () => res()); });
    servers.push(s);
    ports.push((s.address() as net.AddressInfo).port);
  }
  await Promise.all(servers.map((s) => new Promise<void>((res) => s.close(() => res()))));
  return ports;
}

export interface RunResult { code: number; out: string; seconds: number }

/** Runs a command to completion; stdout and stderr go to ONE pipe so their order is kept. */
export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', '"$0" "$@" 2>&1', cmd, ...args],
      { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, out, seconds: (Date.now() - start) / 1000 });
    });
  });
}

export function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
}

/** A temporary directory, removed by removeTemp or, at the latest, when the harness exits. */
export function makeTemp(prefix: string): string {
  installExitHandlers();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTemp(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}
