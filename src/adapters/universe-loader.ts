// Builds the package universe a command works on, and says plainly which repositories went
// into it: apt's configured lists (apt-get indextargets tells where they are), xdeb's local
// repository, explicit --repo index files or repository URLs, and dpkg's status.

import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { EnvironmentError, InputError } from '../lib/errors.js';
import { Universe, type Origin } from '../lib/universe.js';
import { readParagraphs } from './deb822-files.js';
import { PrivateApt } from './private-apt.js';
import { runTool } from './run-tool.js';

export interface RepositoryUse {
  label: string;
  kind: Origin['kind'];
  files: string[];
  packages: number;
  sources: number;
}

export interface LoadUniverseOptions {
  buildArch: string;
  hostArch: string;
  /** apt's configured repositories (--use-remote-repo). */
  remote: boolean;
  /** The local repository's directory, when it is used (--use-local-repo). */
  localRepo?: string;
  /** Its suites to read; default 'full' (staged results only when asked for). */
  localSuites?: readonly string[];
  /** --repo FILE|URL: always used. */
  repos?: readonly string[];
  /** Read dpkg's status: what is installed counts. */
  status?: boolean | string;
  /** APT_CONFIG for apt-get indextargets (a chroot's or a private apt). */
  aptEnv?: NodeJS.ProcessEnv;
  /** Also read source indexes (to find sources by name). */
  sources?: boolean;
  /** Progress messages. */
  info?: (msg: string) => void;
}

/** Local repositories outrank remote ones, so that a local build wins over the archive's by default. */
export const PRIORITY = { local: 990, file: 600, remote: 500, status: 100 } as const;

interface IndexTarget {
  file: string;
  kind: 'Packages' | 'Sources';
  arch: string;
  label: string;
}

/** apt's index files that exist on disk, as `apt-get indextargets` lists them. */
export async function aptIndexTargets(env?: NodeJS.ProcessEnv): Promise<IndexTarget[]> {
  const r = await runTool('apt-get', ['indextargets', '--format', '$(FILENAME)\t$(IDENTIFIER)\t$(ARCHITECTURE)\t$(SITE)\t$(RELEASE)\t$(COMPONENT)'], { env });
  if (r.code !== 0) throw new EnvironmentError(`apt-get indextargets failed: ${r.stderr.trim()}`);
  const out: IndexTarget[] = [];
  for (const line of r.stdout.split('\n')) {
    const [file, id, arch, site, release, component] = line.split('\t');
    if (!file || (id !== 'Packages' && id !== 'Sources')) continue;
    // apt names the file without its compression suffix when it keeps it compressed.
    const found = ['', '.lz4', '.gz', '.xz', '.zst', '.bz2', '.lzma'].map((ext) => file + ext).find((f) => existsSync(f));
    if (!found) continue;
    out.push({ file: found, kind: id, arch: arch ?? '', label: `${site} ${release}/${component}${id === 'Packages' ? ` ${arch}` : ' source'}` });
  }
  return out;
}

function looksLikeUrl(s: string): boolean {
  return /^(https?|file|ftp):\/?\//.test(s.replace(/^deb(-src)?\s+(\[[^\]]*\]\s+)?/, ''));
}

/** Does a paragraph come from a Sources index (or a .dsc) rather than a Packages one? */
function isSourceStanza(p: { has(n: string): boolean }): boolean {
  return p.has('Binary') || (p.has('Files') && !p.has('Filename')) || p.has('Package-List') || p.has('Checksums-Sha256') && !p.has('Filename');
}

