// Native cross compilers inside an emulated chroot (pmbootstrap's "crossdirect", design §7): a
// build-arch chroot is mounted at /native and wrapper scripts named like the compilers (cc, gcc,
// g++, cpp and their triplet names) come first on the build's PATH. A wrapper runs the native
// <triplet>-gcc-N for compiles and links of C, C++ and assembler, and the emulated compiler for
// everything it cannot judge (version queries, -x, response files, unknown inputs, plugins,
// OpenMP and sanitizer links), so that the result is what the emulated compiler would have made:
//
// - the header search list is the emulated compiler's own, passed after -nostdinc as -isystem
//   directories in the same order, so that the native compiler reads the chroot's headers;
// - links search the emulated compiler's library directory (-L/usr/lib/gcc/<triplet>/N) before
//   the native one, and the sysroot (/) for the C library; the cross toolchain's own copies of the
//   target's headers and C library (/native/usr/<triplet>/{include,lib}) are hidden by the
//   session, so that nothing of them is used. With compilers of the same build, objects and linked
//   programs are then the same as the emulated compiler's but for the .comment section (measured,
//   docs/emulation.md);
// - the wrapper's own shell is the native one (#!/native/usr/bin/dash), found through symlinks
//   to the native loader and libraries that the session adds to the emulated chroot;
// - the two compilers must be the same GCC release (refused across major versions, warned about
//   when the upstream version or the Debian revision differs).

/** How a wrapper judges its arguments. */
export type DriverKind = 'c' | 'c++' | 'cpp';

export interface CompilerVersion {
  package: string;
  version: string;
}

export interface VersionVerdict {
  verdict: 'same' | 'warn' | 'refuse';
  message: string;
}

/** '4:12.2.0-14+deb12u1' → '12.2.0'. */
export function upstreamVersion(v: string): string {
  return v.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
}

/** The version of the gcc-N source a cross compiler was built from: '12.2.0-14cross1' → '12.2.0-14'. */
export function crossSourceVersion(v: string): string {
  return v.replace(/cross\d+$/, '');
}

/**
 * May the native cross compiler stand in for the emulated one? Different major releases: no
 * (different defaults, object and LTO formats). Anything else that differs is a warning: another
 * upstream release, or another Debian revision — the cross compilers are rebuilt from the gcc-N
 * source at their own pace and can lack its later fixes. Measured on bookworm: gcc-12
 * 12.2.0-14+deb12u1 carries the fix for CVE-2023-4039 (-fstack-protector on AArch64), which
 * changes the frame layout of every protected function; gcc-12-aarch64-linux-gnu 12.2.0-14cross1
 * does not have it.
 */
export function compareCompilerVersions(emulated: CompilerVersion, native: CompilerVersion): VersionVerdict {
  const e = upstreamVersion(emulated.version);
  const n = upstreamVersion(native.version);
  const what = `${emulated.package} ${emulated.version} (emulated) and ${native.package} ${native.version} (native)`;
  if (e.split('.')[0] !== n.split('.')[0]) return { verdict: 'refuse', message: `different GCC releases: ${what}` };
  if (e !== n) return { verdict: 'warn', message: `different GCC versions: ${what}; objects may differ from an emulated build` };
  if (emulated.version.replace(/^\d+:/, '') !== crossSourceVersion(native.version.replace(/^\d+:/, ''))) {
    return {
      verdict: 'warn',
      message: `different builds of GCC ${e}: ${what}; objects may differ from an emulated build where the Debian revisions differ (a cross compiler can lack a later fix of ${emulated.package})`,
    };
  }
  return { verdict: 'same', message: `the same GCC: ${what}` };
}

/** The directories of `gcc -E -v` between '#include <...> search starts here:' and 'End of search list.'. */
export function parseIncludeChain(verbose: string): string[] {
  const lines = verbose.split('\n');
  const start = lines.findIndex((l) => l.startsWith('#include <...> search starts here:'));
  if (start < 0) return [];
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.startsWith('End of search list.')) return out;
    const dir = l.trim().replace(/ \(framework directory\)$/, '');
    if (dir.startsWith('/')) out.push(dir);
  }
  return [];
}

