import type { CommandSpec } from '../cli/spec.js';

const spec: CommandSpec = {
  name: 'control',
  summary: 'read a deb822 file (control, .dsc, .changes, Release, Packages, Sources) and print its paragraphs',
  description:
    'Reads any deb822 file, compressed or not, clearsigned or not, and prints its paragraphs:\n' +
    'as a JSON array of objects (fields in order, names as written) with --json, else as canonical deb822.',
  args: [{ name: 'file', description: "the file, or '-' for standard input", required: true, complete: 'file' }],
  json: true,
  examples: [
    { command: 'xdeb control --json debian/control', description: 'the source and binary stanzas as JSON' },
    { command: 'xdeb control /var/lib/apt/lists/*_Packages | head', description: 'an apt index, normalised' },
  ],
  async run({ args, opts }) {
    const { readParagraphs } = await import('../adapters/deb822-files.js');
    const { formatParagraph } = await import('../lib/deb822.js');
    const write = (s: string) => process.stdout.write(s);
    let first = true;
    let buf = opts.json ? '[' : '';
    for await (const p of readParagraphs(args[0]!)) {
      if (opts.json) buf += (first ? '\n  ' : ',\n  ') + JSON.stringify(p.toObject());
      else buf += (first ? '' : '\n') + formatParagraph(p);
      first = false;
      if (buf.length > 1 << 16) {
        write(buf);
        buf = '';
      }
    }
    buf += opts.json ? (first ? ']\n' : '\n]\n') : '';
    write(buf);
    return 0;
  },
};
export default spec;