export async function loadUniverse(opts: LoadUniverseOptions): Promise<{ universe: Universe; used: RepositoryUse[] }> {
  const u = new Universe();
  const used: RepositoryUse[] = [];
  const wanted = new Set([opts.buildArch, opts.hostArch, 'all']);
  const info = opts.info ?? (() => {});

  const readInto = async (file: string, origin: number, use: RepositoryUse, kind: 'Packages' | 'Sources' | 'auto', installed = false) => {
    for await (const p of readParagraphs(file)) {
      const source = kind === 'Sources' || (kind === 'auto' && isSourceStanza(p));
      if (source) {
        if (opts.sources !== false && u.addSource(p, origin)) use.sources++;
        continue;
      }
      const arch = p.get('Architecture');
      if (arch !== undefined && !wanted.has(arch)) continue;
      if (u.addBinary(p, origin, { installed })) use.packages++;
    }
  };

  if (opts.status) {
    const file = typeof opts.status === 'string' ? opts.status : '/var/lib/dpkg/status';
    const use: RepositoryUse = { label: `installed packages (${file})`, kind: 'status', files: [file], packages: 0, sources: 0 };
    const origin = u.addOrigin({ label: use.label, file, kind: 'status', priority: PRIORITY.status });
    if (existsSync(file)) await readInto(file, origin, use, 'Packages', true);
    used.push(use);
  }

  if (opts.localRepo) {
    const { indexFiles } = await import('./local-repo.js');
    const suites = opts.localSuites ?? ['full'];
    const repo = resolve(opts.localRepo);
    if (existsSync(repo)) {
      for (const arch of new Set([opts.buildArch, opts.hostArch])) {
        for (const ix of await indexFiles(repo, suites, arch)) {
          const label = `local repository ${repo} (${ix.suite})`;
          let use = used.find((x) => x.label === label);
          if (!use) used.push((use = { label, kind: 'local', files: [], packages: 0, sources: 0 }));
          const files = [ix.packages, arch === opts.buildArch ? ix.sources : undefined].filter((f): f is string => !!f && existsSync(f) && !use!.files.includes(f));
          for (const f of files) {
            const origin = u.addOrigin({ label, file: f, kind: 'local', priority: PRIORITY.local, base: repo });
            use.files.push(f);
            await readInto(f, origin, use, f === ix.sources ? 'Sources' : 'Packages');
          }
        }
      }
    } else {
      used.push({ label: `local repository ${repo} (not created yet)`, kind: 'local', files: [], packages: 0, sources: 0 });
    }
  }

  if (opts.remote) {
    info('reading apt\'s package lists');
    const targets = await aptIndexTargets(opts.aptEnv);
    for (const t of targets) {
      if (t.kind === 'Packages' && !wanted.has(t.arch)) continue;
      if (t.kind === 'Sources' && opts.sources === false) continue;
      const use: RepositoryUse = { label: `apt: ${t.label}`, kind: 'remote', files: [t.file], packages: 0, sources: 0 };
      const origin = u.addOrigin({ label: use.label, file: t.file, kind: 'remote', priority: PRIORITY.remote });
      await readInto(t.file, origin, use, t.kind);
      used.push(use);
    }
  }

  for (const repo of opts.repos ?? []) {
    if (looksLikeUrl(repo)) {
      used.push(...(await loadUrlRepository(u, repo, opts, readInto)));
      continue;
    }
    const file = isAbsolute(repo) ? repo : resolve(repo);
    if (!existsSync(file)) throw new InputError('no such repository index file', { file: repo });
    if (statSync(file).isDirectory()) throw new InputError('is a directory: give an index file (Packages, Sources) or a repository URL', { file: repo });
    const use: RepositoryUse = { label: `file ${repo}`, kind: 'file', files: [file], packages: 0, sources: 0 };
    const origin = u.addOrigin({ label: use.label, file, kind: 'file', priority: PRIORITY.file });
    await readInto(file, origin, use, 'auto');
    used.push(use);
  }
  return { universe: u, used };
}

/** 'URL SUITE COMPONENT…' (or a deb line): read through a private apt, so that apt fetches and verifies. */
async function loadUrlRepository(
  u: Universe,
  spec: string,
  opts: LoadUniverseOptions,
  readInto: (file: string, origin: number, use: RepositoryUse, kind: 'Packages' | 'Sources' | 'auto') => Promise<void>,
): Promise<RepositoryUse[]> {
  const words = spec.replace(/^deb(-src)?\s+/, '').trim();
  const m = /^(\[[^\]]*\]\s+)?(\S+)\s+(\S+)(\s+.+)?$/.exec(words);
  if (!m) throw new InputError(`a repository URL needs a suite: '${spec}' (for example 'http://deb.debian.org/debian bookworm main')`);
  const options = m[1]?.trim() ?? '[trusted=yes]';
  const line = `${m[2]} ${m[3]}${m[4] ?? ' main'}`;
  const apt = new PrivateApt({
    buildArch: opts.buildArch,
    foreignArchs: [opts.hostArch],
    sources: [`deb ${options} ${line}`, ...(opts.sources === false ? [] : [`deb-src ${options} ${line}`])],
  });
  try {
    await apt.update();
    const used: RepositoryUse[] = [];
    for (const t of await aptIndexTargets(apt.env)) {
      const use: RepositoryUse = { label: `--repo ${t.label}`, kind: 'file', files: [t.file], packages: 0, sources: 0 };
      const origin = u.addOrigin({ label: use.label, file: t.file, kind: 'file', priority: PRIORITY.file });
      await readInto(t.file, origin, use, t.kind);
      used.push(use);
    }
    return used;
  } finally {
    apt.dispose();
  }
}
