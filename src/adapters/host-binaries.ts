// Host binaries in an emulated chroot session (lib/host-binaries.ts says which tools may): each
// program file of a chosen tool is diverted with dpkg-divert (--local --rename, so that dpkg keeps
// installing the emulated copy aside while the session lasts) and replaced by a link to the same
// file of the session's native chroot at /native — the same package at the same version, for the
// build machine, running without emulation. The native loader and libraries are reachable
// already (setupNativeCompilers links them). What was swapped is written to /etc/xdeb/host-binaries;
// removeHostBinaries undoes it all and leaves the copy as it was.

import { existsSync, lstatSync, readFileSync, rmdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { machine } from 'node:os';
import { EnvironmentError, UsageError } from '../lib/errors.js';
import { archTable } from '../lib/arch.js';
import type { Paragraph } from '../lib/deb822.js';
import {
  chooseHostBinaries,
  divertedName,
  forTriplet,
  hostBinaryList,
  matchToolVersions,
  perlNative,
  programFiles,
} from '../lib/host-binaries.js';
import type { ChrootSession } from './chroot.js';
import { installedStanzas } from './dpkg.js';
import { resolveInRoot } from './mounts.js';
import { runTool } from './run-tool.js';

export const HOST_BINARIES_RECORD = '/etc/xdeb/host-binaries';

export interface SwappedTool {
  name: string;
  package: string;
  version: string;
  files: string[];
}

export interface HostBinariesSetup {
  tools: SwappedTool[];
  /** Tools of the list the emulated chroot does not have (nothing to swap). */
  absent: string[];
}

/** Installed packages of a dpkg status (optionally those `which` keeps): name → version. */
async function installedVersions(status: string, which: (p: Paragraph) => boolean = () => true): Promise<Map<string, string>> {
  return new Map((await installedStanzas(status)).filter(which).map((p) => [p.get('Package')!, p.get('Version')!]));
}

function fileList(root: string, pkg: string, arch: string): string[] | undefined {
  for (const name of [`${pkg}:${arch}.list`, `${pkg}.list`]) {
    const f = join(root, 'var/lib/dpkg/info', name);
    if (existsSync(f)) return readFileSync(f, 'utf8').split('\n').filter(Boolean);
  }
  return undefined;
}

const isLink = (p: string) => {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
};

/** A file's path in the session's root: its directory resolved there (/bin is /usr/bin), not the file itself (it may be a link to /native). */
const pathInRoot = (s: ChrootSession, file: string) => join(resolveInRoot(s.root, dirname(file)), basename(file));

/** Swap the chosen tools for the native chroot's. Throws UsageError for a tool that must stay emulated, EnvironmentError when one cannot be swapped. */
export async function setupHostBinaries(s: ChrootSession, list: readonly string[], info: (m: string) => void): Promise<HostBinariesSetup> {
  const native = s.nativeRoot;
  const nm = s.nativeMeta;
  if (!native || !nm) throw new UsageError('host binaries come from a native chroot: give --native NAME (a cross chroot of this machine)');
  const triplet = archTable().gnuTriplet(s.meta.hostArch);
  if (!triplet) throw new EnvironmentError(`no GNU triplet known for ${s.meta.hostArch}`);
  const choice = chooseHostBinaries(hostBinaryList(list.length ? list.join(',') : true));
  choice.tools = choice.tools.map((t) => forTriplet(t, triplet));
  const explicit = new Set(chooseHostBinaries(list.filter((n) => n !== 'default')).tools.map((t) => t.name));
  const arch = s.meta.buildArch;
  const matched = matchToolVersions(
    choice.tools,
    await installedVersions(s.status),
    await installedVersions(join(native, 'var/lib/dpkg/status')),
    {
      explicit,
      emulatedName: s.meta.name,
      nativeName: nm.name,
      nativeArch: nm.buildArch,
      suite: s.meta.suite,
    },
  );
  if (matched.error) throw new EnvironmentError(matched.error.message, matched.error.hint ? [matched.error.hint] : []);
  for (const k of matched.skipped) info(`chroot ${s.meta.name}: ${k.name} stays emulated: ${k.why}`);
  const out: HostBinariesSetup = { tools: [], absent: matched.absent };
  const plan: { file: string; target: string }[] = [];
  for (const { tool: t, version: ev } of matched.use) {
    const listed = fileList(s.root, t.package, arch);
    if (!listed) throw new EnvironmentError(`host binary ${t.name}: no file list of ${t.package} in chroot ${s.meta.name}`);
    const { found, missing } = programFiles(t, listed);
    if (missing.length)
      throw new EnvironmentError(`host binary ${t.name}: ${t.package} has no ${missing.join(', ')} in chroot ${s.meta.name}`);
    for (const f of found) {
      if (!existsSync(join(native, f))) throw new EnvironmentError(`host binary ${t.name}: chroot ${nm.name} has no ${f}`);
      plan.push({ file: f, target: `/native${f}` });
    }
    out.tools.push({ name: t.name, package: t.package, version: ev, files: found });
  }
  if (plan.length === 0) return out;
  const old = resolveInRoot(s.root, '/var/lib/dpkg/diversions-old');
  diversionsOldBefore.set(s, existsSync(old) ? readFileSync(old) : null);
  await swap(s, plan);
  writeRecord(s, out.tools);

  // The machine the build sees is still the emulated one.
  const probe = await s.run(['/bin/sh', '-c', 'dpkg --print-architecture; uname -m; echo ok']);
  const [dpkgArch, uname] = probe.stdout.split('\n');
  if (probe.code !== 0 || !probe.stdout.includes('ok') || dpkgArch !== s.meta.hostArch || uname === machine()) {
    await removeHostBinaries(s);
    throw new EnvironmentError(`host binaries fail their probe in chroot ${s.meta.name} (dpkg says ${dpkgArch}, uname -m ${uname})`, [
      probe.stderr.trim(),
    ]);
  }
  info(`chroot ${s.meta.name}: ${plan.length} programs of ${out.tools.map((t) => t.name).join(', ')} run natively from chroot ${nm.name}`);
  return out;
}

/**
 * dpkg-divert of the machine on the session's root (--root: the same dpkg, run natively, not once
 * per file under qemu): each file put aside, and a link to the native one in its place.
 */
async function swap(s: ChrootSession, plan: readonly { file: string; target: string }[]): Promise<void> {
  for (const p of plan) {
    await divert(s, p.file, '--add');
    const at = pathInRoot(s, p.file);
    if (existsSync(at) || isLink(at))
      throw new EnvironmentError(`${p.file} is still there after dpkg-divert --rename in chroot ${s.meta.name}`);
    symlinkSync(p.target, at);
  }
}

/** The links go and the emulated files come back (dpkg-divert --remove --rename). */
async function unswap(s: ChrootSession, files: readonly string[]): Promise<void> {
  for (const f of files) {
    const at = pathInRoot(s, f);
    if (isLink(at)) unlinkSync(at);
    await divert(s, f, '--remove');
  }
}

/** dpkg-divert --local --rename of one file of the session's root, to or from its emulated name. */
async function divert(s: ChrootSession, file: string, action: '--add' | '--remove'): Promise<void> {
  const r = await runTool('dpkg-divert', [
    '--root',
    s.root,
    '--quiet',
    '--local',
    '--rename',
    '--divert',
    divertedName(file),
    action,
    file,
  ]);
  if (r.code !== 0) throw new EnvironmentError(`dpkg-divert ${action} ${file} in chroot ${s.meta.name} failed: ${r.stderr.trim()}`);
}

function recordPath(s: ChrootSession): string {
  return join(resolveInRoot(s.root, dirname(HOST_BINARIES_RECORD), { create: true }), basename(HOST_BINARIES_RECORD));
}

function writeRecord(s: ChrootSession, tools: readonly SwappedTool[]): void {
  writeFileSync(recordPath(s), tools.map((t) => `${t.name}\t${t.package}\t${t.version}\t${t.files.join(' ')}\n`).join(''));
}

function readRecord(s: ChrootSession): SwappedTool[] {
  const record = resolveInRoot(s.root, HOST_BINARIES_RECORD);
  if (!existsSync(record)) return [];
  return readFileSync(record, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [name, pkg, version, files] = l.split('\t');
      return { name: name!, package: pkg!, version: version!, files: (files ?? '').split(' ').filter(Boolean) };
    });
}

