// What xdeb keeps of an index file (Packages, Sources), cached like apt's pkgcache.bin: keyed by
// the file's path, size, mtime and inode, so a changed index is read again and an unchanged one
// costs a deserialisation instead of decompressing and parsing 50 MB. $XDEB_NO_CACHE=1 turns it off.

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { binaryRecord, sourceRecord, type BinaryRecord, type SourceRecord } from '../lib/universe.js';
import { readParagraphs } from './deb822-files.js';

/** Bump when the records change shape. */
const FORMAT = 1;

export type IndexKind = 'Packages' | 'Sources' | 'auto' | 'status';

export interface IndexRecords {
  binaries: BinaryRecord[];
  sources: SourceRecord[];
  /** For 'status': whether each binary is installed. */
  installed?: boolean[];
  fromCache: boolean;
}

function cacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.XDEB_NO_CACHE === '1') return undefined;
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'xdeb', 'indexes');
}

const sha = (s: string) => createHash('sha1').update(s).digest('hex').slice(0, 20);

/** Does a paragraph come from a Sources index (or a .dsc) rather than a Packages one? */
function isSourceStanza(p: { has(n: string): boolean }): boolean {
  return p.has('Binary') || p.has('Package-List') || ((p.has('Files') || p.has('Checksums-Sha256')) && !p.has('Filename'));
}

async function parseIndex(file: string, kind: IndexKind): Promise<IndexRecords> {
  const out: IndexRecords = { binaries: [], sources: [], fromCache: false };
  if (kind === 'status') out.installed = [];
  for await (const p of readParagraphs(file)) {
    if (kind === 'Sources' || (kind === 'auto' && isSourceStanza(p))) {
      if (p.get('Extra-Source-Only') === 'yes') continue;
      if (!(p.get('Package') ?? p.get('Source')) || !p.get('Version')) {
        const { InputError } = await import('../lib/errors.js');
        throw new InputError('source stanza without Package or Version', { file, line: p.line });
      }
      out.sources.push(sourceRecord(p));
      continue;
    }
    out.binaries.push(binaryRecord(p, file));
    if (out.installed) out.installed.push(/ installed$/.test(p.get('Status') ?? ''));
  }
  return out;
}

/** The records of an index file, from the cache when it is current. */
export async function readIndexRecords(file: string, kind: IndexKind, env: NodeJS.ProcessEnv = process.env): Promise<IndexRecords> {
  const dir = cacheDir(env);
  // dpkg's status changes with every install: always read it.
  if (!dir || kind === 'status') return parseIndex(file, kind);
  const abs = resolve(file);
  let stamp: string;
  try {
    const st = statSync(abs);
    stamp = `${st.size}:${st.mtimeMs}:${st.ino}:${kind}:${FORMAT}`;
  } catch {
    return parseIndex(file, kind);
  }
  const prefix = sha(abs);
  const path = join(dir, `${prefix}-${sha(stamp)}.v8`);
  try {
    const cached = deserialize(readFileSync(path)) as Omit<IndexRecords, 'fromCache'>;
    return { ...cached, fromCache: true };
  } catch {
    // absent or unreadable: parse and (re)write it
  }
  const records = await parseIndex(file, kind);
  try {
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir)) if (f.startsWith(prefix + '-')) unlinkSync(join(dir, f));
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, serialize({ binaries: records.binaries, sources: records.sources }));
    renameSync(tmp, path);
  } catch {
    // A cache that cannot be written is no error: the next run parses again.
  }
  return records;
}
