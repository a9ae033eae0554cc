// Flavoured toolchains (docs/toolchains.md): `--toolchain NAME` (or the `toolchain` key) picks the
// compiler of a build and the flavour flags it gets. NAME is a [toolchain NAME] section of the
// configuration, or one of the built-in names gcc, gcc-N, clang, clang-N (no flags).
//
//   [toolchain a53]
//   compiler = gcc-12            # gcc, gcc-N, clang, clang-N
//   cflags = -mcpu=cortex-a53    # appended to CFLAGS, CXXFLAGS, OBJCFLAGS, OBJCXXFLAGS, FFLAGS, FCFLAGS
//   ldflags =                    # appended to LDFLAGS
//   isa = armv8-a                # what the ELF files may need at most (default: from -march=/-mfpu=)
//   flavour = a53                # the flavour's name: suite flavour-<name> (default: NAME)
//
// The flags reach the build through dpkg-buildflags' user variables (DEB_CFLAGS_APPEND and
// friends): debian/rules sets the maintainer ones (DEB_CFLAGS_MAINT_APPEND…) itself, and would
// replace a value xdeb put there. Every build with a toolchain is a flavoured build: its results
// go to the suite flavour-<flavour>, so flavours of one version never overwrite each other.

import type { ConfigSection } from './config.js';
import { InputError, type InputLocation } from './errors.js';
import { isaFromFlags, parseIsa, type IsaLimit } from './isa.js';
import { flavourNameProblem } from './local-repo-layout.js';

export interface Toolchain {
  name: string;
  flavour: string;
  compiler: { family: 'gcc' | 'clang'; version?: string };
  cflags: string[];
  ldflags: string[];
  /** What the ELF files may need at most; undefined: not checked. */
  isa?: IsaLimit;
  /** The [toolchain NAME] section it came from, if any. */
  file?: string;
  line?: number;
}

const COMPILER = /^(gcc|clang)(?:-(\d+))?$/;

function parseCompiler(text: string, loc: InputLocation): Toolchain['compiler'] {
  const m = COMPILER.exec(text.trim());
  if (!m) throw new InputError(`compiler '${text.trim()}' is not gcc, gcc-N, clang or clang-N`, loc);
  return { family: m[1] as 'gcc' | 'clang', ...(m[2] ? { version: m[2] } : {}) };
}

