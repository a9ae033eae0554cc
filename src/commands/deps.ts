import { UsageError } from '../lib/errors.js';
import type { CommandSpec } from '../ui/spec.js';

const reduce: CommandSpec = {
  name: 'reduce',
  summary: 'reduce dependency fields for a build: arch lists and profiles evaluated, as Dpkg::Deps does',
  description:
    'Reads one dependency field per line on standard input and prints each reduced field on one line,\n' +
    'formatted as Dpkg::Deps output() formats it; a field that reduces to nothing prints an empty line.\n' +
    'Alternatives whose architecture list or build-profile formula is false are dropped, the others lose\n' +
    'their list and formula; a relation left without alternatives is dropped. A malformed field stops\n' +
    'the run with <stdin>:LINE and exit status 2, after the fields before it were printed.',
  options: [
    { flags: '--build-arch <arch>', description: "the build architecture (default: this machine's)", complete: 'arch' },
    { flags: '-a, --host-arch <arch>', description: 'the host architecture (default: the build architecture)', complete: 'arch' },
    { flags: '-P, --profiles <list>', description: 'active build profiles, comma-separated', complete: 'profile' },
    {
      flags: '--field <name>',
      description: 'the field the lines come from (Build-Conflicts* refuse |, only build-dependency fields take :native)',
      default: 'Build-Depends',
    },
  ],
  examples: [
    {
      command: "echo 'gcc [amd64], libfoo-dev <!stage1>, perl:native' | xdeb deps reduce -a arm64 -P stage1",
      description: 'print "perl:native"',
    },
  ],
  async run({ flags, out }) {
    const [
      { useSystemArchTable },
      { InputError },
      { parseRelationField, reduceRelationField, formatRelationField },
      { readLineBatches },
      { buildArch },
    ] = await Promise.all([
      import('../adapters/dpkg-tables.js'),
      import('../lib/errors.js'),
      import('../lib/relation.js'),
      import('../adapters/text-stream.js'),
      import('../adapters/dpkg.js'),
    ]);
    const table = useSystemArchTable();
    const checked = (option: string, arch: string): string => {
      try {
        return table.checkArch(arch);
      } catch (e) {
        throw e instanceof InputError ? new UsageError(`${option}: ${e.reason}`) : e;
      }
    };
    const build = checked('--build-arch', flags.string('buildArch') ?? buildArch());
    const host = checked('--host-arch', flags.string('hostArch') ?? build);
    const profiles = new Set<string>((flags.string('profiles') ?? '').split(/[,\s]+/).filter(Boolean));
    const fieldName = flags.string('field');
    const ctx = { hostArch: host, profiles, table };
    const warn = (m: string) => out.warn(m);
    let lineNo = 0;
    for await (const lines of readLineBatches('-')) {
      let buf = '';
      for (const line of lines) {
        lineNo++;
        try {
          const field = parseRelationField(line, { field: fieldName, loc: { file: '<stdin>', line: lineNo }, warn });
          buf += formatRelationField(reduceRelationField(field, ctx)) + '\n';
        } catch (e) {
          out.data(buf);
          throw e;
        }
      }
      out.data(buf);
    }
    return 0;
  },
};

const spec: CommandSpec = {
  name: 'deps',
  summary: 'work with dependency fields',
  subcommands: [reduce],
  async run() {
    throw new UsageError("expected a subcommand: 'xdeb deps reduce'");
  },
};
export default spec;
