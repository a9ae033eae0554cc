// Reading files in blocks: the text must come out whole whatever falls on a block boundary
// (a long line, a UTF-8 sequence, a CRLF), compressed or not.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAllParagraphs, readParagraphs } from '../../src/adapters/deb822-files.js';
import { detectCompression, readText, readTextBlocks } from '../../src/adapters/text-stream.js';
import { parseDeb822 } from '../../src/lib/deb822.js';
import { InputError } from '../../src/lib/errors.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'xdeb-text-stream-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A deb822 text whose multi-byte characters and line ends fall across 64 KiB block boundaries. */
function awkwardText(): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < 300_000; i++) {
    // Paragraphs of varied length; one line longer than a block; non-ASCII of 2, 3 and 4 bytes.
    const filler = 'x'.repeat((i * 7919) % 3000);
    const long = i === 5 ? ` ${'y'.repeat(70_000)}\n` : '';
    const p = `Package: p${i}\r\nDescription: é€😀 ${filler}\n ü line\n${long} .\nX-N: ${i}\n\n`;
    parts.push(p);
    size += Buffer.byteLength(p);
  }
  return parts.join('') + 'Package: last\nNo-Newline: at the end';
}

describe('readTextBlocks', () => {
  it('gives the text whole, whatever falls on a block boundary', async () => {
    const text = awkwardText();
    const bytes = Buffer.from(text, 'utf8');
    // Shift the text by 0..3 bytes so that every byte of a UTF-8 sequence meets a boundary.
    for (let shift = 0; shift < 4; shift++) {
      const shifted = Buffer.concat([Buffer.from('#'.repeat(shift) + (shift ? '\n' : '')), bytes]);
      const file = join(tmp, `text-${shift}`);
      writeFileSync(file, shifted);
      let got = '';
      for await (const texts of readTextBlocks(file)) {
        for (const t of texts) {
          // Every piece but the very last ends a line.
          got += t;
        }
      }
      expect(got).toBe(shifted.toString('utf8'));
      expect(await readText(file)).toBe(shifted.toString('utf8'));
      const paras = await readAllParagraphs(file);
      expect(paras.map((p) => [...p])).toEqual(parseDeb822(shifted.toString('utf8')).map((p) => [...p]));
      expect(paras.at(-1)!.get('No-Newline')).toBe('at the end');
    }
  });

  it('cuts pieces only after a newline', async () => {
    const file = join(tmp, 'pieces');
    writeFileSync(file, awkwardText());
    const pieces: string[] = [];
    for await (const texts of readTextBlocks(file)) pieces.push(...texts);
    expect(pieces.length).toBeGreaterThan(10);
    for (const p of pieces.slice(0, -1)) expect(p.endsWith('\n')).toBe(true);
  });

  it('reads gzip as the same text', async () => {
    const text = awkwardText();
    const file = join(tmp, 'text.gz');
    writeFileSync(file, gzipSync(text));
    expect(detectCompression(gzipSync('x'))).toBe('gzip');
    expect(await readText(file)).toBe(text);
  });

  it('turns invalid UTF-8 into U+FFFD, as a decoder would', async () => {
    const file = join(tmp, 'bad-utf8');
    const bytes = Buffer.from([0x41, 0x3a, 0x20, 0xff, 0xc3, 0x0a, 0x42, 0x3a, 0x20, 0xe2, 0x82, 0x0a]);
    writeFileSync(file, bytes);
    expect(await readText(file)).toBe(new TextDecoder().decode(bytes));
  });

  it('names the file when it cannot be read', async () => {
    const read = async (path: string) => {
      for await (const p of readParagraphs(path)) void p;
    };
    await expect(read(join(tmp, 'missing'))).rejects.toThrow(new InputError('no such file', { file: join(tmp, 'missing') }));
    await expect(read(tmp)).rejects.toThrow(new InputError('is a directory', { file: tmp }));
  });
});
