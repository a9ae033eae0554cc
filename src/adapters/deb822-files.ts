// deb822 files from disk: streamed, decompressed, errors naming the file.

import { Deb822Parser, type Deb822Options, type Paragraph } from '../lib/deb822.js';
import { readTextChunks } from './text-stream.js';

/** The paragraphs of a (possibly compressed) deb822 file, one at a time. */
export async function* readParagraphs(path: string, opts: Omit<Deb822Options, 'file'> = {}): AsyncGenerator<Paragraph> {
  const parser = new Deb822Parser({ ...opts, file: path === '-' ? '<stdin>' : path });
  for await (const chunk of readTextChunks(path)) {
    yield* parser.feed(chunk);
  }
  yield* parser.end();
}

export async function readAllParagraphs(path: string, opts: Omit<Deb822Options, 'file'> = {}): Promise<Paragraph[]> {
  const out: Paragraph[] = [];
  for await (const p of readParagraphs(path, opts)) out.push(p);
  return out;
}
