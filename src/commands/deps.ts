import { UsageError } from '../lib/errors.js';
import type { CommandSpec } from '../cli/spec.js';

const reduce: CommandSpec = {
  name: 'reduce',
  summary: 'reduce dependency fields for a build: arch lists and profiles evaluated, as Dpkg::Deps does',
  description:
    'Reads one dependency field per line on standard input and prints each reduced field on one line,\n' +
    'formatted as Dpkg::Deps output() formats it; a field that reduces to nothing prints an empty line.',
  options: [
    { flags: '--build-arch <arch>', description: 'the build architecture (default: this machine\'s)', complete: 'arch' },
    { flags: '-a, --host-arch <arch>', description: 'the host architecture (default: the build architecture)', complete: 'arch' },
    { flags: '-P, --profiles <list>', description: 'active build profiles, comma-separated', complete: 'profile' },
    { flags: '--field <name>', description: 'the field the lines come from (Build-Conflicts refuses |)', default: 'Build-Depends' },
  ],
  examples: [
    {
      command: "echo 'gcc [amd64], libfoo-dev <!stage1>, perl:native' | xdeb deps reduce -a arm64 -P stage1",
      description: 'print "perl:native"',
    },
  ],
  async run({ opts, out }) {
    const [{ archTable }, { parseRelationField, reduceRelationField, formatRelationField }, { readLineBatches }, { buildArch }] = await Promise.all([
      import('../lib/arch.js'),
      import('../lib/relation.js'),
      import('../adapters/text-stream.js'),
      import('../adapters/dpkg.js'),
    ]);
    const table = archTable();
    const build = table.checkArch(opts.buildArch ?? buildArch());
    const host = table.checkArch(opts.hostArch ?? build);
    const profiles = new Set<string>(String(opts.profiles ?? '').split(/[,\s]+/).filter(Boolean));
    let lineNo = 0;
    for await (const lines of readLineBatches('-')) {
      let buf = '';
      for (const line of lines) {
        lineNo++;
        try {
          const field = parseRelationField(line, { field: opts.field, loc: { file: '<stdin>', line: lineNo }, warn: (m) => out.warn(`<stdin>:${lineNo}: ${m}`) });
          buf += formatRelationField(reduceRelationField(field, { hostArch: host, profiles })) + '\n';
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
