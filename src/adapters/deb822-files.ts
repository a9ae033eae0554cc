// deb822 files from disk: streamed, decompressed, errors naming the file.

import { Deb822Parser, type Deb822Options, type Paragraph } from '../lib/deb822.js';
import { readTextBlocks } from './text-stream.js';

/**
 * The paragraphs of a (possibly compressed) deb822 file ('-' for stdin) in batches, as each
 * block of the file is read: the fast way through a large index (one await per block).
 */
export async function* readParagraphBatches(path: string, opts: Omit<Deb822Options, 'file'> = {}): AsyncGenerator<Paragraph[]> {
  const parser = new Deb822Parser({ ...opts, file: path === '-' ? '<stdin>' : path });
  for await (const texts of readTextBlocks(path)) {
    let batch: Paragraph[] | undefined;
    for (const text of texts) {
      const paras = parser.feed(text);
      if (paras.length === 0) continue;
      if (batch) for (const p of paras) batch.push(p);
      else batch = paras;
    }
    if (batch) yield batch;
  }
  const last = parser.end();
  if (last.length) yield last;
}

/** The paragraphs of a (possibly compressed) deb822 file ('-' for stdin), one at a time. */
export async function* readParagraphs(path: string, opts: Omit<Deb822Options, 'file'> = {}): AsyncGenerator<Paragraph> {
  for await (const batch of readParagraphBatches(path, opts)) yield* batch;
}

export async function readAllParagraphs(path: string, opts: Omit<Deb822Options, 'file'> = {}): Promise<Paragraph[]> {
  const out: Paragraph[] = [];
  for await (const batch of readParagraphBatches(path, opts)) for (const p of batch) out.push(p);
  return out;
}
