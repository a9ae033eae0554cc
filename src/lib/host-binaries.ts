// Host binaries (the OBS acceleration): in an emulated chroot, programs an emulated build spends
// its time in run as the build machine's own binaries of the same package version, taken from the
// session's native chroot at /native. Only programs whose answers do not depend on the machine
// they run on may: `dpkg --print-architecture`, `uname -m` and config.guess must still say the
// emulated architecture, and a perl that builds XS modules must report the emulated archname.
// This file decides, per tool, whether it may be swapped, and which files of which package it is.

import { UsageError } from './errors.js';

export interface HostTool {
  /** What users name it by. */
  name: string;
  /** The Debian package that ships it (in both chroots, at the same version). */
  package: string;
  /** The programs swapped (file names in /bin or /usr/bin, wherever the package's list has them). */
  programs: string[];
  /** Why it is safe. */
  note: string;
}

export interface RefusedTool {
  name: string;
  why: string;
}

/** Programs that may run natively. The order is the default list's (most time first, from the profile). */
export const HOST_TOOLS: readonly HostTool[] = [
  { name: 'dash', package: 'dash', programs: ['dash'], note: '/bin/sh: every recipe line and configure test runs through it' },
  { name: 'make', package: 'make', programs: ['make'], note: "only $(MAKE_HOST) names the machine; no build's output depends on it" },
  {
    name: 'perl',
    package: 'perl-base',
    programs: ['perl'],
    note: 'dpkg-dev and debhelper are perl; kept emulated for a build that makes XS modules or needs an XS module the native chroot lacks (perlNative)',
  },
  { name: 'bash', package: 'bash', programs: ['bash'], note: '$HOSTTYPE and $MACHTYPE say x86_64; config.guess asks uname, not bash' },
  {
    name: 'coreutils-files',
    package: 'coreutils',
    // pwd first: perl's Cwd runs /bin/pwd, and debhelper asks it hundreds of times a build (the libcap2 profile).
    programs: [
      'pwd',
      'cat',
      'cp',
      'ln',
      'ls',
      'mkdir',
      'mv',
      'rm',
      'rmdir',
      'chmod',
      'touch',
      'install',
      'expr',
      'tr',
      'sort',
      'head',
      'tail',
      'dirname',
      'basename',
      'readlink',
      'realpath',
      'stat',
      'mktemp',
      'wc',
      'cut',
      'uniq',
      'tee',
      'od',
      'comm',
      'paste',
      'seq',
      'md5sum',
      'sha1sum',
      'sha256sum',
      'echo',
      'printf',
      'test',
      '[',
      'true',
      'false',
      'env',
    ],
    note: 'files and text in, files and text out (env only starts what it is given); uname and arch stay emulated',
  },
  {
    name: 'file',
    package: 'file',
    programs: ['file'],
    note: 'says what a file is from the same magic database at the same version; dh_strip, dh_shlibdeps and dpkg-shlibdeps ask it',
  },
  { name: 'sed', package: 'sed', programs: ['sed'], note: 'text in, text out' },
  { name: 'grep', package: 'grep', programs: ['grep'], note: 'text in, text out' },
  { name: 'm4', package: 'm4', programs: ['m4'], note: 'text in, text out' },
  { name: 'gzip', package: 'gzip', programs: ['gzip'], note: 'the same bytes on every machine' },
  { name: 'bzip2', package: 'bzip2', programs: ['bzip2'], note: 'the same bytes on every machine' },
  { name: 'xz', package: 'xz-utils', programs: ['xz'], note: 'the same bytes on every machine' },
  { name: 'tar', package: 'tar', programs: ['tar'], note: 'the same archive on every machine' },
  { name: 'mawk', package: 'mawk', programs: ['mawk'], note: 'text in, text out' },
  { name: 'diff', package: 'diffutils', programs: ['diff', 'cmp'], note: 'text in, text out' },
  { name: 'find', package: 'findutils', programs: ['find', 'xargs'], note: 'the file tree in, names out' },
  { name: 'dpkg-deb', package: 'dpkg', programs: ['dpkg-deb'], note: 'packs what it is given; dpkg itself stays emulated' },
  {
    name: 'binutils-tools',
    package: 'binutils-{triplet}',
    programs: [
      '{triplet}-strip',
      '{triplet}-objcopy',
      '{triplet}-objdump',
      '{triplet}-readelf',
      '{triplet}-nm',
      '{triplet}-ar',
      '{triplet}-ranlib',
    ],
    note: "the native chroot's cross binutils for the same target, same version (dh_strip, dpkg-shlibdeps); as and ld stay emulated",
  },
];

