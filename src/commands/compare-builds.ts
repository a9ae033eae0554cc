import type { CommandSpec } from '../ui/spec.js';

const spec: CommandSpec = {
  name: 'compare-builds',
  summary: 'compare two builds of one source, package by package (a cross build against a native one)',
  description:
    'A and B are each a .changes file (its files checked against their checksums), a .deb, or a directory\n' +
    'of .debs: two builds of one source for one architecture. Each binary package of both is compared:\n' +
    'its files (type, mode, link target), control fields (Depends and the other relations after\n' +
    'substitution, Provides, Multi-Arch, Architecture, Version), maintainer scripts, shlibs, symbols and\n' +
    'triggers; for ELF files their class, machine and OS ABI, soname, NEEDED, exported and imported dynamic\n' +
    'symbols and the symbol versions they need,\n' +
    'the compilers .comment names, and every section with the noise removed (build id, debug link);\n' +
    'other files by content. Each difference is classified: package, missing-file, file-mode, dependency,\n' +
    'control, maintainer-script, elf-header, soname, needed, symbol-set, imports, symbol-versions,\n' +
    'code-only, compiler-version, pkg-config, text, static-library, other-content (docs/compare-builds.md\n' +
    "says what each means). Bookworm's gcc-12 cross and native compilers are other Debian revisions of\n" +
    'one GCC: that compiler-version difference is labelled as known, and does not hide the rest. Debug\n' +
    'packages (-dbgsym) are not compared.',
  args: [
    { name: 'a', description: 'a .changes, a .deb or a directory of .debs', required: true, complete: 'changes' },
    { name: 'b', description: 'the other build', required: true, complete: 'changes' },
  ],
  options: [
    {
      flags: '--diffoscope <dir>',
      description: 'run diffoscope on each pair of packages that differ, an HTML page each into DIR (needs diffoscope)',
      complete: 'dir',
    },
  ],
  json: true,
  jsonOutput:
    '{"source": "zlib", "arch": "arm64", "a": {"label": "…", "packages": ["zlib1g", …]}, "b": {…},\n' +
    ' "compared": ["zlib1g", …], "ignored": ["zlib1g-dbgsym"], "equivalent": false,\n' +
    ' "differences": [{"class": "symbol-set", "package": "libx1", "path": "/usr/lib/…/libx.so.1",\n' +
    '                  "a": "x_only_native", "b": "", "detail": "…", "known": "…"}]}',
  examples: [
    {
      command: 'xdeb compare-builds ../zlib_1.2.13.dfsg-1_arm64.changes /srv/archive-debs/zlib/',
      description: 'a cross build against the packages of a native one',
    },
    { command: 'xdeb compare-builds --json cross/ native/ | jq .differences', description: 'every difference, for a script' },
  ],
  exitStatus: [
    { code: 1, meaning: 'the builds differ (the summary says how)' },
    {
      code: 2,
      meaning: 'bad input: a file missing or failing its checksum, two builds of different sources or architectures, no .debs',
    },
    { code: 3, meaning: 'a tool missing (dpkg-deb; diffoscope with --diffoscope)' },
  ],
  seeAlso: ['xdeb-build', 'diffoscope(1)', 'dpkg-deb(1)'],
  async run({ args, flags, out }) {
    const { runCompareBuilds } = await import('../flows/compare-builds.js');
    return runCompareBuilds(
      { a: args[0]!, b: args[1]!, ...(flags.string('diffoscope') ? { diffoscope: flags.string('diffoscope')! } : {}) },
      out,
    );
  },
};
export default spec;
