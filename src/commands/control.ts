import type { CommandSpec } from '../ui/spec.js';

const spec: CommandSpec = {
  name: 'control',
  summary: 'read deb822 files (control, .dsc, .changes, Release, Packages, Sources) and print their paragraphs',
  description:
    'Reads deb822 files, compressed (gzip, xz, zstd, bzip2, lz4) or not, clearsigned or not, and prints\n' +
    'their paragraphs one after the other: as a JSON array of objects (fields in order, names as\n' +
    'written) with --json, else as deb822 text as it was read (less comments and signatures).\n' +
    'A malformed file stops it with exit status 2 and the file and line of the fault.',
  args: [{ name: 'file', description: "the files, or '-' for standard input", required: true, variadic: true, complete: 'file' }],
  json: true,
  examples: [
    { command: 'xdeb control --json debian/control', description: 'the source and binary stanzas as JSON' },
    { command: 'xdeb control /var/lib/apt/lists/*_Packages | head', description: 'apt indexes, as text' },
  ],
  async run({ args, out }) {
    const { readParagraphBatches } = await import('../adapters/deb822-files.js');
    const { formatParagraph } = await import('../lib/deb822.js');
    const write = (s: string) => process.stdout.write(s);
    let first = true;
    let buf = out.json ? '[' : '';
    for (const file of args) {
      for await (const batch of readParagraphBatches(file)) {
        for (const p of batch) {
          if (out.json) {
            // Written by hand: an object would put names like '1' first and swallow '__proto__'.
            let o = '{';
            for (let i = 0; i < p.size; i++) o += (i ? ',' : '') + JSON.stringify(p.names[i]) + ':' + JSON.stringify(p.values[i]);
            buf += (first ? '\n  ' : ',\n  ') + o + '}';
          } else buf += (first ? '' : '\n') + formatParagraph(p);
          first = false;
        }
        if (buf.length > 1 << 16) {
          write(buf);
          buf = '';
        }
      }
    }
    buf += out.json ? (first ? ']\n' : '\n]\n') : '';
    write(buf);
    return 0;
  },
};
export default spec;