/** Flags as the shell would split them (no quoting: flavour flags need none). */
function splitFlags(text: string | undefined, key: string, loc: InputLocation): string[] {
  const words = (text ?? '').split(/\s+/).filter(Boolean);
  for (const w of words) {
    if (!w.startsWith('-') || /["'`$\\;|&<>]/.test(w))
      throw new InputError(`${key}: '${w}' is not a compiler option (options start with '-', and take no quotes or shell characters)`, loc);
  }
  return words;
}

/** The toolchain NAME stands for: its [toolchain NAME] section, else a built-in compiler name. */
export function resolveToolchain(name: string, sections: readonly ConfigSection[], loc: InputLocation = {}): Toolchain {
  const section = [...sections].reverse().find((s) => s.kind === 'toolchain' && s.name === name);
  if (!section) {
    if (!COMPILER.test(name)) {
      const known = sections.filter((s) => s.kind === 'toolchain').map((s) => s.name);
      throw new InputError(
        `no toolchain '${name}': not a [toolchain ${name}] section of the configuration${known.length ? ` (there are: ${known.join(', ')})` : ''}, nor gcc, gcc-N, clang, clang-N`,
        loc,
      );
    }
    const problem = flavourNameProblem(name);
    if (problem) throw new InputError(problem, loc);
    return { name, flavour: name, compiler: parseCompiler(name, loc), cflags: [], ldflags: [] };
  }
  const at = (key: string): InputLocation => ({ file: section.file, line: section.entries.get(key)?.line ?? section.line });
  const get = (key: string) => section.entries.get(key)?.text;
  const flavour = get('flavour')?.trim() || name;
  const problem = flavourNameProblem(flavour);
  if (problem)
    throw new InputError(
      `${get('flavour') ? 'flavour' : `[toolchain ${name}]`}: ${problem}`,
      get('flavour') ? at('flavour') : { file: section.file, line: section.line },
    );
  const compiler = parseCompiler(get('compiler') ?? 'gcc', at('compiler'));
  const cflags = splitFlags(get('cflags'), 'cflags', at('cflags'));
  const ldflags = splitFlags(get('ldflags'), 'ldflags', at('ldflags'));
  const isaText = get('isa')?.trim();
  const isa = isaText ? parseIsa(isaText, at('isa')) : isaFromFlags(cflags);
  return { name, flavour, compiler, cflags, ldflags, ...(isa ? { isa } : {}), file: section.file, line: section.line };
}

/** The dpkg-buildflags variables the flavour flags go to. */
export const COMPILE_FLAG_VARIABLES = ['CFLAGS', 'CXXFLAGS', 'OBJCFLAGS', 'OBJCXXFLAGS', 'FFLAGS', 'FCFLAGS'] as const;

export interface ToolchainPlan {
  toolchain: Toolchain;
  /** The compiler commands: CC and CXX. */
  cc: string;
  cxx: string;
  /** The program that must be on PATH, and the Debian package that has it. */
  needs: { program: string; package: string }[];
  /** Variables for the build's environment. */
  env: Record<string, string>;
  /** Lines for the head of the build log. */
  log: [string, string][];
  /** Fields dpkg-genchanges adds to the .changes (dpkg-buildpackage --changes-option=-DField=Value). */
  changesFields: Record<string, string>;
}

/** One line that says what a toolchain is: 'a53: aarch64-linux-gnu-gcc-12 -mcpu=cortex-a53'. */
export function describeToolchain(p: Pick<ToolchainPlan, 'toolchain' | 'cc'>): string {
  const t = p.toolchain;
  return [`${t.flavour}:`, p.cc, ...t.cflags, ...(t.ldflags.length ? ['ldflags', ...t.ldflags] : [])].join(' ');
}

/**
 * What a build with this toolchain sets: CC/CXX (the cross compiler of that version for a cross
 * build), the flavour flags appended through dpkg-buildflags (after what the user's environment
 * already appends), the lines of the log head and the .changes fields.
 */
export function planToolchain(
  t: Toolchain,
  o: { cross: boolean; hostTriplet: string; env?: Readonly<Record<string, string | undefined>> },
): ToolchainPlan {
  const v = t.compiler.version ? `-${t.compiler.version}` : '';
  const env: Record<string, string> = {};
  let cc: string;
  let cxx: string;
  const needs: ToolchainPlan['needs'] = [];
  const compileFlags = [...t.cflags];
  const pkgTriplet = o.hostTriplet.replace(/_/g, '-');
  if (t.compiler.family === 'gcc') {
    cc = o.cross ? `${o.hostTriplet}-gcc${v}` : `gcc${v}`;
    cxx = o.cross ? `${o.hostTriplet}-g++${v}` : `g++${v}`;
    needs.push({ program: cc, package: o.cross ? `gcc${v}-${pkgTriplet}` : `gcc${v}` });
  } else {
    // clang is a cross compiler of every target: --target picks it; binutils and libgcc come from the cross gcc.
    cc = o.cross ? `clang${v} --target=${o.hostTriplet}` : `clang${v}`;
    cxx = o.cross ? `clang++${v} --target=${o.hostTriplet}` : `clang++${v}`;
    needs.push({ program: `clang${v}`, package: `clang${v}` });
    // clang's default DWARF 5 has sections (.debug_addr) that bookworm's dwz cannot read, and dh_dwz
    // then fails the build; DWARF 4 is what gcc-12 builds carry. A flavour's own -gdwarf-N comes after.
    compileFlags.unshift('-gdwarf-4');
  }
  env.CC = cc;
  env.CXX = cxx;
  const append = (variable: string, flags: readonly string[]) => {
    if (!flags.length) return;
    const name = `DEB_${variable}_APPEND`;
    const before = o.env?.[name]?.trim();
    env[name] = [...flags, ...(before ? [before] : [])].join(' ');
  };
  for (const f of COMPILE_FLAG_VARIABLES) append(f, compileFlags);
  append('LDFLAGS', t.ldflags);
  const plan: ToolchainPlan = { toolchain: t, cc, cxx, needs, env, log: [], changesFields: {} };
  plan.log = [
    ['Toolchain', `${t.name}${t.file ? ` (${t.file}:${t.line})` : ''}`],
    ['Flavour', t.flavour],
    ['CC', cc],
    ['CXX', cxx],
    ...(compileFlags.length ? ([['DEB_CFLAGS_APPEND', env.DEB_CFLAGS_APPEND!]] as [string, string][]) : []),
    ...(t.ldflags.length ? ([['DEB_LDFLAGS_APPEND', env.DEB_LDFLAGS_APPEND!]] as [string, string][]) : []),
    ['ISA limit', t.isa ? t.isa.text : 'none (not checked)'],
  ];
  plan.changesFields = { 'Xdeb-Flavour': t.flavour, 'Xdeb-Toolchain': describeToolchain(plan) };
  return plan;
}
