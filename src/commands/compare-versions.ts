import { InputError, UsageError } from '../lib/errors.js';
import type { CommandSpec } from '../ui/spec.js';

const spec: CommandSpec = {
  name: 'compare-versions',
  summary: 'compare Debian versions exactly as dpkg --compare-versions does',
  description:
    'With A OP B: exit 0 when the relation is true, 1 when false, 2 for bad input.\n' +
    'OP is lt le eq ne ge gt, or << <= = >= >>, or lt-nl le-nl ge-nl gt-nl (an empty version is later than any).\n' +
    'With -: read lines "A<TAB>B" from standard input and print -1, 0 or 1 for each, in order.',
  args: [
    { name: 'a', description: "a version, or '-' to read pairs from standard input" },
    { name: 'op', description: 'the relation' },
    { name: 'b', description: 'the other version' },
  ],
  examples: [
    { command: 'xdeb compare-versions 1.0~rc1 lt 1.0', description: "exit 0: '~' sorts before the end" },
    { command: "printf '1:1.0\\t2.0\\n' | xdeb compare-versions -", description: 'print 1: the epoch wins' },
  ],
  exitStatus: [{ code: 1, meaning: 'the relation is false' }],
  async run({ args, out }) {
    const { analyseVersion, compareWithOperator, compareVersionsOrBlank, isBlankVersion, isCompareOperator } =
      await import('../lib/version.js');
    const check = (v: string, loc?: { file: string; line: number }) => {
      if (isBlankVersion(v)) return;
      const { problem } = analyseVersion(v);
      if (!problem) return;
      if (problem.severity === 'error') throw new InputError(`version '${v}' has bad syntax: ${problem.reason}`, loc);
      out.warn(`${loc ? `${loc.file}:${loc.line}: ` : ''}version '${v}' has bad syntax: ${problem.reason}`);
    };
    if (args.length === 1 && args[0] === '-') {
      const { readLineBatches } = await import('../adapters/text-stream.js');
      let lineNo = 0;
      for await (const lines of readLineBatches('-')) {
        let buf = '';
        for (const line of lines) {
          lineNo++;
          const tab = line.indexOf('\t');
          const loc = { file: '<stdin>', line: lineNo };
          if (tab < 0 || line.indexOf('\t', tab + 1) >= 0) {
            out.data(buf);
            throw new InputError('expected two versions separated by one TAB', loc);
          }
          const a = line.slice(0, tab);
          const b = line.slice(tab + 1);
          try {
            check(a, loc);
            check(b, loc);
          } catch (e) {
            out.data(buf);
            throw e;
          }
          buf += compareVersionsOrBlank(a, b) + '\n';
        }
        out.data(buf);
      }
      return 0;
    }
    if (args.length !== 3) throw new UsageError("expected 'A OP B' or '-'");
    const [a, op, b] = args as [string, string, string];
    if (!isCompareOperator(op))
      throw new UsageError(`unknown operator '${op}' (lt le eq ne ge gt, << <= = >= >>, lt-nl le-nl ge-nl gt-nl)`);
    check(a);
    check(b);
    if (op === '<' || op === '>') out.warn(`operator '${op}' is deprecated: use '${op}=' or '${op}${op}'`);
    return compareWithOperator(a, op, b) ? 0 : 1;
  },
};
export default spec;
