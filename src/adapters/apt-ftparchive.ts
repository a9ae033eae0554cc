// Index generation with the real apt-ftparchive: Packages and Sources from explicit file lists
// (`generate` with FileList, so that only what the record says is published gets indexed, never
// a stray file in pool/), then a Release with checksums. Run with the repository root as the
// working directory: every path here is relative to it.

import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError } from '../lib/errors.js';
import { COMPONENT } from '../lib/local-repo-layout.js';
import { runTool } from './run-tool.js';

export interface IndexTree {
  /** The suite directory, relative to the archive root: xdeb/gen/3.ab12/dists/full. */
  dist: string;
  /** Binary architectures (not `all`). */
  architectures: string[];
  /** The .deb paths (relative to the archive root) for each architecture's Packages. */
  packages: Map<string, string[]>;
  /** The .dsc paths for Sources. */
  sources: string[];
}

function quote(s: string): string {
  if (/["\\\n]/.test(s)) throw new EnvironmentError(`apt-ftparchive cannot be given the path '${s}'`);
  return `"${s}"`;
}

/**
 * The `generate` configuration for some trees; file lists live in listDir as <n>_<arch>.
 * CacheDir must be set: unset, apt-ftparchive keeps its cache in /packages-ARCH.db, shared by
 * every archive on the machine and keyed by relative path, size and mtime, so a replaced .deb of
 * the same size within a second is indexed with the old checksums. A fresh directory per run
 * means no stale entries.
 */
export function ftparchiveConfig(trees: readonly IndexTree[], listDir: string): string {
  let s = `Dir { ArchiveDir "."; CacheDir ${quote(`${listDir}/cache`)}; };\n`;
  s += 'Default { Packages::Compress ". gzip"; Sources::Compress ". gzip"; Contents::Compress "."; FileMode 0644; };\n';
  trees.forEach((t, i) => {
    s += `Tree ${quote(t.dist)} {\n`;
    s += `  Sections "${COMPONENT}";\n`;
    s += `  Architectures "${[...t.architectures, 'source'].join(' ')}";\n`;
    s += `  FileList ${quote(`${listDir}/${i}_$(ARCH)`)};\n`;
    s += `  SourceFileList ${quote(`${listDir}/${i}_source`)};\n`;
    s += '  Contents " ";\n';
    s += '};\n';
  });
  return s;
}

/** Write Packages(.gz) and Sources(.gz) of every tree. The trees' directories are created here. */
export async function generateIndexes(root: string, trees: readonly IndexTree[], listDir: string): Promise<void> {
  await mkdir(join(root, listDir, 'cache'), { recursive: true });
  for (const [i, t] of trees.entries()) {
    for (const a of t.architectures) {
      await mkdir(join(root, t.dist, COMPONENT, `binary-${a}`), { recursive: true });
      const list = t.packages.get(a) ?? [];
      await writeFile(join(root, listDir, `${i}_${a}`), list.map((p) => p + '\n').join(''));
    }
    await mkdir(join(root, t.dist, COMPONENT, 'source'), { recursive: true });
    await writeFile(join(root, listDir, `${i}_source`), t.sources.map((p) => p + '\n').join(''));
  }
  const conf = join(listDir, 'apt-ftparchive.conf');
  await writeFile(join(root, conf), ftparchiveConfig(trees, listDir));
  const r = await runTool('apt-ftparchive', ['-q', 'generate', conf], { cwd: root });
  // apt-ftparchive reports unreadable lists or archives as "E:" lines and still exits 0.
  const errors = (r.stdout + '\n' + r.stderr).split('\n').filter((l) => /(^|:)E: /.test(l));
  if (r.code !== 0 || errors.length) {
    throw new EnvironmentError(
      `apt-ftparchive generate failed${errors.length ? ':' : ` (exit status ${r.code})`}`,
      errors.map((l) => l.trim()),
    );
  }
  for (const t of trees) {
    for (const a of t.architectures) await mustExist(root, join(t.dist, COMPONENT, `binary-${a}`, 'Packages'));
    await mustExist(root, join(t.dist, COMPONENT, 'source', 'Sources'));
  }
}

async function mustExist(root: string, rel: string): Promise<void> {
  try {
    await stat(join(root, rel));
  } catch {
    throw new EnvironmentError(`apt-ftparchive generate did not write ${rel}`);
  }
}

/** The text of a Release file for a tree (apt-ftparchive release), with the given fields. */
export async function releaseText(root: string, dist: string, fields: readonly [string, string][]): Promise<string> {
  const args: string[] = [];
  for (const [k, v] of fields) args.push('-o', `APT::FTPArchive::Release::${k}=${v}`);
  const r = await runTool('apt-ftparchive', [...args, 'release', dist], { cwd: root });
  if (r.code !== 0 || !/^SHA256:/m.test(r.stdout)) {
    throw new EnvironmentError(`apt-ftparchive release failed: ${r.stderr.trim() || `exit status ${r.code}`}`);
  }
  return r.stdout;
}