/** A tool for a chroot whose GNU triplet is `triplet` (binutils-tools names its programs and package by it). */
export function forTriplet(tool: HostTool, triplet: string): HostTool {
  if (!tool.package.includes('{triplet}')) return tool;
  return {
    ...tool,
    package: tool.package.replace('{triplet}', triplet.replace(/_/g, '-')),
    programs: tool.programs.map((p) => p.replace('{triplet}', triplet)),
  };
}

/** Programs that must stay emulated, and why (each has a test). */
export const EMULATED_TOOLS: readonly RefusedTool[] = [
  { name: 'dpkg', why: '`dpkg --print-architecture` must say the emulated architecture' },
  { name: 'uname', why: '`uname -m` must say the emulated machine (config.guess asks it)' },
  { name: 'arch', why: 'it prints the machine, as `uname -m`' },
  { name: 'coreutils', why: 'it ships uname and arch' },
  { name: 'python3', why: "a native python reports the build machine's platform to extension builds" },
  { name: 'gcc', why: 'the compilers are made native by the wrappers (native compilers), with the emulated one’s headers and libraries' },
  {
    name: 'binutils',
    why: "the build machine's as and ld make x86-64 objects, and a cross ld searches other directories (binutils-tools swaps strip, objcopy, objdump… for the cross ones)",
  },
];

/** The default list: every swappable tool (measured in docs/emulation.md). */
export const DEFAULT_HOST_BINARIES: readonly string[] = HOST_TOOLS.map((t) => t.name);

/** Build-dependencies of a build that makes Perl XS modules (it reads $Config{archname} and links against libperl). */
const XS_BUILD = /(^|[\s,|])(perl-xs-dev|libperl-dev)\b/;

export interface PerlFacts {
  /** The source's Build-Depends, -Arch and -Indep, as written. */
  buildDepends: string;
  /** Installed XS modules (packages that depend on perlapi-*) of each chroot: name → version. */
  emulatedXs: ReadonlyMap<string, string>;
  nativeXs: ReadonlyMap<string, string>;
  nativeName: string;
}

/**
 * May this build's perl be the native one? Not when the build makes XS modules (a native perl
 * gives the build machine's $Config{archname}, vendorarch and libperl), nor when an XS module
 * installed in the emulated chroot is not in the native one at the same version (the native perl
 * loads XS modules from the native chroot only). Pure-perl modules are shared (/usr/share/perl5).
 */
export function perlNative(f: PerlFacts): { native: true } | { native: false; why: string } {
  const xs = XS_BUILD.exec(f.buildDepends);
  if (xs) return { native: false, why: `the build makes Perl XS modules (it build-depends on ${xs[2]})` };
  const missing = [...f.emulatedXs]
    .filter(([name, v]) => {
      const nv = f.nativeXs.get(name);
      return nv === undefined || !sameToolVersion(v, nv);
    })
    .map(([name, v]) => `${name} ${v}`);
  if (missing.length)
    return {
      native: false,
      why: `XS module${missing.length > 1 ? 's' : ''} ${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ' …' : ''} installed here but not in chroot ${f.nativeName} at that version`,
    };
  return { native: true };
}

export interface HostBinaryChoice {
  tools: HostTool[];
  refused: RefusedTool[];
  unknown: string[];
}

/** The tools a list names (empty: the default list; 'default' in it stands for that list); each refused or unknown name said. */
export function chooseHostBinaries(list: readonly string[]): HostBinaryChoice {
  const names = list.length === 0 ? DEFAULT_HOST_BINARIES : list.flatMap((n) => (n === 'default' ? DEFAULT_HOST_BINARIES : [n]));
  const out: HostBinaryChoice = { tools: [], refused: [], unknown: [] };
  for (const n of names) {
    // Refusals first: 'dpkg' and 'coreutils' are packages of swappable programs, but not swappable as a whole.
    const r = EMULATED_TOOLS.find((x) => x.name === n);
    if (r) {
      out.refused.push(r);
      continue;
    }
    const t = HOST_TOOLS.find((x) => x.name === n || x.package === n);
    if (!t) out.unknown.push(n);
    else if (!out.tools.includes(t)) out.tools.push(t);
  }
  return out;
}