/** PT_INTERP of an ELF file from its first bytes (the program headers and the string must be in them). */
export function readElfInterpreter(bytes: Uint8Array): string | undefined {
  if (bytes.length < 52 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) return undefined;
  const is64 = bytes[4] === 2;
  const le = bytes[5] === 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => view.getUint16(o, le);
  const u32 = (o: number) => view.getUint32(o, le);
  const word = (o: number) => (is64 ? Number(view.getBigUint64(o, le)) : u32(o));
  const phoff = word(is64 ? 32 : 28);
  const phentsize = u16(is64 ? 54 : 42);
  const phnum = u16(is64 ? 56 : 44);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (ph + phentsize > bytes.length) return undefined;
    if (u32(ph) !== 3) continue; // PT_INTERP
    const off = word(ph + (is64 ? 8 : 4));
    const size = word(ph + (is64 ? 32 : 16));
    if (off + size > bytes.length) return undefined;
    return new TextDecoder().decode(bytes.subarray(off, off + size)).replace(/\0+$/, '');
  }
  return undefined;
}

export interface WrapperInput {
  triplet: string;
  /** GCC's major version: the N of gcc-N. */
  major: string;
  /** Where the build-arch chroot is inside ('/native'). */
  nativeRoot: string;
  /** The native shell the wrappers run with (inside the emulated chroot). */
  shell: string;
  /** The emulated compilers' header search lists. */
  chains: { c: readonly string[]; cxx: readonly string[] };
  /** Names present in the emulated chroot's /usr/bin. */
  emulatedNames: ReadonlySet<string>;
  /** Drivers the native chroot has (<triplet>-gcc-N, -g++-N, -cpp-N). */
  nativeDrivers: ReadonlySet<DriverKind>;
  /** The emulated compiler's own library directory (libgcc, libstdc++.so), searched by native links. */
  libDir: string;
  /** Where the emulated programs are (default /usr/bin). */
  emulatedDir?: string;
}

export interface WrapperScript {
  name: string;
  kind: DriverKind;
  /** The emulated program it stands for. */
  emulated: string;
  native: string;
  text: string;
}

const DRIVER_PROGRAM: Record<DriverKind, string> = { c: 'gcc', 'c++': 'g++', cpp: 'cpp' };

/** The names a driver is called by: gcc, gcc-12, aarch64-linux-gnu-gcc, aarch64-linux-gnu-gcc-12 (and cc, c++). */
export function wrapperNames(kind: DriverKind, triplet: string, major: string): string[] {
  const p = DRIVER_PROGRAM[kind];
  const plain = kind === 'c' ? ['cc'] : kind === 'c++' ? ['c++'] : [];
  return [...plain, p, `${p}-${major}`, `${triplet}-${p}`, `${triplet}-${p}-${major}`];
}

function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

// Options whose value is the next argument: skipped when looking for input files.
const TAKES_VALUE = [
  '-o',
  '-I',
  '-D',
  '-U',
  '-l',
  '-L',
  '-T',
  '-u',
  '-z',
  '-e',
  '-A',
  '-include',
  '-imacros',
  '-isystem',
  '-iquote',
  '-idirafter',
  '-iprefix',
  '-iwithprefix',
  '-iwithprefixbefore',
  '-imultilib',
  '-imultiarch',
  '-MF',
  '-MT',
  '-MQ',
  '-Xlinker',
  '-Xassembler',
  '-Xpreprocessor',
  '-aux-info',
  '-dumpbase',
  '-dumpbase-ext',
  '-dumpdir',
  '--param',
];
// Arguments the native compiler must not see, or whose answer is the emulated compiler's to give.
const EMULATED_ONLY = [
  '-x*',
  '@*',
  '-nostdinc*',
  '--sysroot*',
  '-isysroot*',
  '-B*',
  '-specs*',
  '-wrapper',
  '-fplugin*',
  '-iplugindir*',
  '-march=native',
  '-mcpu=native',
  '-mtune=native',
  '-print-*',
  '--print-*',
  '-dump*',
  '-v',
  '--version',
  '--help*',
  "'-###'",
  '--target-help',
  '-fdump-*',
  '-fuse-ld=*',
];
// Link options that pull in files of the compiler's own installation (spec files, runtimes): such
// links stay emulated.
const EMULATED_LINKS = [
  '-fopenmp*',
  '-fopenacc*',
  '-fsanitize=*',
  '-fgnu-tm',
  '-static-libasan',
  '-static-libtsan',
  '-static-liblsan',
  '-static-libubsan',
];
const C_FILES = ['*.c', '*.i', '*.h'];
const CXX_FILES = [
  '*.cc',
  '*.cp',
  '*.cxx',
  '*.cpp',
  '*.CPP',
  '*.c++',
  '*.C',
  '*.ii',
  '*.hh',
  '*.hpp',
  '*.hxx',
  '*.H',
  '*.HPP',
  '*.h++',
  '*.tcc',
];
const ASM_FILES = ['*.s', '*.S', '*.sx'];
const LINK_FILES = ['*.o', '*.a', '*.so', '*.so.[0-9]*'];

