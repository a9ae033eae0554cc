// The facts of a .deb that compare-builds compares: unpacked with dpkg-deb -R into a temporary
// directory, every file's type, mode, link target and SHA-256, the ELF interface of ELF files
// (with a digest of each section), whether a file is text, the control fields and the digests of
// the other control members.

import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDeb822 } from '../lib/deb822.js';
import type { DebFacts, DebFile, ElfFacts } from '../lib/deb-compare.js';
import { decodeElf, isNoiseSection } from '../lib/elf-dynamic.js';
import { InputError } from '../lib/errors.js';
import { SHT_NOBITS } from '../lib/elf.js';
import { runTool } from './run-tool.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Text: no NUL byte in the first 8 KiB and valid UTF-8 there. */
function isText(b: Uint8Array): boolean {
  const head = b.subarray(0, 8192);
  if (head.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.length < b.length ? head.subarray(0, head.length - 4) : head);
    return true;
  } catch {
    return false;
  }
}

function elfFacts(bytes: Uint8Array): ElfFacts | undefined {
  const e = decodeElf(bytes);
  if (!e) return undefined;
  const sections: Record<string, string> = {};
  for (const s of e.sections) {
    if (isNoiseSection(s.name) || s.type === SHT_NOBITS || s.offset + s.size > bytes.length) continue;
    // Two sections of one name (rare): the digests joined.
    const d = sha256(bytes.subarray(s.offset, s.offset + s.size));
    sections[s.name] = sections[s.name] ? `${sections[s.name]}+${d}` : d;
  }
  return {
    bits: e.bits,
    machine: e.machine,
    osabi: e.osabi,
    type: e.type,
    ...(e.soname !== undefined ? { soname: e.soname } : {}),
    needed: e.needed,
    exports: e.exports,
    imports: e.imports,
    versionNeeds: e.versionNeeds,
    sections,
    comment: e.comment,
  };
}

function walk(root: string, rel: string, out: DebFile[]): void {
  for (const name of readdirSync(join(root, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    if (r === 'DEBIAN') continue;
    const p = join(root, r);
    const st = lstatSync(p);
    const path = `/${r}`;
    const mode = st.mode & 0o7777;
    if (st.isDirectory()) {
      out.push({ path, kind: 'dir', mode });
      walk(root, r, out);
    } else if (st.isSymbolicLink()) out.push({ path, kind: 'symlink', mode: 0o777, target: readlinkSync(p) });
    else if (st.isFile()) {
      const bytes = readFileSync(p);
      const elf = elfFacts(bytes);
      out.push({
        path,
        kind: 'file',
        mode,
        size: st.size,
        digest: sha256(bytes),
        ...(elf ? { elf } : { text: isText(bytes) }),
      });
    } else out.push({ path, kind: 'other', mode });
  }
}

/** Read a .deb's facts (unpacked in a temporary directory, removed after). */
export async function debFacts(deb: string): Promise<DebFacts> {
  const dir = mkdtempSync(join(tmpdir(), 'xdeb-compare-'));
  try {
    const r = await runTool('dpkg-deb', ['-R', deb, dir]);
    if (r.code !== 0)
      throw new InputError(`dpkg-deb cannot unpack it: ${r.stderr.trim().split('\n')[0] ?? `exit status ${r.code}`}`, { file: deb });
    const control = parseDeb822(readFileSync(join(dir, 'DEBIAN/control'), 'utf8'), { file: `${deb}: DEBIAN/control` })[0];
    if (!control) throw new InputError('no control paragraph', { file: deb });
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(control.toObject())) fields[k] = v.trim().replace(/\s*\n\s*/g, ' ');
    const scripts: Record<string, string> = {};
    for (const name of readdirSync(join(dir, 'DEBIAN')).sort())
      if (name !== 'control' && name !== 'md5sums') scripts[name] = readFileSync(join(dir, 'DEBIAN', name), 'latin1');
    const files: DebFile[] = [];
    walk(dir, '', files);
    const pkg = fields.Package ?? '';
    return {
      file: deb,
      package: pkg,
      version: fields.Version ?? '',
      arch: fields.Architecture ?? '',
      source: (fields.Source ?? pkg).replace(/\s*\(.*\)$/, ''),
      control: fields,
      scripts,
      files,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
