/**
 * A local `nats-server` (the Debian package) with JetStream, run as a child process: the embedded
 * default when no NATS URL is configured, and the real server of the tests.
 *
 * The server's configuration is generated from an object (so governance can add an `authorization`
 * block with per-user permissions) and written as a NATS config file under the store folder; an extra
 * config file can be included. `reconfigure()` rewrites it and reloads the server (SIGHUP) in place.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { PlatewatchError } from '../errors.js';

/** nats-server failed to start, stopped unexpectedly, or could not be reloaded. */
export class NatsServerError extends PlatewatchError {}

export interface NatsServerOptions {
  /** Folder for the JetStream store and the generated config file. */
  storeDir: string;
  /** Address to bind; loopback by default (nothing outside this machine can reach it). */
  host?: string;
  /** Client port; 0 picks a free one (kept across restarts of this object). */
  port?: number;
  /** The nats-server executable. */
  binary?: string;
  /**
   * Extra top-level server settings merged into the generated config, e.g.
   * `{ authorization: { users: [{ user, password, permissions: { subscribe: { allow: [...] } } }] } }`.
   */
  config?: Record<string, unknown>;
  /** NATS config text appended verbatim (e.g. an `authorization { users = [...] }` block). */
  configText?: string;
  /** A NATS config file included after the generated settings (absolute path). */
  includeFile?: string;
  /** Largest JetStream file store, bytes (jetstream.max_file_store). */
  maxFileStore?: number;
  /** Milliseconds to wait for the server to be ready. */
  startTimeoutMs?: number;
  /** Receives the server's log lines (stderr). */
  onLog?: (line: string) => void;
}

export type NatsServerStatus =
  | { state: 'stopped' }
  | { state: 'starting' }
  | { state: 'running'; pid: number; url: string }
  | { state: 'exited'; code: number | null; signal: NodeJS.Signals | null };

type OptionalKeys = 'config' | 'configText' | 'includeFile' | 'onLog' | 'maxFileStore';

/** Serializes a value as NATS config syntax (JSON values are valid NATS config). */
function confLine(key: string, value: unknown): string {
  return `${key}: ${JSON.stringify(value)}`;
}

export class NatsServer {
  readonly options: Required<Omit<NatsServerOptions, OptionalKeys>> & Pick<NatsServerOptions, OptionalKeys>;
  private child: ChildProcess | undefined;
  private _status: NatsServerStatus = { state: 'stopped' };
  private port: number;
  private exitWaiters: (() => void)[] = [];
  private logLines: string[] = [];
  private logSeq = 0;

  constructor(options: NatsServerOptions) {
    this.options = {
      host: '127.0.0.1',
      port: 0,
      binary: 'nats-server',
      startTimeoutMs: 15_000,
      ...options,
    };
    this.port = this.options.port;
  }

  get status(): NatsServerStatus {
    return this._status;
  }

  /** nats://host:port of the running server (the port is known once started). */
  get url(): string {
    return `nats://${this.options.host}:${this.port}`;
  }

  /** Where nats-server writes its pid (used to stop a server orphaned by a crashed platewatch). */
  get pidFile(): string {
    return path.join(this.options.storeDir, 'nats-server.pid');
  }

