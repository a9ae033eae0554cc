import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  countIcecreamJobs,
  describeJobCounts,
  icecreamEnv,
  icecreamLinks,
  jobTakers,
  judgeIcecreamProbe,
  parseIcecreamScheduler,
  parseListcs,
  type IcecreamDaemon,
} from '../../src/lib/icecream.js';

// Both fixtures were written by icecream 1.4.0 (Debian bookworm): a scheduler's text interface
// answering listcs, and an icecc client log (ICECC_DEBUG=debug, ICECC_LOGFILE) of a remote compile,
// two the scheduler kept here, a link, and a remote compile that failed and was redone here.
const fixtures = join(__dirname, '..', 'fixtures', 'icecream');
const listcs = readFileSync(join(fixtures, 'listcs.txt'), 'utf8');
const clientLog = readFileSync(join(fixtures, 'client-log.txt'), 'utf8');

const nodeB: IcecreamDaemon = { node: 'node-b', address: '10.231.0.2', port: 10245, platform: 'x86_64', maxJobs: 2 };

describe('icecream scheduler', () => {
  it.each([
    ['sched', { host: 'sched', port: 8765, textPort: 8766 }],
    ['10.231.0.1:9000', { host: '10.231.0.1', port: 9000, textPort: 9001 }],
    ['[::1]:8765', { host: '::1', port: 8765, textPort: 8766 }],
  ])('%s', (spec, want) => {
    expect(parseIcecreamScheduler(spec)).toMatchObject({ spec, ...want });
  });
  it.each([
    ['', /is not a scheduler/],
    ['a b', /is not a scheduler/],
    ['host:0', /port 0 is out of range/],
    ['host:65535', /port 65535 is out of range/],
    ['http://host', /is not a scheduler/],
  ])('refuses %j', (spec, msg) => {
    expect(() => parseIcecreamScheduler(spec)).toThrow(msg);
  });
  it("reads listcs's daemons; one that takes no jobs (--no-remote) is not a job taker", () => {
    const all = parseListcs(listcs);
    expect(all).toEqual([{ node: 'node-a', address: '10.231.0.1', port: 0, platform: 'x86_64', maxJobs: 2 }, nodeB]);
    expect(jobTakers(all)).toEqual([nodeB]);
    expect(jobTakers([{ ...nodeB, maxJobs: 0 }])).toEqual([]);
  });
});

describe('icecream client log', () => {
  it('counts each call once, by where it ran', () => {
    expect(countIcecreamJobs(clientLog)).toEqual({ remote: { '10.231.0.2': 1 }, local: 3, fellBack: 1, other: 1 });
  });
  it('says it in one line, naming the daemons', () => {
    expect(describeJobCounts(countIcecreamJobs(clientLog), new Map([['10.231.0.2', 'node-b']]))).toBe(
      'icecream: 1 of 4 compile jobs ran on other daemons (node-b (10.231.0.2): 1); 3 here (1 after a remote failure); 1 other compiler calls (links, checks) here',
    );
    expect(describeJobCounts({ remote: {}, local: 0, fellBack: 0, other: 0 }, new Map())).toBe(
      'icecream: 0 of 0 compile jobs ran on other daemons',
    );
  });
  it('a call whose pid comes again later starts a new call', () => {
    const twice = [
      'ICECC[7] 2026-12-06 23:51:44: invoked as: icecc x -c a.c',
      'ICECC[7] 2026-12-06 23:51:44: Have to use host 10.0.0.9:10245 - Job ID: 1',
      'ICECC[7] 2026-12-06 23:52:44: invoked as: icecc x -c b.c',
      'ICECC[7] 2026-12-06 23:52:44: Have to use host 10.0.0.9:10245 - Job ID: 2',
    ].join('\n');
    expect(countIcecreamJobs(twice).remote).toEqual({ '10.0.0.9': 2 });
  });
});

