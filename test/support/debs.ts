// Small real .debs made with dpkg-deb --build (milliseconds each, unlike a package build), and
// .changes files that list them with their true (or deliberately false) checksums.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

export interface DebSpec {
  package: string;
  version: string;
  arch: string;
  source?: string;
  multiArch?: string;
  depends?: string;
  /** Files to ship: path inside the package → content (a Buffer for binaries). */
  files?: Record<string, string | Buffer>;
}

/** Build NAME_VERSION_ARCH.deb in dir; returns its path. */
export function makeDeb(dir: string, spec: DebSpec): string {
  const root = mkdtempSync(join(tmpdir(), 'xdeb-deb-'));
  try {
    mkdirSync(join(root, 'DEBIAN'));
    const control = [
      `Package: ${spec.package}`,
      `Version: ${spec.version}`,
      `Architecture: ${spec.arch}`,
      'Maintainer: xdeb tests <tests@example.org>',
      ...(spec.source ? [`Source: ${spec.source}`] : []),
      ...(spec.multiArch ? [`Multi-Arch: ${spec.multiArch}`] : []),
      ...(spec.depends ? [`Depends: ${spec.depends}`] : []),
      'Section: misc',
      'Priority: optional',
      `Description: test package ${spec.package}`,
      ' Made by xdeb tests.',
    ].join('\n');
    writeFileSync(join(root, 'DEBIAN/control'), control + '\n');
    for (const [path, content] of Object.entries(
      spec.files ?? { [`/usr/share/doc/${spec.package}/README`]: `${spec.package} ${spec.version} ${spec.arch}\n` },
    )) {
      const full = join(root, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
      if (Buffer.isBuffer(content)) chmodSync(full, 0o755);
    }
    const out = join(dir, `${spec.package}_${spec.version.replace(/^\d+:/, '')}_${spec.arch}.deb`);
    execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', root, out], { stdio: 'ignore' });
    return out;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function digest(algo: string, data: Buffer): string {
  return createHash(algo).update(data).digest('hex');
}

export interface ChangesSpec {
  source: string;
  version: string;
  architectures: string[];
  profiles?: string[];
  /** Paths of the files to list (named by their base name). */
  files: string[];
  /** Override what is written for some names: a wrong sha256, a different listed name. */
  lie?: Record<string, { sha256?: string; name?: string; size?: number }>;
}

/** Write SOURCE_VERSION_ARCH.changes beside the files; returns its path. */
export function makeChanges(dir: string, spec: ChangesSpec): string {
  const entries = spec.files.map((f) => {
    const data = readFileSync(f);
    const lie = spec.lie?.[basename(f)] ?? {};
    return {
      name: lie.name ?? basename(f),
      size: lie.size ?? data.length,
      md5: digest('md5', data),
      sha1: digest('sha1', data),
      sha256: lie.sha256 ?? digest('sha256', data),
    };
  });
  const text = [
    'Format: 1.8',
    'Date: Mon, 01 Jan 2024 00:00:00 +0000',
    `Source: ${spec.source}`,
    `Binary: ${spec.files
      .filter((f) => f.endsWith('.deb'))
      .map((f) => basename(f).split('_')[0])
      .join(' ')}`,
    ...(spec.profiles?.length ? [`Built-For-Profiles: ${spec.profiles.join(' ')}`] : []),
    `Architecture: ${spec.architectures.join(' ')}`,
    `Version: ${spec.version}`,
    'Distribution: unstable',
    'Urgency: medium',
    'Maintainer: xdeb tests <tests@example.org>',
    'Changes:',
    ` ${spec.source} (${spec.version}) unstable; urgency=medium`,
    'Checksums-Sha1:',
    ...entries.map((e) => ` ${e.sha1} ${e.size} ${e.name}`),
    'Checksums-Sha256:',
    ...entries.map((e) => ` ${e.sha256} ${e.size} ${e.name}`),
    'Files:',
    ...entries.map((e) => ` ${e.md5} ${e.size} misc optional ${e.name}`),
  ].join('\n');
  const path = join(
    dir,
    `${spec.source}_${spec.version.replace(/^\d+:/, '')}_${spec.architectures.filter((a) => a !== 'source').join('+') || 'source'}.changes`,
  );
  writeFileSync(path, text + '\n');
  return path;
}

/** A tiny ELF executable for an architecture, compiled by the matching gcc (undefined if there is none). */
export function compileElf(dir: string, triplet: string | undefined, name: string): Buffer | undefined {
  const cc = triplet ? `${triplet}-gcc` : 'gcc';
  const src = join(dir, `${name}.c`);
  const out = join(dir, name);
  writeFileSync(src, 'int main(void) { return 0; }\n');
  try {
    execFileSync(cc, ['-o', out, src], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return readFileSync(out);
}
