// An apt of our own that does not touch the host's: its own sources, lists, cache, status and
// architectures, given to apt-get by APT_CONFIG (DESIGN §8: -o Dir::Etc::Parts on the command
// line is too late, the host's apt.conf.d is read by then). Used to read repositories given by
// URL, by the tests, and by the benchmarks that ask apt for its verdict.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError } from '../lib/errors.js';
import { runTool, type ToolResult } from './run-tool.js';

export interface PrivateAptOptions {
  /** Where to keep it (made if missing); a fresh temporary directory by default. */
  dir?: string;
  buildArch: string;
  /** Further architectures (the host one). */
  foreignArchs?: readonly string[];
  /** sources.list lines ('deb [trusted=yes] file:/repo full main'). */
  sources: readonly string[];
  /**
   * dpkg's state: 'empty' (the default), 'host' (this machine's, in place: installs are real),
   * 'host-copy' (a copy of it: simulations only), or a status file to copy.
   */
  status?: 'empty' | 'host' | 'host-copy' | string;
  /** Extra apt.conf lines. */
  extraConfig?: readonly string[];
}

export class PrivateApt {
  readonly dir: string;
  readonly configFile: string;
  private readonly temporary: boolean;

  constructor(readonly opts: PrivateAptOptions) {
    this.temporary = !opts.dir;
    this.dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'xdeb-apt-'));
    const d = this.dir;
    for (const sub of [
      'etc/apt.conf.d',
      'etc/sources.list.d',
      'etc/preferences.d',
      'etc/trusted.gpg.d',
      'lists/partial',
      'cache/archives/partial',
      'log',
      'dpkg',
    ]) {
      mkdirSync(join(d, sub), { recursive: true });
    }
    writeFileSync(join(d, 'etc/sources.list'), opts.sources.join('\n') + '\n');
    let status = join(d, 'dpkg/status');
    if (opts.status === 'host') status = '/var/lib/dpkg/status';
    else if (opts.status === 'host-copy') copyFileSync('/var/lib/dpkg/status', status);
    else if (opts.status && opts.status !== 'empty') copyFileSync(opts.status, status);
    else writeFileSync(status, '');
    const archs = [opts.buildArch, ...(opts.foreignArchs ?? []).filter((a) => a !== opts.buildArch)];
    const q = (s: string) => JSON.stringify(s);
    this.configFile = join(d, 'etc/apt.conf');
    writeFileSync(
      this.configFile,
      [
        `Dir::State ${q(d)};`,
        `Dir::State::lists ${q(join(d, 'lists'))};`,
        `Dir::State::status ${q(status)};`,
        `Dir::Cache ${q(join(d, 'cache'))};`,
        `Dir::Cache::archives ${q(join(d, 'cache/archives'))};`,
        `Dir::Etc ${q(join(d, 'etc'))};`,
        `Dir::Etc::sourcelist ${q(join(d, 'etc/sources.list'))};`,
        `Dir::Etc::sourceparts ${q(join(d, 'etc/sources.list.d'))};`,
        `Dir::Etc::main ${q(join(d, 'etc/apt.conf'))};`,
        `Dir::Etc::parts ${q(join(d, 'etc/apt.conf.d'))};`,
        `Dir::Etc::preferences ${q(join(d, 'etc/preferences'))};`,
        `Dir::Etc::preferencesparts ${q(join(d, 'etc/preferences.d'))};`,
        `Dir::Etc::trusted ${q(join(d, 'etc/trusted.gpg'))};`,
        `Dir::Etc::trustedparts ${q(join(d, 'etc/trusted.gpg.d'))};`,
        `Dir::Log ${q(join(d, 'log'))};`,
        `APT::Architecture ${q(opts.buildArch)};`,
        `APT::Architectures { ${archs.map((a) => q(a) + ';').join(' ')} };`,
        `APT::Sandbox::User "root";`,
        `Acquire::Languages "none";`,
        `Acquire::Retries "0";`,
        `Acquire::http::Timeout "20";`,
        `Debug::NoLocking "true";`,
        ...(opts.extraConfig ?? []),
      ].join('\n') + '\n',
    );
  }

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, APT_CONFIG: this.configFile, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C.UTF-8' };
  }

  run(tool: string, args: readonly string[]): Promise<ToolResult> {
    return runTool(tool, args, { env: this.env });
  }

  /** apt-get update; a repository that does not answer is an EnvironmentError naming it. */
  async update(): Promise<void> {
    const r = await this.run('apt-get', ['update', '--error-on=any', '-q']);
    if (r.code !== 0) {
      const lines = (r.stderr + r.stdout).split('\n').filter((l) => /^(E|W|Err):?/.test(l.trim()));
      throw new EnvironmentError(
        `apt-get update failed for ${this.opts.sources.join(' | ')}`,
        lines.slice(0, 6).map((l) => l.trim()),
      );
    }
  }

  dispose(): void {
    if (this.temporary) rmSync(this.dir, { recursive: true, force: true });
  }
}
