// Reading text files as streams, decompressed by their magic bytes (gzip, xz, zstd, bzip2),
// so that index files of any size are read in chunks. '-' is standard input.

import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import * as zlib from 'node:zlib';
import { EnvironmentError, InputError } from '../lib/errors.js';

export type Compression = 'none' | 'gzip' | 'xz' | 'zstd' | 'bzip2';

export function detectCompression(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a) return 'xz';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2';
  return 'none';
}

function fileError(path: string, err: NodeJS.ErrnoException): InputError {
  const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'is a directory' : err.message;
  return new InputError(why, { file: path });
}

function readHead(path: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw fileError(path, e as NodeJS.ErrnoException);
  }
  try {
    const buf = Buffer.alloc(6);
    const n = readSync(fd, buf, 0, 6, 0);
    return buf.subarray(0, n);
  } catch (e) {
    throw fileError(path, e as NodeJS.ErrnoException);
  } finally {
    closeSync(fd);
  }
}

function decompressor(tool: string, path: string): Readable {
  const child = spawn(tool, ['-dc', path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const out = child.stdout;
  child.on('error', (e: NodeJS.ErrnoException) => {
    out.destroy(e.code === 'ENOENT' ? new EnvironmentError(`${tool} is needed to read ${path} (apt-get install ${tool === 'xz' ? 'xz-utils' : tool})`) : e);
  });
  child.on('close', (code) => {
    if (code) out.destroy(new InputError(`cannot decompress: ${stderr.trim() || `${tool} exited with ${code}`}`, { file: path }));
  });
  return out;
}

/** A stream of the decompressed bytes of `path`. */
export function openDecompressed(path: string): Readable {
  if (path === '-') return process.stdin;
  const kind = detectCompression(readHead(path));
  const raw = () => {
    const s = createReadStream(path, { highWaterMark: 1 << 20 });
    s.on('error', (e) => s.destroy(fileError(path, e)));
    return s;
  };
  switch (kind) {
    case 'none':
      return raw();
    case 'gzip':
      return raw().pipe(createGunzip());
    case 'zstd': {
      // Node >= 22.15 has zstd built in; older ones use the zstd tool.
      const make = (zlib as unknown as { createZstdDecompress?: () => NodeJS.ReadWriteStream }).createZstdDecompress;
      return make ? (raw().pipe(make()) as unknown as Readable) : decompressor('zstd', path);
    }
    case 'xz':
      return decompressor('xz', path);
    case 'bzip2':
      return decompressor('bzip2', path);
  }
}

/** The text of `path`, decompressed, in chunks. */
export async function* readTextChunks(path: string): AsyncGenerator<string> {
  const stream = openDecompressed(path);
  stream.setEncoding('utf8');
  for await (const chunk of stream) yield chunk as string;
}

/** The whole decompressed text of `path` (for small files). */
export async function readText(path: string): Promise<string> {
  let s = '';
  for await (const c of readTextChunks(path)) s += c;
  return s;
}

/** Lines of `path` ('-' for stdin) in batches, without line ends; CRLF is accepted. */
export async function* readLineBatches(path: string): AsyncGenerator<string[]> {
  let rest = '';
  for await (const chunk of readTextChunks(path)) {
    const text = rest + chunk;
    const last = text.lastIndexOf('\n');
    if (last < 0) {
      rest = text;
      continue;
    }
    rest = text.slice(last + 1);
    const lines = text.slice(0, last).split('\n');
    for (let i = 0; i < lines.length; i++) if (lines[i]!.endsWith('\r')) lines[i] = lines[i]!.slice(0, -1);
    yield lines;
  }
  if (rest !== '') yield [rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}
