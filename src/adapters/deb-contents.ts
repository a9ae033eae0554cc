// The files of a .deb, read in one pass from `dpkg-deb --fsys-tarfile` without unpacking: each
// regular file's path and ELF header, and the check that every ELF file is for the host
// architecture (what the original xdeb checked after a build).

import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import {
  archsForElf,
  describeElf,
  elfMatches,
  elfPathAllowed,
  ELF_HEADER_BYTES,
  expectedElf,
  readElfHeader,
  type ElfHeader,
} from '../lib/elf.js';
import { EnvironmentError, InputError } from '../lib/errors.js';
import { TarReader } from '../lib/tar.js';
import { missingTool } from './run-tool.js';

export interface ElfFile {
  /** Path inside the package, as dpkg shows it: /usr/bin/foo. */
  path: string;
  header: ElfHeader;
}

/** Every ELF file of a .deb. */
export function elfFilesOf(deb: string): Promise<ElfFile[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('dpkg-deb', ['--fsys-tarfile', deb], { stdio: ['ignore', 'pipe', 'pipe'] });
    const reader = new TarReader(ELF_HEADER_BYTES);
    const found: ElfFile[] = [];
    let stderr = '';
    let failed: Error | undefined;
    child.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? missingTool('dpkg-deb') : e));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdout.on('data', (b: Buffer) => {
      if (failed) return;
      try {
        for (const m of reader.feed(b)) {
          if (m.type !== 'file') continue;
          const header = readElfHeader(m.head);
          if (header) found.push({ path: m.path.replace(/^\.?\/?/, '/'), header });
        }
      } catch (e) {
        failed = e as Error;
        child.kill();
      }
    });
    child.on('close', (code) => {
      if (failed) return reject(failed instanceof InputError ? failed.at({ file: deb }) : failed);
      if (code !== 0)
        return reject(new InputError(`dpkg-deb cannot read it: ${stderr.trim().split('\n')[0] ?? `exit status ${code}`}`, { file: deb }));
      resolve(found);
    });
  });
}

export interface ElfMismatch {
  deb: string;
  path: string;
  found: string;
  /** The architectures the file is for, when it fits known ones. */
  archs: string[];
}

/** The ELF files of these .debs that are not for hostArch (none when all are). */
export async function checkElfArch(
  debs: readonly string[],
  hostArch: string,
  allow: readonly string[] = [],
): Promise<{ checked: number; mismatches: ElfMismatch[] }> {
  const want = expectedElf(hostArch);
  if (!want) throw new EnvironmentError(`xdeb does not know which ELF machine architecture '${hostArch}' builds for`);
  const mismatches: ElfMismatch[] = [];
  let checked = 0;
  for (const deb of debs) {
    for (const f of await elfFilesOf(deb)) {
      checked++;
      if (elfMatches(f.header, want) || elfPathAllowed(f.path, allow)) continue;
      mismatches.push({ deb: basename(deb), path: f.path, found: describeElf(f.header), archs: archsForElf(f.header) });
    }
  }
  return { checked, mismatches };
}