  /**
   * A platewatch killed with -9 leaves its nats-server running on the same store and port: stop that
   * orphan (only a nats-server started with this store's config file) before starting a new one.
   */
  private async stopOrphan(): Promise<void> {
    if (!existsSync(this.pidFile)) return;
    const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
    rmSync(this.pidFile, { force: true });
    if (!Number.isInteger(pid) || pid <= 1) return;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return; // not running
    }
    if (!cmdline.includes('nats-server') || !cmdline.includes(this.configFile)) return;
    this.options.onLog?.(`stopping orphaned nats-server ${pid}`);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 20));
  }

  /** Path of the generated config file. */
  get configFile(): string {
    return path.join(this.options.storeDir, 'nats-server.conf');
  }

  /** Writes the config file from the options (and `config` overrides, when given). */
  writeConfig(
    config: Record<string, unknown> | undefined = this.options.config,
    configText: string | undefined = this.options.configText,
  ): string {
    const o = this.options;
    mkdirSync(o.storeDir, { recursive: true });
    const base: Record<string, unknown> = {
      pid_file: this.pidFile,
      host: o.host,
      port: this.port === 0 ? -1 : this.port,
      jetstream: {
        store_dir: path.join(o.storeDir, 'jetstream'),
        ...(o.maxFileStore ? { max_file_store: o.maxFileStore } : {}),
      },
      ...config,
    };
    const lines = [
      '# generated by platewatch (src/nats/NatsServer.ts): edits are overwritten',
      ...Object.entries(base).map(([k, v]) => confLine(k, v)),
    ];
    if (configText) lines.push(configText);
    if (o.includeFile) lines.push(`include ${JSON.stringify(path.relative(o.storeDir, o.includeFile))}`);
    writeFileSync(this.configFile, `${lines.join('\n')}\n`, { mode: 0o600 });
    return this.configFile;
  }

  /** Starts the server and resolves once it accepts clients; rejects with NatsServerError. */
  async start(): Promise<string> {
    if (this._status.state === 'running' || this._status.state === 'starting') {
      throw new NatsServerError('ERR_NATS_SERVER_STATE', `nats-server is already ${this._status.state}`);
    }
    await this.stopOrphan();
    this.writeConfig();
    this._status = { state: 'starting' };
    // Its own process group: Ctrl-C (or `timeout`) signals the whole foreground group, and the server
    // must outlive the signal until its owner has closed the NATS link and flushed the outbox, then stops
    // it (stop()). A server orphaned by a crash of its owner is stopped at the next start (stopOrphan()).
    const child = spawn(this.options.binary, ['-c', this.configFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    this.child = child;
    return await new Promise<string>((resolve, reject) => {
      let settled = false;
      const log: string[] = [];
      const fail = (message: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new NatsServerError('ERR_NATS_SERVER_START', `${message}\n${log.slice(-10).join('\n')}`));
      };
      const timer = setTimeout(
        () => fail(`nats-server not ready after ${this.options.startTimeoutMs} ms`),
        this.options.startTimeoutMs,
      );
      let buffered = '';
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => {
        buffered += chunk;
        let nl = buffered.indexOf('\n');
        while (nl >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          nl = buffered.indexOf('\n');
          log.push(line);
          if (log.length > 50) log.shift();
          this.logLines.push(line);
          this.logSeq++;
          if (this.logLines.length > 50) this.logLines.shift();
          this.options.onLog?.(line);
          const m = /Listening for client connections on (\S+):(\d+)/.exec(line);
          if (m) this.port = Number(m[2]);
          if (!settled && /Server is ready/.test(line)) {
            settled = true;
            clearTimeout(timer);
            this._status = { state: 'running', pid: child.pid!, url: this.url };
            resolve(this.url);
          }
        }
      });
      child.on('error', (err) => {
        // A spawn failure never emits 'exit': forget the child here.
        if (this.child === child) this.child = undefined;
        this._status = { state: 'exited', code: null, signal: null };
        fail(`cannot run ${this.options.binary}: ${err.message}`);
      });
      child.on('exit', (code, signal) => {
        this._status = { state: 'exited', code, signal };
        this.child = undefined;
        for (const w of this.exitWaiters.splice(0)) w();
        fail(`nats-server exited during start-up (code ${code}, signal ${signal})`);
      });
    });
  }

  /**
   * Rewrites the config with new settings (e.g. regenerated users and permissions: an object merged
   * into the top level, and/or config text appended) and reloads the running server in place (SIGHUP),
   * resolving once nats-server reports the reload: connected clients stay, new permissions apply.
   */
  async reconfigure(config: Record<string, unknown> | undefined, configText?: string): Promise<void> {
    this.options.config = config;
    this.options.configText = configText;
    this.writeConfig(config, configText);
    if (this._status.state !== 'running' || !this.child) return;
    const mark = this.logSeq;
    this.child.kill('SIGHUP');
    const deadline = Date.now() + 5000;
    for (;;) {
      const fresh = this.logLines.slice(Math.max(0, this.logLines.length - (this.logSeq - mark)));
      if (fresh.some((l) => /Reloaded server configuration/.test(l))) return;
      const bad = fresh.find((l) => /\[ERR\]|[Ff]ailed to reload/.test(l));
      if (bad) throw new NatsServerError('ERR_NATS_SERVER_RELOAD', `nats-server refused the new config: ${bad}`);
      if (Date.now() > deadline)
        throw new NatsServerError('ERR_NATS_SERVER_RELOAD', 'nats-server did not reload within 5 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Stops the server (SIGTERM, then SIGKILL after `timeoutMs`); safe to call twice. */
  async stop(timeoutMs = 5000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.child = undefined;
      this._status = { state: 'stopped' };
      return;
    }
    const exited = new Promise<void>((r) => this.exitWaiters.push(r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
    this._status = { state: 'stopped' };
  }

  /** Kills the server abruptly (SIGKILL), as a crash would: for fault tests. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((r) => this.exitWaiters.push(r));
    child.kill('SIGKILL');
    await exited;
  }
}