describe('icecream probe', () => {
  const remoteLog = clientLog.split('\n').slice(0, 27).join('\n');
  it('good: compiled there, an object for the host architecture', () => {
    const v = judgeIcecreamProbe(
      { daemon: nodeB, code: 0, log: remoteLog, found: 'ELF 64-bit little-endian machine 183', archs: ['arm64'], matches: true },
      'arm64',
      'aarch64-linux-gnu-gcc-12',
    );
    expect(v).toEqual({ ok: true, message: 'icecream daemon node-b (10.231.0.2): aarch64-linux-gnu-gcc-12 makes arm64 objects' });
  });
  it('a wrong bundle: an x86-64 object', () => {
    const v = judgeIcecreamProbe(
      { daemon: nodeB, code: 0, log: remoteLog, found: 'ELF 64-bit little-endian machine 62', archs: ['amd64'], matches: false },
      'arm64',
      'aarch64-linux-gnu-gcc-12',
    );
    expect(v.ok).toBe(false);
    expect(v.message).toBe(
      'icecream daemon node-b (10.231.0.2) made an object that is ELF 64-bit little-endian machine 62 (for amd64), not arm64: the bundle it ran has no cross compiler for arm64 as aarch64-linux-gnu-gcc-12',
    );
  });
  it('a remote failure redone here is not a good daemon, even with a right object', () => {
    const fell = clientLog.slice(clientLog.indexOf('ICECC[22524]'));
    const v = judgeIcecreamProbe(
      { daemon: nodeB, code: 0, log: fell, found: 'ELF', archs: ['arm64'], matches: true },
      'arm64',
      'aarch64-linux-gnu-gcc-12',
    );
    expect(v).toMatchObject({
      ok: false,
      message: expect.stringMatching(/node-b \(10\.231\.0\.2\) did not take the probe: its compile failed and icecc redid it here/),
    });
  });
  it('kept here by the scheduler', () => {
    const here = clientLog.slice(clientLog.indexOf('ICECC[22455]'), clientLog.indexOf('ICECC[22465]'));
    const v = judgeIcecreamProbe({ daemon: nodeB, code: 0, log: here, found: 'ELF', archs: ['arm64'], matches: true }, 'arm64', 'cc');
    expect(v.message).toMatch(/did not take the probe: it ran here/);
  });
  it('no answer: says why, from the client log and stderr', () => {
    const v = judgeIcecreamProbe({ daemon: nodeB, code: 124, log: '', stderr: 'no answer within 90 s' }, 'arm64', 'cc');
    expect(v).toEqual({
      ok: false,
      message: 'icecream daemon node-b (10.231.0.2) did not compile the probe with cc: no answer within 90 s',
    });
  });
});

describe('icecream build environment', () => {
  it('names the bundle for the machine platform, the full cross compilers and the client log', () => {
    expect(icecreamEnv({ platform: 'x86_64', bundle: '/tmp/b.tar.gz', triplet: 'aarch64-linux-gnu', major: '12', log: '/tmp/l' })).toEqual({
      ICECC_VERSION: 'x86_64:/tmp/b.tar.gz',
      ICECC_DEBUG: 'debug',
      ICECC_LOGFILE: '/tmp/l',
      CC: 'aarch64-linux-gnu-gcc-12',
      CXX: 'aarch64-linux-gnu-g++-12',
    });
  });
  it('wraps only the full cross names in a cross chroot', () => {
    const links = icecreamLinks({ triplet: 'aarch64-linux-gnu', major: '12', plainNames: false });
    expect(links.map((l) => [l.name, l.kind])).toEqual([
      ['aarch64-linux-gnu-gcc-12', 'masquerade'],
      ['aarch64-linux-gnu-g++-12', 'masquerade'],
      ['aarch64-linux-gnu-gcc', 'script'],
      ['aarch64-linux-gnu-g++', 'script'],
    ]);
    expect(links[2]!.text).toMatch(/sent to icecream\.\nexec aarch64-linux-gnu-gcc-12 "\$@"/);
  });
});
