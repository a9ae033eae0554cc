// Native cross compilers inside an emulated chroot session (see src/lib/native-compilers.ts for
// the wrapper's rules). The session has a fresh copy of the build-arch chroot at /native
// (read-only inside). This adds to the emulated copy the native loader and library directory as
// symlinks into /native, removes the cross toolchain's target headers and C library from the
// native copy, writes the wrappers to /usr/lib/xdeb/native-bin and puts that first on PATH, after
// checking that the two compilers are the same GCC release and that a probe compile and link
// through the wrapper give an object for the chroot's architecture, with the emulated
// compiler's predefined macros.

import { existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { archTable } from '../lib/arch.js';
import { readElfHeader, expectedElf, elfMatches, describeElf } from '../lib/elf.js';
import { EnvironmentError } from '../lib/errors.js';
import {
  compareCompilerVersions,
  compilerWrappers,
  parseIncludeChain,
  readElfInterpreter,
  type DriverKind,
  type VersionVerdict,
} from '../lib/native-compilers.js';
import type { ChrootSession } from './chroot.js';
import { installedStanzas } from './dpkg.js';
import { resolveInRoot } from './mounts.js';
import { readFileHead } from './object-arch.js';

export const NATIVE_BIN = '/usr/lib/xdeb/native-bin';

async function installedVersion(status: string, pkg: string, arch?: string): Promise<string | undefined> {
  const p = (await installedStanzas(status)).find(
    (q) => q.get('Package') === pkg && (!arch || q.get('Architecture') === arch || q.get('Architecture') === 'all'),
  );
  return p?.get('Version');
}

/** GCC's major version of the chroot's default compiler: /usr/bin/gcc → gcc-12 (or <triplet>-gcc-12). */
export function defaultGccMajor(root: string, name = 'gcc'): string | undefined {
  const bin = resolveInRoot(root, '/usr/bin');
  try {
    const st = lstatSync(join(bin, name));
    if (!st.isSymbolicLink()) return undefined;
    return /-(\d+)$/.exec(basename(readlinkSync(join(bin, name))))?.[1];
  } catch {
    return undefined;
  }
}

export interface NativeSetup {
  triplet: string;
  major: string;
  versions: VersionVerdict;
  wrappers: string[];
  loader: string;
}

/** Make the session's compilers native. Throws EnvironmentError when they cannot be. */
export async function setupNativeCompilers(s: ChrootSession, warn: (m: string) => void, info: (m: string) => void): Promise<NativeSetup> {
  const native = s.nativeRoot;
  const nm = s.nativeMeta;
  if (!native || !nm) throw new Error('setupNativeCompilers: the session has no native chroot');
  const table = archTable();
  const hostArch = s.meta.buildArch;
  const buildArch = nm.buildArch;
  const triplet = table.gnuTriplet(hostArch);
  const buildMultiarch = table.multiarch(buildArch);
  if (!triplet || !buildMultiarch) throw new EnvironmentError(`no GNU triplet known for ${hostArch} or ${buildArch}`);
  const major = defaultGccMajor(s.root);
  if (!major) throw new EnvironmentError(`chroot ${s.meta.name}: /usr/bin/gcc is not a link to gcc-N; is build-essential installed?`);

  // The same GCC release on both sides.
  const emuPkg = `gcc-${major}`;
  const natPkg = `gcc-${major}-${triplet.replace(/_/g, '-')}`;
  const emuVersion = await installedVersion(s.status, emuPkg, hostArch);
  const natVersion = await installedVersion(join(native, 'var/lib/dpkg/status'), natPkg);
  if (!emuVersion) throw new EnvironmentError(`chroot ${s.meta.name} has no ${emuPkg} installed`);
  if (!natVersion) {
    throw new EnvironmentError(`chroot ${nm.name} has no ${natPkg}: the native compiler must be GCC ${major} like the emulated one`, [
      `make a cross chroot of the same suite (${s.meta.suite}): xdeb-chroot create -a ${hostArch} --suite ${s.meta.suite} NAME`,
    ]);
  }
  const versions = compareCompilerVersions({ package: emuPkg, version: emuVersion }, { package: natPkg, version: natVersion });
  if (versions.verdict === 'refuse') throw new EnvironmentError(`native compilers refused: ${versions.message}`);
  if (versions.verdict === 'warn') warn(versions.message);
  else info(versions.message);

  // The native loader and libraries, reachable from the emulated root through /native.
  const gcc = join(native, 'usr/bin', `${triplet}-gcc-${major}`);
  const loader = readElfInterpreter(readFileHead(gcc, 8192));
  if (!loader) throw new EnvironmentError(`cannot read the program interpreter of ${gcc}`);
  for (const p of [loader, `/usr/lib/${buildMultiarch}`, `/lib/${buildMultiarch}`]) {
    const at = resolveInRoot(s.root, dirname(p), { create: true });
    const link = join(at, basename(p));
    if (existsSync(link) || isLink(link)) continue;
    symlinkSync(`/native${p}`, link);
  }

  const drivers = new Set<DriverKind>();
  for (const [kind, prog] of [
    ['c', 'gcc'],
    ['c++', 'g++'],
    ['cpp', 'cpp'],
  ] as const) {
    if (existsSync(join(native, 'usr/bin', `${triplet}-${prog}-${major}`))) drivers.add(kind);
  }
  const usrBin = resolveInRoot(s.root, '/usr/bin');
  const emulatedNames = new Set(readdirSync(usrBin));
  // The emulated compilers' header search lists, which the native compiler is given.
  const chainOf = async (prog: string, lang: string): Promise<string[]> => {
    if (!emulatedNames.has(prog)) return [];
    const r = await s.run([prog, `-x${lang}`, '-E', '-v', '/dev/null']);
    return parseIncludeChain(r.stderr);
  };
  const chains = { c: await chainOf(`gcc-${major}`, 'c'), cxx: await chainOf(`g++-${major}`, 'c++') };
  if (chains.c.length === 0) throw new EnvironmentError(`cannot read the header search list of gcc-${major} in chroot ${s.meta.name}`);
  const libgcc = (await s.run([`gcc-${major}`, '-print-libgcc-file-name'])).stdout.trim();
  if (!libgcc.startsWith('/')) throw new EnvironmentError(`cannot find the library directory of gcc-${major} in chroot ${s.meta.name}`);
  // The cross toolchain's copies of the target's headers and C library must not be used: out of
  // this session's copy of the native chroot they go (a rename would not do on an overlay).
  for (const d of ['include', 'lib']) rmSync(join(native, 'usr', triplet, d), { recursive: true, force: true });
  const shell = existsSync(join(native, 'usr/bin/dash')) ? '/native/usr/bin/dash' : '/native/bin/sh';
  const wrappers = compilerWrappers({
    triplet,
    major,
    nativeRoot: '/native',
    shell,
    chains,
    emulatedNames,
    nativeDrivers: drivers,
    libDir: dirname(libgcc),
  });
  const dir = resolveInRoot(s.root, NATIVE_BIN, { create: true });
  mkdirSync(dir, { recursive: true });
  for (const w of wrappers) writeFileSync(join(dir, w.name), w.text, { mode: 0o755 });
  s.prependPath(NATIVE_BIN);

  await probeNative(s, hostArch, warn);
  return { triplet, major, versions, wrappers: wrappers.map((w) => w.name), loader };
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** A compile through the wrapper must give a host-arch object, with the emulated compiler's macros. */
async function probeNative(s: ChrootSession, hostArch: string, warn: (m: string) => void): Promise<void> {
  const dir = resolveInRoot(s.root, '/tmp', { create: true });
  writeFileSync(join(dir, 'xdeb-native-probe.c'), '#include <stdio.h>\nint xdeb_probe(void) { return puts("probe"); }\n');
  const c = await s.run(['gcc', '-O2', '-c', '/tmp/xdeb-native-probe.c', '-o', '/tmp/xdeb-native-probe.o']);
  if (c.code !== 0)
    throw new EnvironmentError(
      `the native compiler wrapper fails a probe compile in chroot ${s.meta.name}`,
      c.stderr.trim().split('\n').slice(-6),
    );
  const h = readElfHeader(readFileHead(join(dir, 'xdeb-native-probe.o'), 64));
  const want = expectedElf(hostArch);
  if (!h || !want || !elfMatches(h, want)) {
    throw new EnvironmentError(`the native compiler wrapper made ${h ? describeElf(h) : 'no ELF object'}, not an ${hostArch} object`);
  }
  const l = await s.run(['gcc', '-o', '/tmp/xdeb-native-probe', '/tmp/xdeb-native-probe.o', '-shared']);
  if (l.code !== 0)
    throw new EnvironmentError(
      `the native compiler wrapper fails a probe link in chroot ${s.meta.name}`,
      l.stderr.trim().split('\n').slice(-6),
    );
  const macros = async (argv: string[]) => new Set((await s.run(argv)).stdout.split('\n').filter(Boolean));
  const nat = await macros(['gcc', '-dM', '-E', '/tmp/xdeb-native-probe.c']);
  const emu = await macros(['/usr/bin/gcc', '-dM', '-E', '/tmp/xdeb-native-probe.c']);
  const differ = [...nat].filter((m) => !emu.has(m)).concat([...emu].filter((m) => !nat.has(m)));
  if (differ.length)
    warn(`the native and emulated compilers predefine different macros: ${differ.slice(0, 6).join('; ')}${differ.length > 6 ? ' …' : ''}`);
}