/** XS modules installed in a dpkg status: packages that depend on perlapi-*, with their versions. */
const xsModules = (status: string) => installedVersions(status, (p) => /\bperlapi-/.test(p.get('Depends') ?? ''));

/**
 * After the build-dependencies are installed, before the build: keep a native perl only if this
 * build may have one (lib/host-binaries.ts perlNative); else put the emulated perl back, and say why.
 */
export async function settlePerl(s: ChrootSession, buildDepends: string, warn: (m: string) => void): Promise<SwappedTool[]> {
  const tools = readRecord(s);
  const perl = tools.find((t) => t.name === 'perl');
  if (!perl || !s.nativeRoot || !s.nativeMeta) return tools;
  const verdict = perlNative({
    buildDepends,
    emulatedXs: await xsModules(s.status),
    nativeXs: await xsModules(join(s.nativeRoot, 'var/lib/dpkg/status')),
    nativeName: s.nativeMeta.name,
  });
  if (verdict.native) return tools;
  await unswap(s, perl.files);
  const left = tools.filter((t) => t !== perl);
  writeRecord(s, left);
  warn(`perl stays emulated in this build: ${verdict.why}`);
  return left;
}

/** dpkg-divert keeps its previous table as diversions-old: what it was before a session's swap. */
const diversionsOldBefore = new WeakMap<ChrootSession, Buffer | null>();

/** Undo setupHostBinaries: the links go, the emulated programs come back, dpkg forgets the diversions. */
export async function removeHostBinaries(s: ChrootSession): Promise<void> {
  const record = resolveInRoot(s.root, HOST_BINARIES_RECORD);
  if (!existsSync(record)) return;
  const diversionsOld = resolveInRoot(s.root, '/var/lib/dpkg/diversions-old');
  const before = diversionsOldBefore.get(s);
  await unswap(
    s,
    readRecord(s).flatMap((t) => t.files),
  );
  if (before) writeFileSync(diversionsOld, before);
  else if (before === null) rmSync(diversionsOld, { force: true });
  rmSync(record);
  try {
    rmdirSync(dirname(record));
  } catch {
    // not empty: it was there before
  }
}
