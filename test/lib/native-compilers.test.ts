// Native compilers in an emulated chroot: version rules, the header search list, PT_INTERP, and
// the wrapper scripts themselves, run with sh against stand-in compilers that say which one ran.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  compareCompilerVersions,
  crossSourceVersion,
  compilerWrappers,
  parseIncludeChain,
  readElfInterpreter,
  upstreamVersion,
  wrapperNames,
  wrapperScript,
  type WrapperInput,
} from '../../src/lib/native-compilers.js';
import { have } from '../support/cli.js';

describe('compiler versions', () => {
  it('reads the upstream version, and the gcc-N version a cross compiler was built from', () => {
    expect(upstreamVersion('4:12.2.0-14+deb12u1')).toBe('12.2.0');
    expect(crossSourceVersion('12.2.0-14cross1')).toBe('12.2.0-14');
  });
  it.each([
    [
      '12.2.0-14',
      '12.2.0-14cross1',
      'same',
      /^the same GCC: gcc-12 12\.2\.0-14 \(emulated\) and gcc-12-aarch64-linux-gnu 12\.2\.0-14cross1 \(native\)$/,
    ],
    ['12.2.0-14+deb12u1', '12.2.0-14cross1', 'warn', /different builds of GCC 12\.2\.0: .*a cross compiler can lack a later fix of gcc-12/],
    ['12.2.0-14', '12.2.0-13cross1', 'warn', /different builds of GCC 12\.2\.0/],
    ['12.3.0-1', '12.2.0-14cross1', 'warn', /different GCC versions/],
    ['13.2.0-1', '12.2.0-14cross1', 'refuse', /different GCC releases/],
  ])('%s (emulated) and %s (native): %s', (e, n, verdict, re) => {
    const v = compareCompilerVersions({ package: 'gcc-12', version: e }, { package: 'gcc-12-aarch64-linux-gnu', version: n });
    expect(v.verdict).toBe(verdict);
    expect(v.message).toMatch(re);
  });
});

describe('parseIncludeChain', () => {
  it("reads gcc -v's <...> list", () => {
    const text = [
      'ignoring nonexistent directory "/usr/local/include/aarch64-linux-gnu"',
      '#include "..." search starts here:',
      '#include <...> search starts here:',
      ' /usr/lib/gcc/aarch64-linux-gnu/12/include',
      ' /usr/local/include',
      ' /usr/include/aarch64-linux-gnu',
      ' /usr/include',
      'End of search list.',
      'COMPILER_PATH=/usr/libexec/gcc/',
    ].join('\n');
    expect(parseIncludeChain(text)).toEqual([
      '/usr/lib/gcc/aarch64-linux-gnu/12/include',
      '/usr/local/include',
      '/usr/include/aarch64-linux-gnu',
      '/usr/include',
    ]);
  });
  it('is empty when the list is missing or cut short', () => {
    expect(parseIncludeChain('gcc: error: x')).toEqual([]);
    expect(parseIncludeChain('#include <...> search starts here:\n /usr/include\n')).toEqual([]);
  });
});

describe('readElfInterpreter', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-interp-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const compile = (cc: string, src: string, out: string, args: string[] = []) => {
    writeFileSync(join(work, 'src.c'), src);
    const r = spawnSync(cc, [...args, '-o', join(work, out), join(work, 'src.c')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return join(work, out);
  };
  const interpOf = (file: string) =>
    /Requesting program interpreter: ([^\]]+)\]/.exec(spawnSync('readelf', ['-lW', file], { encoding: 'utf8' }).stdout)?.[1];

  it.runIf(have('readelf'))('reads PT_INTERP as readelf does', () => {
    const sh = '/bin/sh';
    expect(readElfInterpreter(readFileSync(sh).subarray(0, 8192))).toBe(interpOf(sh));
  });
  it.runIf(have('aarch64-linux-gnu-gcc') && have('readelf'))('of a program for another architecture', () => {
    const prog = compile('aarch64-linux-gnu-gcc', 'int main(void) { return 0; }', 'prog');
    expect(readElfInterpreter(readFileSync(prog))).toBe('/lib/ld-linux-aarch64.so.1');
  });
  it('is undefined for an object, a text file, or bytes cut before the program headers', () => {
    expect(readElfInterpreter(new TextEncoder().encode('#!/bin/sh\n'.repeat(10)))).toBeUndefined();
    if (have('cc')) {
      const obj = compile('cc', 'int f(void) { return 1; }', 'f.o', ['-c']);
      expect(readElfInterpreter(readFileSync(obj))).toBeUndefined();
    }
    expect(readElfInterpreter(readFileSync('/bin/sh').subarray(0, 64))).toBeUndefined();
  });
});

