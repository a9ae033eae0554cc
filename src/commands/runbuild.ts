import type { CommandSpec } from '../ui/spec.js';
import { HOST_ARCH, LOCAL_CONFIG, PROFILES, ROOT_CMD, sessionFlags } from './common-options.js';
import { TOOLCHAIN } from './toolchain-option.js';

const spec: CommandSpec = {
  name: 'runbuild',
  summary: 'run dpkg-buildpackage for the host architecture and check what it built',
  standalone: true,
  description:
    'Builds a source package with dpkg-buildpackage for the host architecture. SOURCE is an unpacked\n' +
    'source tree (default: the current directory) or a .dsc, which is unpacked with dpkg-source -x into\n' +
    'a work directory under the output directory.\n\n' +
    'A cross build (host architecture != build architecture) is arch-only (--build=any) with the\n' +
    'profiles cross,nocheck unless -P says otherwise; DEB_BUILD_OPTIONS gets nocheck (and nodoc) when\n' +
    'those profiles are active. A native build has no profiles and builds all binary packages\n' +
    '(--build=binary, like dpkg-buildpackage -b). Build-dependencies are checked first with\n' +
    'dpkg-checkbuilddeps (install them with xdeb-satisfydepends).\n\n' +
    'The output goes to the log, whose head names the build architecture, host architecture and\n' +
    'profiles as sbuild does, and to standard error when it is a terminal (or with --verbose); when a\n' +
    'build fails off a terminal, the last lines of the log are shown. After the build every ELF file in\n' +
    'the built .debs (Architecture other than all) must be for the host architecture: a build-arch\n' +
    'binary that slipped into a host package fails the build, naming the package and the file.\n' +
    'On success the path of the .changes is printed on standard output, ready for xdeb-putresult.',
  args: [{ name: 'source', description: 'a source tree or a .dsc (default: .)', complete: 'dsc' }],
  options: [
    HOST_ARCH,
    PROFILES,
    {
      flags: '--build <type>',
      description: 'what to build, as dpkg-buildpackage --build (default: any for a cross build, binary for a native one)',
      choices: ['any', 'all', 'binary', 'source', 'full', 'source,any', 'source,all', 'any,all'],
    },
    {
      flags: '-o, --output-dir <dir>',
      description:
        "put the results (.changes, .debs, .buildinfo, log) here (default: the source tree's parent; the current directory for a .dsc)",
      complete: 'dir',
    },
    {
      flags: '--log <file>',
      description: 'write the build log here (default: OUTPUT/SOURCE_VERSION_HOSTARCH.build, or in the configured build-log-dir)',
      complete: 'file',
    },
    {
      ...ROOT_CMD,
      description:
        'gain root for debian/rules binary with this command (dpkg-buildpackage --root-command; default: fakeroot where the package needs root)',
    },
    { flags: '--no-check-builddeps', description: 'do not check build-dependencies before building (dpkg-buildpackage -d)' },
    { flags: '--no-elf-check', description: 'do not check the architecture of ELF files in the built packages' },
    {
      flags: '--elf-allow <pattern>',
      description: 'an ELF file path that may be for another architecture (* matches anything; repeatable)',
      repeatable: true,
    },
    { flags: '--keep-tree', description: 'keep the work directory a .dsc was unpacked into, also after a successful build' },
    TOOLCHAIN,
    LOCAL_CONFIG,
  ],
  json: true,
  jsonOutput:
    '{"source": "hello", "version": "2.10-3", "buildArch": "amd64", "hostArch": "arm64",\n' +
    ' "profiles": ["cross", "nocheck"], "buildType": "any", "changes": "/abs/hello_2.10-3_arm64.changes",\n' +
    ' "log": "/abs/hello_2.10-3_arm64.build", "seconds": 41, "dpkgBuildpackageSeconds": 40.2, "elfFilesChecked": 3}\n\n' +
    'With --toolchain also "flavour": "a53" and, when the flavour has an ISA limit,\n' +
    '"isa": {"limit": "armv8-a", "elfFiles": 3, "checkable": 3} (ELF files seen, and those that record their instruction set).',
  examples: [
    { command: 'xdeb-runbuild -a arm64', description: 'cross-build the source tree in the current directory for arm64' },
    { command: 'xdeb-runbuild -a arm64 -o out/ hello_2.10-3.dsc', description: 'unpack and build a .dsc, results in out/' },
    { command: 'xdeb-runbuild -a arm64 -P cross,nocheck,stage1 .', description: 'a staged (stage1) cross build' },
    { command: 'xdeb-putresult "$(xdeb-runbuild -a arm64)"', description: 'build, then publish into the local repository' },
    {
      command: 'xdeb-runbuild -a armhf --toolchain armv7 .',
      description: 'a flavoured build: the [toolchain armv7] compiler and flags, then the ISA check',
    },
  ],
  exitStatus: [
    {
      code: 1,
      meaning:
        'the build failed, a built package holds an ELF file for another architecture, or (--toolchain) an ELF file needs more than the flavour allows',
    },
    { code: 2, meaning: 'bad invocation: no source tree there, a malformed .dsc, an unknown architecture' },
    { code: 3, meaning: 'build-dependencies are not installed, or a tool is missing' },
  ],
  files: [{ path: 'OUTPUT/SOURCE_VERSION_HOSTARCH.build', description: 'the build log' }],
  environment: [
    { name: 'DEB_BUILD_OPTIONS', description: 'passed to the build; nocheck and nodoc are added to match the profiles' },
    { name: 'DEB_BUILD_ARCH', description: 'the build architecture (default: dpkg --print-architecture)' },
  ],
  seeAlso: ['xdeb-putresult', 'xdeb-satisfydepends', 'dpkg-buildpackage(1)', 'sbuild(1)'],
  async run({ args, flags, out }) {
    const [{ runBuildIn }, { openSession }] = await Promise.all([import('../flows/runbuild.js'), import('../flows/session.js')]);
    const session = openSession(sessionFlags(flags), out);
    const result = await runBuildIn(session, {
      source: args[0] ?? '.',
      buildType: flags.string('build'),
      outputDir: flags.string('outputDir'),
      log: flags.string('log'),
      checkBuilddeps: flags.boolean('checkBuilddeps'),
      elfCheck: flags.boolean('elfCheck'),
      elfAllow: flags.strings('elfAllow'),
      keepTree: flags.boolean('keepTree'),
    });
    if (out.json) out.jsonData(result);
    else out.data(result.changes);
    return 0;
  },
};
export default spec;
