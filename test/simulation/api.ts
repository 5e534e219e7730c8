/**
 * A small Kubernetes API client for the simulation: requests with the admin client
 * certificate of a local control plane, and informers (list, then watch) that keep a
 * live copy of a resource and call back on every change, so that a check sees every
 * state the cluster passes through, not samples of it. Node built-ins only.
 */
import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';

export interface ApiObject { metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string } }

export class ApiError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

export class KubeApi {
  private readonly agent: https.Agent;
  private readonly host: string;
  private readonly port: number;

  /** server: https://127.0.0.1:PORT; dir holds ca.crt, admin.crt, admin.key (harness.ts) */
  constructor(readonly server: string, dir: string) {
    const u = new URL(server);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new https.Agent({
      keepAlive: true, maxSockets: 32,
      ca: fs.readFileSync(path.join(dir, 'ca.crt')), cert: fs.readFileSync(path.join(dir, 'admin.crt')), key: fs.readFileSync(path.join(dir, 'admin.key')),
    });
  }

  request<T>(method: string, p: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request({
        host: this.host, port: this.port, path: p, method, agent: this.agent,
        headers: { 'Accept': 'application/json', ...(data ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(data) } : {}) },
        timeout: 30_000,
      }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => { text += d; });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) { resolve((text ? JSON.parse(text) : {}) as T); return; }
          let msg = text;
          try { msg = (JSON.parse(text) as { message?: string }).message ?? text; } catch { /* not JSON */ }
          reject(new ApiError(status, `${method} ${p}: ${status} ${msg}`));
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${p}: no answer in 30s`)));
      req.on('error', reject);
      if (data) req.write(data);
      req.end();
    });
  }

  get<T>(p: string): Promise<T> { return this.request<T>('GET', p); }
  create<T>(p: string, obj: unknown): Promise<T> { return this.request<T>('POST', p, obj); }
  list<T>(p: string): Promise<{ items: T[]; metadata: { resourceVersion: string } }> { return this.get(p); }

  /** A streaming watch; calls onEvent per event, onEnd once when the stream ends or fails. */
  watch(p: string, resourceVersion: string, onEvent: (type: string, obj: unknown) => void, onEnd: (err?: Error) => void): () => void {
    const sep = p.includes('?') ? '&' : '?';
    let ended = false;
    const end = (err?: Error): void => { if (!ended) { ended = true; onEnd(err); } };
    const req = https.request({
      host: this.host, port: this.port, method: 'GET', agent: this.agent, headers: { Accept: 'application/json' },
      path: `${p}${sep}watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(resourceVersion)}`,
    }, (res) => {
      if (res.statusCode !== 200) { res.resume(); end(new ApiError(res.statusCode ?? 0, `watch ${p}: ${res.statusCode}`)); return; }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i).trim();
          buf = buf.slice(i + 1);
          if (!line) continue;
          const ev = JSON.parse(line) as { type: string; object: unknown };
          onEvent(ev.type, ev.object);
        }
      });
      res.on('end', () => end());
      res.on('error', (e) => end(e));
    });
    req.on('error', (e) => end(e));
    req.end();
    return () => { ended = true; req.destroy(); };
  }

  close(): void { this.agent.destroy(); }
}

/**
 * A live copy of one resource (all namespaces), kept by list + watch; `onChange` runs
 * after every change, with the store already updated. Re-lists when the watch expires.
 */
export class Informer<T extends ApiObject> {
  readonly items = new Map<string, T>();
  private stopWatch?: () => void;
  private stopped = false;
  private resourceVersion = '';

  constructor(private readonly api: KubeApi, readonly path: string, private readonly onChange: (type: string, obj: T) => void = () => undefined) {}

  static key(o: ApiObject): string { return `${o.metadata.namespace ?? ''}/${o.metadata.name}`; }

  list(): T[] { return [...this.items.values()]; }

  async start(): Promise<void> {
    const l = await this.api.list<T>(this.path);
    this.items.clear();
    for (const o of l.items) this.items.set(Informer.key(o), o);
    this.resourceVersion = l.metadata.resourceVersion;
    this.watchFrom();
  }

  private watchFrom(): void {
    if (this.stopped) return;
    this.stopWatch = this.api.watch(this.path, this.resourceVersion, (type, raw) => {
      if (type === 'BOOKMARK') { this.resourceVersion = (raw as ApiObject).metadata.resourceVersion ?? this.resourceVersion; return; }
      if (type === 'ERROR') { this.resourceVersion = ''; return; } // 410 Gone: re-list below
      const o = raw as T;
      this.resourceVersion = o.metadata.resourceVersion ?? this.resourceVersion;
      if (type === 'DELETED') this.items.delete(Informer.key(o)); else this.items.set(Informer.key(o), o);
      this.onChange(type, o);
    }, () => {
      if (this.stopped) return;
      // the stream ended (server timeout) or failed: resume, or re-list after an expiry
      setTimeout(() => {
        if (this.stopped) return;
        if (this.resourceVersion) this.watchFrom();
        else this.start().catch(() => setTimeout(() => this.watchFrom(), 1000));
      }, 200);
    });
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
  }
}