describe('compiler wrappers', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-wrappers-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  // Stand-ins: the "native" and "emulated" compilers print which one ran and their arguments.
  const nativeRoot = join(work, 'native');
  const emuDir = join(work, 'emu');
  mkdirSync(join(nativeRoot, 'usr/bin'), { recursive: true });
  mkdirSync(emuDir);
  const standIn = (file: string, label: string) => {
    writeFileSync(file, `#!/bin/sh\nprintf '%s' ${label}; for a; do printf ' [%s]' "$a"; done; echo\n`);
    chmodSync(file, 0o755);
  };
  for (const p of ['gcc', 'g++', 'cpp']) standIn(join(nativeRoot, `usr/bin/aarch64-linux-gnu-${p}-12`), `native-${p}`);
  for (const kind of ['c', 'c++', 'cpp'] as const)
    for (const n of wrapperNames(kind, 'aarch64-linux-gnu', '12')) standIn(join(emuDir, n), `emulated-${n}`);

  const input: WrapperInput = {
    triplet: 'aarch64-linux-gnu',
    major: '12',
    nativeRoot,
    shell: '/bin/sh',
    chains: { c: ['/usr/lib/gcc/aarch64-linux-gnu/12/include', '/usr/include'], cxx: ['/usr/include/c++/12', '/usr/include'] },
    emulatedNames: new Set([
      'cc',
      'gcc',
      'gcc-12',
      'g++',
      'c++',
      'cpp',
      'aarch64-linux-gnu-gcc-12',
      'aarch64-linux-gnu-g++-12',
      'unrelated',
    ]),
    nativeDrivers: new Set(['c', 'c++', 'cpp']),
    libDir: '/usr/lib/gcc/aarch64-linux-gnu/12',
    emulatedDir: emuDir,
  };
  const run = (name: string, kind: 'c' | 'c++' | 'cpp', args: string[]) => {
    const file = join(work, `w-${name}`);
    writeFileSync(file, wrapperScript(name, kind, input).text, { mode: 0o755 });
    const r = spawnSync(file, args, { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.trim();
  };
  const C_TAIL =
    ' [--sysroot=/] [-nostdinc] [-isystem] [/usr/lib/gcc/aarch64-linux-gnu/12/include] [-isystem] [/usr/include] [-L/usr/lib/gcc/aarch64-linux-gnu/12]';
  const CXX_TAIL =
    ' [--sysroot=/] [-nostdinc] [-isystem] [/usr/include/c++/12] [-isystem] [/usr/include] [-L/usr/lib/gcc/aarch64-linux-gnu/12]';

  it('writes a wrapper for each name the emulated chroot has and the native chroot can serve', () => {
    const names = compilerWrappers(input).map((w) => w.name);
    expect(names).toEqual(['cc', 'gcc', 'gcc-12', 'aarch64-linux-gnu-gcc-12', 'c++', 'g++', 'aarch64-linux-gnu-g++-12', 'cpp']);
    expect(compilerWrappers({ ...input, nativeDrivers: new Set(['c']) }).map((w) => w.name)).toEqual([
      'cc',
      'gcc',
      'gcc-12',
      'aarch64-linux-gnu-gcc-12',
    ]);
  });

  it.each([
    ['a compile', ['-O2', '-c', 'a.c', '-o', 'a.o'], 'native-gcc [-O2] [-c] [a.c] [-o] [a.o]' + C_TAIL],
    ['a preprocessing run from stdin', ['-E', '-'], 'native-gcc [-E] [-]' + C_TAIL],
    [
      'a link of objects',
      ['-o', 'prog', 'a.o', 'libx.a', '-lm', '-Wl,--as-needed'],
      'native-gcc [-o] [prog] [a.o] [libx.a] [-lm] [-Wl,--as-needed]' + C_TAIL,
    ],
    ['a compile and link of one source', ['conftest.c', '-o', 'conftest'], 'native-gcc [conftest.c] [-o] [conftest]' + C_TAIL],
    [
      'options whose value looks like a file',
      ['-c', '-I', 'inc.c', '-o', 'x.o', 'x.c', '-MF', 'x.d'],
      'native-gcc [-c] [-I] [inc.c] [-o] [x.o] [x.c] [-MF] [x.d]' + C_TAIL,
    ],
    ['C++ sources given to gcc', ['-c', 'a.cc'], 'native-gcc [-c] [a.cc]' + CXX_TAIL],
  ])('gcc: %s runs natively', (_, args, want) => {
    expect(run('gcc', 'c', args)).toBe(want);
  });

  it.each([
    ['a version query', ['--version']],
    ['-v', ['-v']],
    ['a -print- query', ['-print-file-name=plugin']],
    ['-dumpmachine', ['-dumpmachine']],
    ['an explicit language', ['-x', 'c', '-c', 'a']],
    ['a response file', ['@args']],
    ['-march=native', ['-march=native', '-c', 'a.c']],
    ['a plugin', ['-fplugin=x.so', '-c', 'a.c']],
    ['an unknown input', ['-c', 'a.m']],
    ['C and C++ together', ['-c', 'a.c', 'b.cc']],
    ['nothing to compile', ['-Wl,-v']],
    ['an OpenMP link', ['-fopenmp', 'a.o', '-o', 'a']],
    ['its own sysroot', ['--sysroot=/x', '-c', 'a.c']],
    ['-nostdinc', ['-nostdinc', '-c', 'a.c']],
  ])('gcc: %s runs the emulated compiler, arguments untouched', (_, args) => {
    expect(run('gcc', 'c', args)).toBe(`emulated-gcc${args.map((a) => ` [${a}]`).join('')}`);
  });

  it('an OpenMP compile (no link) still runs natively', () => {
    expect(run('gcc', 'c', ['-fopenmp', '-c', 'a.c'])).toBe('native-gcc [-fopenmp] [-c] [a.c]' + C_TAIL);
  });

  it('g++ compiles .c files as C++, and leaves assembler mixed with C++ to the emulated compiler', () => {
    expect(run('g++', 'c++', ['-c', 'a.c'])).toBe('native-g++ [-c] [a.c]' + CXX_TAIL);
    expect(run('g++', 'c++', ['-o', 'p', 'a.o', 'b.o'])).toBe('native-g++ [-o] [p] [a.o] [b.o]' + C_TAIL);
    expect(run('g++', 'c++', ['-c', 'a.cc', 'b.S'])).toBe('emulated-g++ [-c] [a.cc] [b.S]');
  });

  it('triplet names run the same native compiler', () => {
    expect(run('aarch64-linux-gnu-gcc-12', 'c', ['-c', 'a.c'])).toBe('native-gcc [-c] [a.c]' + C_TAIL);
  });

  it('cpp reads any file with the C list, and no -L', () => {
    expect(run('cpp', 'cpp', ['-P', 'rules.in'])).toBe(
      'native-cpp [-P] [rules.in] [--sysroot=/] [-nostdinc] [-isystem] [/usr/lib/gcc/aarch64-linux-gnu/12/include] [-isystem] [/usr/include]',
    );
    expect(run('cpp', 'cpp', ['--version'])).toBe('emulated-cpp [--version]');
  });

  it('keeps arguments with spaces and quotes whole', () => {
    expect(run('gcc', 'c', ['-c', '-DMSG="a b"', "it's.c"])).toBe(`native-gcc [-c] [-DMSG="a b"] [it's.c]` + C_TAIL);
  });
});