/**
 * The list --host-binaries gives ('make,m4', or true for the default list), checked: a tool that
 * must stay emulated, or one xdeb does not know, is a usage error that says why.
 */
export function hostBinaryList(v: string | true): string[] {
  const list = v === true ? [] : v.split(/[,\s]+/).filter(Boolean);
  const c = chooseHostBinaries(list);
  if (c.refused.length)
    throw new UsageError(`--host-binaries: these must stay emulated: ${c.refused.map((r) => `${r.name} (${r.why})`).join('; ')}`);
  if (c.unknown.length)
    throw new UsageError(
      `--host-binaries: no host binary named ${c.unknown.map((n) => `'${n}'`).join(', ')} (xdeb knows ${DEFAULT_HOST_BINARIES.join(', ')}; ` +
        'the list is optional: give --host-binaries=default, or put another option after it, when a NAME follows)',
    );
  return c.tools.map((t) => t.name);
}

export interface ToolVersions {
  /** Tools to swap, with the version both chroots have. */
  use: { tool: HostTool; version: string }[];
  /** Not installed in the emulated chroot: nothing to swap. */
  absent: string[];
  /** Default-list tools the native chroot lacks: they stay emulated, with the reason. */
  skipped: { name: string; why: string }[];
  /** A tool asked for by name that cannot be swapped: the build stops. */
  error?: { message: string; hint?: string };
}

/**
 * Which chosen tools go native, from the installed versions of both chroots (package → version).
 * A tool asked for by name must be in the native chroot at the same version; one that only came
 * with the default list is left emulated when the native chroot lacks its package (a bare cross
 * chroot has no `file`), and still stops the build when the versions differ.
 */
export function matchToolVersions(
  tools: readonly HostTool[],
  emulated: ReadonlyMap<string, string>,
  native: ReadonlyMap<string, string>,
  o: { explicit: ReadonlySet<string>; emulatedName: string; nativeName: string; nativeArch: string; suite: string },
): ToolVersions {
  const out: ToolVersions = { use: [], absent: [], skipped: [] };
  for (const t of tools) {
    const ev = emulated.get(t.package);
    if (!ev) {
      out.absent.push(t.name);
      continue;
    }
    const nv = native.get(t.package);
    if (!nv) {
      if (!o.explicit.has(t.name)) {
        out.skipped.push({ name: t.name, why: `chroot ${o.nativeName} has no ${t.package}` });
        continue;
      }
      out.error = {
        message: `host binary ${t.name}: chroot ${o.nativeName} has no ${t.package} (${o.nativeArch}) installed`,
        hint: `make the native chroot with it: xdeb-chroot create -a ${o.nativeArch} --suite ${o.suite} --include ${t.package} NAME`,
      };
      return out;
    }
    if (!sameToolVersion(ev, nv)) {
      out.error = {
        message: `host binary ${t.name}: ${t.package} is ${ev} in chroot ${o.emulatedName} but ${nv} in chroot ${o.nativeName}; the native copy must be the same version`,
      };
      return out;
    }
    out.use.push({ tool: t, version: ev });
  }
  return out;
}

/** The files of a tool's programs, as its package's file list names them (/bin or /usr/bin: usrmerge moved some). */
export function programFiles(tool: HostTool, fileList: readonly string[]): { found: string[]; missing: string[] } {
  const listed = new Set(fileList);
  const found: string[] = [];
  const missing: string[] = [];
  for (const p of tool.programs) {
    const f = [`/usr/bin/${p}`, `/bin/${p}`].find((x) => listed.has(x));
    if (f) found.push(f);
    else missing.push(p);
  }
  return { found, missing };
}

/** Where the emulated program goes while the native one stands in for it (dpkg-divert --rename). */
export const divertedName = (path: string) => `${path}.xdeb-emulated`;

/** The two packages must be the same version (a binNMU's +bN aside: the same source, rebuilt). */
export function sameToolVersion(emulated: string, native: string): boolean {
  const strip = (v: string) => v.replace(/\+b\d+$/, '');
  return strip(emulated) === strip(native);
}