/** The text of one wrapper. */
export function wrapperScript(name: string, kind: DriverKind, input: WrapperInput): WrapperScript {
  const emulated = `${input.emulatedDir ?? '/usr/bin'}/${name}`;
  const native = `${input.nativeRoot}/usr/bin/${input.triplet}-${DRIVER_PROGRAM[kind]}-${input.major}`;
  // Input files by language: g++ compiles .c and .h as C++; cpp reads any file as C.
  const fileCases =
    kind === 'cpp'
      ? ['    -) ;;', '    *) ;;']
      : kind === 'c++'
        ? [
            `    -|${[...C_FILES, ...CXX_FILES].join('|')}) cxx=1 ;;`,
            `    ${ASM_FILES.join('|')}) asm=1 ;;`,
            `    ${LINK_FILES.join('|')}) obj=1 ;;`,
            '    *) other=1 ;;',
          ]
        : [
            `    -|${C_FILES.join('|')}) c=1 ;;`,
            `    ${ASM_FILES.join('|')}) asm=1 ;;`,
            `    ${CXX_FILES.join('|')}) cxx=1 ;;`,
            `    ${LINK_FILES.join('|')}) obj=1 ;;`,
            '    *) other=1 ;;',
          ];
  const chain = (dirs: readonly string[]) => ['-nostdinc', ...dirs.flatMap((d) => ['-isystem', d])].map(q).join(' ');
  const tail = (dirs: readonly string[]) => `--sysroot=/ ${chain(dirs)}${kind === 'cpp' ? '' : ` ${q(`-L${input.libDir}`)}`}`;
  const decide =
    kind === 'cpp'
      ? ['chain=c']
      : [
          '[ -z "$other" ] || exec "$emulated" "$@"',
          '[ -n "$c$cxx$asm$obj" ] || exec "$emulated" "$@"',
          '[ -n "$compile" ] || [ -z "$linkopt" ] || exec "$emulated" "$@"',
          'if [ -n "$cxx" ]; then',
          '  [ -z "$c$asm" ] || exec "$emulated" "$@"',
          '  chain=cxx',
          'else',
          '  chain=c',
          'fi',
        ];
  const text = [
    `#!${input.shell}`,
    `# Written by xdeb for this build session. ${name} runs the native`,
    `# ${input.triplet}-${DRIVER_PROGRAM[kind]}-${input.major} of the build-arch chroot at ${input.nativeRoot} with the emulated`,
    `# compiler's header search list and libraries; what it cannot judge runs the emulated ${emulated}.`,
    `emulated=${q(emulated)}`,
    `native=${q(native)}`,
    'compile= skip= c= cxx= asm= obj= other= linkopt=',
    'for a do',
    '  if [ -n "$skip" ]; then skip=; continue; fi',
    '  case $a in',
    ...(kind === 'cpp' ? [] : ['    -c|-S|-E|-M|-MM|-fsyntax-only) compile=1 ;;']),
    `    ${TAKES_VALUE.join('|')}) skip=1 ;;`,
    `    ${EMULATED_ONLY.join('|')}) exec "$emulated" "$@" ;;`,
    ...(kind === 'cpp' ? [] : [`    ${EMULATED_LINKS.join('|')}) linkopt=1 ;;`]),
    '    -?*) ;;',
    ...fileCases,
    '  esac',
    'done',
    ...decide,
    'if [ "$chain" = cxx ]; then',
    `  exec "$native" "$@" ${tail(input.chains.cxx)}`,
    'fi',
    `exec "$native" "$@" ${tail(input.chains.c)}`,
    '',
  ].join('\n');
  return { name, kind, emulated, native, text };
}

/** Every wrapper the session writes: each name whose emulated program exists and whose native driver is there. */
export function compilerWrappers(input: WrapperInput): WrapperScript[] {
  const out: WrapperScript[] = [];
  for (const kind of ['c', 'c++', 'cpp'] as const) {
    if (!input.nativeDrivers.has(kind)) continue;
    if (kind === 'c++' && input.chains.cxx.length === 0) continue;
    for (const name of wrapperNames(kind, input.triplet, input.major)) {
      if (input.emulatedNames.has(name)) out.push(wrapperScript(name, kind, input));
    }
  }
  return out;
}
