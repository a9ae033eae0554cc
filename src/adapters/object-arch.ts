// What architecture an object file a compiler made is for: the probes of distcc helpers and
// icecream daemons read the ELF header of the object they sent back.

import { closeSync, openSync, readSync } from 'node:fs';
import { archsForElf, describeElf, elfMatches, expectedElf, readElfHeader } from '../lib/elf.js';

/** The first n bytes of a file (fewer when it is shorter). */
export function readFileHead(file: string, n: number): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(n);
    return b.subarray(0, readSync(fd, b, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

export interface ObjectArch {
  /** As describeElf says ('ELF 64-bit little-endian machine 62'); absent when the file is missing or no ELF. */
  found?: string;
  /** The architectures it could be for. */
  archs?: readonly string[];
  /** It is an object for hostArch. */
  matches: boolean;
}

export function objectArch(file: string, hostArch: string): ObjectArch {
  let head: Uint8Array;
  try {
    head = readFileHead(file, 64);
  } catch {
    return { matches: false };
  }
  const elf = readElfHeader(head);
  if (!elf) return { matches: false };
  const want = expectedElf(hostArch);
  return { found: describeElf(elf), archs: archsForElf(elf), matches: !!(want && elfMatches(elf, want)) };
}
