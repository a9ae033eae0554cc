// Reading text files as streams, decompressed by their magic bytes (gzip, xz, zstd, bzip2, lz4),
// so that index files of any size are read in chunks. '-' is standard input.

import { isAscii } from 'node:buffer';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { PassThrough, type Readable, type Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import * as zlib from 'node:zlib';
import { EnvironmentError, InputError } from '../lib/errors.js';

export type Compression = 'none' | 'gzip' | 'xz' | 'zstd' | 'bzip2' | 'lz4';

export function detectCompression(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a) return 'xz';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2';
  // apt keeps its lists lz4-compressed (Acquire::GzipIndexes, KeepCompressedAs).
  if (head[0] === 0x04 && head[1] === 0x22 && head[2] === 0x4d && head[3] === 0x18) return 'lz4';
  return 'none';
}

function fileError(path: string, err: NodeJS.ErrnoException): InputError {
  const why =
    err.code === 'ENOENT'
      ? 'no such file'
      : err.code === 'EACCES'
        ? 'permission denied'
        : err.code === 'EISDIR'
          ? 'is a directory'
          : err.message;
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

/**
 * The output of `tool -dc path`. It ends only once the tool has exited 0, so that a truncated
 * or corrupt file is an error rather than silently shorter text.
 */
function decompressor(tool: string, path: string): Readable {
  const child = spawn(tool, ['-dc', path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const out = new PassThrough({ highWaterMark: BLOCK });
  child.stdout.pipe(out, { end: false });
  child.on('error', (e: NodeJS.ErrnoException) => {
    out.destroy(
      e.code === 'ENOENT'
        ? new EnvironmentError(`${tool} is needed to read ${path} (apt-get install ${tool === 'xz' ? 'xz-utils' : tool})`)
        : e,
    );
  });
  child.on('close', (code, signal) => {
    if (code === 0) out.end();
    else
      out.destroy(
        new InputError(`cannot decompress: ${stderr.trim() || `${tool} ${signal ? `killed by ${signal}` : `exited with ${code}`}`}`, {
          file: path,
        }),
      );
  });
  // The reader stopped early (an error, or it had what it wanted): stop the tool too.
  out.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  });
  return out;
}

/** `source` through a zlib decompressor, its errors as InputErrors naming the file. */
function inflate(source: Readable, inflater: Transform, path: string): Readable {
  const out = new PassThrough({ highWaterMark: BLOCK });
  source.on('error', (e) => out.destroy(e));
  inflater.on('error', (e: NodeJS.ErrnoException) => {
    out.destroy(e.code?.startsWith('Z_') ? new InputError(`cannot decompress: ${e.message}`, { file: path }) : e);
  });
  out.on('close', () => {
    source.destroy();
    inflater.destroy();
  });
  source.pipe(inflater).pipe(out);
  return out;
}

/** Stream chunk size. */
const BLOCK = 1 << 16;
/** File read size: few reads (each one a trip to the I/O thread), cut into BLOCKs to be decoded. */
const READ = 1 << 20;

/** A stream of the decompressed bytes of `path`. */
export function openDecompressed(path: string): Readable {
  if (path === '-') return process.stdin;
  const kind = detectCompression(readHead(path));
  const raw = () => {
    const s = createReadStream(path, { highWaterMark: READ });
    s.on('error', (e) => s.destroy(fileError(path, e)));
    return s;
  };
  switch (kind) {
    case 'none':
      return raw();
    case 'gzip':
      return inflate(raw(), createGunzip({ chunkSize: BLOCK }), path);
    case 'zstd': {
      // Node >= 22.15 has zstd built in; older ones use the zstd tool.
      const make = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
      return make ? inflate(raw(), make(), path) : decompressor('zstd', path);
    }
    case 'xz':
      return decompressor('xz', path);
    case 'bzip2':
      return decompressor('bzip2', path);
    case 'lz4':
      return decompressor('lz4', path);
  }
}

/**
 * The whole decompressed text of a file, at once and synchronously, as pieces that each end
 * with a whole line: for the rare reader that cannot wait (an index cache rebuilt mid-question).
 */
export function readTextPiecesSync(path: string): string[] {
  const kind = detectCompression(readHead(path));
  let bytes: Buffer;
  try {
    if (kind === 'none') bytes = readFileSync(path);
    else if (kind === 'gzip') bytes = zlib.gunzipSync(readFileSync(path));
    else {
      const tool = kind === 'zstd' ? 'zstd' : kind === 'xz' ? 'xz' : kind === 'bzip2' ? 'bzip2' : 'lz4';
      const r = spawnSync(tool, ['-dc', path], { maxBuffer: 2 ** 32 - 1 });
      if (r.error) throw new EnvironmentError(`${tool} is needed to read ${path}: ${r.error.message}`);
      if (r.status !== 0)
        throw new InputError(`cannot decompress: ${r.stderr.toString().trim() || `${tool} exited with ${r.status}`}`, { file: path });
      bytes = r.stdout;
    }
  } catch (e) {
    if (e instanceof EnvironmentError || e instanceof InputError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw err.code?.startsWith('Z_') ? new InputError(`cannot decompress: ${err.message}`, { file: path }) : fileError(path, err);
  }
  const out: string[] = [];
  for (let from = 0; from < bytes.length;) {
    let to = from + BLOCK >= bytes.length ? bytes.length : bytes.indexOf(10, from + BLOCK) + 1;
    if (to <= 0) to = bytes.length;
    decodeLines(bytes.subarray(from, to), out);
    from = to;
  }
  return out;
}

/** Decoding piece: small enough that one non-ASCII line does not make a whole block two-byte text. */
const PIECE = 1 << 12;

/**
 * Whole lines of UTF-8 as text, in pieces of about 4 KiB cut after a newline. ASCII pieces, the
 * usual case, are copied as Latin-1: faster than UTF-8 decoding, and V8 keeps them as compact
 * one-byte strings, as it does their slices. Invalid UTF-8 becomes U+FFFD.
 */
function decodeLines(bytes: Buffer, out: string[]): void {
  if (isAscii(bytes)) {
    out.push(bytes.toString('latin1'));
    return;
  }
  for (let i = 0; i < bytes.length;) {
    let j = i + PIECE >= bytes.length ? -1 : bytes.indexOf(10, i + PIECE);
    j = j < 0 ? bytes.length : j + 1;
    const piece = bytes.subarray(i, j);
    out.push(isAscii(piece) ? piece.toString('latin1') : piece.toString('utf8'));
    i = j;
  }
}

/**
 * The text of `path` ('-' for stdin), decompressed, as it comes: each yield is the text of one
 * or more pieces that end with a whole line (the very last one may not). No piece splits a line
 * or a UTF-8 sequence.
 */
export async function* readTextBlocks(path: string): AsyncGenerator<string[]> {
  const stream = openDecompressed(path);
  // Bytes after the last newline seen, waiting for the end of their line.
  let pending: Buffer[] = [];
  for await (const data of stream as AsyncIterable<Buffer | string>) {
    const block = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const texts: string[] = [];
    let from = 0;
    if (pending.length) {
      // Finish the pending line with the start of this block (copying that line only).
      const first = block.indexOf(10);
      if (first < 0) {
        pending.push(block);
        continue;
      }
      pending.push(block.subarray(0, first + 1));
      decodeLines(Buffer.concat(pending), texts);
      pending = [];
      from = first + 1;
    }
    const last = block.lastIndexOf(10);
    const rest = Math.max(from, last + 1);
    if (rest < block.length) pending.push(block.subarray(rest));
    // Decoded and handed on about a BLOCK at a time, so that the text is parsed while in cache.
    while (from < rest) {
      let to = from + BLOCK >= rest ? rest : block.indexOf(10, from + BLOCK) + 1;
      if (to <= 0 || to > rest) to = rest;
      decodeLines(block.subarray(from, to), texts);
      from = to;
      if (from < rest) {
        yield texts.splice(0);
      }
    }
    if (texts.length) yield texts;
  }
  if (pending.length) {
    const texts: string[] = [];
    decodeLines(Buffer.concat(pending), texts);
    yield texts;
  }
}

/** The text of `path` ('-' for stdin), decompressed, in chunks that end with a whole line (but the last). */
export async function* readTextChunks(path: string): AsyncGenerator<string> {
  for await (const texts of readTextBlocks(path)) yield* texts;
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

/** A whole (small) text file; a missing or unreadable one is an InputError naming it. */
export function readTextFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message, { file });
  }
}
