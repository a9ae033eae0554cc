import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/lib/errors.js';
import {
  buildsBinaries,
  changesFileName,
  formatLogHead,
  formatLogTail,
  logFileName,
  mergeBuildOptions,
  planBuild,
} from '../../src/lib/runbuild-plan.js';

describe('planBuild', () => {
  it('a cross build: arch-only, cross,nocheck, nocheck in DEB_BUILD_OPTIONS', () => {
    const p = planBuild({ buildArch: 'amd64', hostArch: 'arm64' });
    expect(p.cross).toBe(true);
    expect(p.profiles).toEqual(['cross', 'nocheck']);
    expect(p.buildType).toBe('any');
    expect(p.args).toEqual(['--build=any', '--no-sign', '--host-arch=arm64', '--build-profiles=cross,nocheck']);
    expect(p.checkArgs).toEqual(['-a', 'arm64', '-P', 'cross,nocheck', '-B']);
    expect(p.env).toEqual({ DEB_BUILD_OPTIONS: 'nocheck' });
  });

  it('a native build: no profiles, every binary package', () => {
    const p = planBuild({ buildArch: 'amd64', hostArch: 'amd64' });
    expect(p.cross).toBe(false);
    expect(p.profiles).toEqual([]);
    expect(p.args).toEqual(['--build=binary', '--no-sign']);
    expect(p.checkArgs).toEqual([]);
    expect(p.env).toEqual({});
  });

  it('explicit profiles, type, root command and no build-dep check', () => {
    const p = planBuild({
      buildArch: 'amd64',
      hostArch: 'arm64',
      profiles: ['cross', 'stage1', 'nodoc'],
      buildType: 'all',
      rootCommand: 'sudo',
      noCheckBuilddeps: true,
      buildOptions: 'parallel=4 nodoc',
    });
    expect(p.args).toEqual([
      '--build=all',
      '--no-sign',
      '--host-arch=arm64',
      '--build-profiles=cross,stage1,nodoc',
      '--root-command=sudo',
      '--no-check-builddeps',
    ]);
    expect(p.checkArgs).toEqual(['-a', 'arm64', '-P', 'cross,stage1,nodoc', '-A']);
    // nodoc is already there, nocheck is not a profile here: nothing added.
    expect(p.env).toEqual({ DEB_BUILD_OPTIONS: 'parallel=4 nodoc' });
  });

  it('an empty profile list is honoured for a cross build', () => {
    const p = planBuild({ buildArch: 'amd64', hostArch: 'arm64', profiles: [] });
    expect(p.profiles).toEqual([]);
    expect(p.args).not.toContain('--build-profiles=');
    expect(p.env).toEqual({});
  });

  it.each([
    ['binary', []],
    ['full', []],
    ['any,all', []],
    ['source', []],
    ['source,any', ['-B']],
  ])('--build=%s checks with %j', (type, flags) => {
    expect(planBuild({ buildArch: 'amd64', hostArch: 'amd64', buildType: type }).checkArgs).toEqual(flags);
  });

  it('refuses an unknown build type', () => {
    expect(() => planBuild({ buildArch: 'amd64', hostArch: 'arm64', buildType: 'everything' })).toThrow(InputError);
  });
});

describe('names', () => {
  it.each([
    ['hello', '2.10-3', 'any', 'arm64', 'hello_2.10-3_arm64.changes'],
    ['hello', '1:2.10-3', 'binary', 'arm64', 'hello_2.10-3_arm64.changes'],
    ['hello', '2.10-3', 'all', 'arm64', 'hello_2.10-3_all.changes'],
    ['hello', '2.10-3', 'source', 'arm64', 'hello_2.10-3_source.changes'],
    ['hello', '2.10-3', 'source,any', 'arm64', 'hello_2.10-3_arm64.changes'],
    ['hello', '2.10-3', 'full', 'amd64', 'hello_2.10-3_amd64.changes'],
  ])('%s %s --build=%s -a %s → %s', (s, v, t, a, want) => {
    expect(changesFileName(s, v, t, a)).toBe(want);
  });
  it('log names', () => {
    expect(logFileName('hello', '1:2.10-3', 'arm64')).toBe('hello_2.10-3_arm64.build');
  });
  it('binaries', () => {
    expect(buildsBinaries('source')).toBe(false);
    expect(buildsBinaries('source,any')).toBe(true);
  });
  it('DEB_BUILD_OPTIONS merging', () => {
    expect(mergeBuildOptions(undefined, ['nocheck'])).toBe('nocheck');
    expect(mergeBuildOptions('parallel=2', ['nocheck', 'nodoc'])).toBe('parallel=2 nocheck nodoc');
    expect(mergeBuildOptions(' nocheck  parallel=2 ', ['nocheck'])).toBe('nocheck parallel=2');
    expect(mergeBuildOptions('', [])).toBe('');
  });
});

describe('the log', () => {
  it('names the architectures and profiles at its head, like sbuild', () => {
    const head = formatLogHead({
      program: 'xdeb-runbuild',
      source: 'hello',
      version: '2.10-3',
      buildArch: 'amd64',
      hostArch: 'arm64',
      profiles: ['cross', 'nocheck'],
      buildType: 'any',
      buildOptions: 'nocheck',
      command: ['dpkg-buildpackage', '--build=any'],
      directory: '/tmp/hello',
      time: new Date('2024-01-02T03:04:05Z'),
    });
    const lines = head.split('\n');
    expect(lines[1]).toHaveLength(80);
    expect(lines[1]).toMatch(/^\| hello 2\.10-3 \(arm64\) +Tue, 02 Jan 2024 03:04:05 GMT \|$/);
    expect(head).toContain('\nBuild Architecture: amd64\nHost Architecture: arm64\n');
    expect(head).toContain('\nBuild Profiles: cross nocheck\n');
    expect(head).toContain('\nDEB_BUILD_OPTIONS: nocheck\n');
    expect(head).toContain('\nCommand: dpkg-buildpackage --build=any\n');
  });
  it('ends with the status', () => {
    expect(formatLogTail('failed', 12.4, new Date('2024-01-02T03:04:05Z'), 'dpkg-buildpackage exit status 2')).toBe(
      '\nFinished: 2024-01-02T03:04:05.000Z\nBuild-Time: 12\nFail-Reason: dpkg-buildpackage exit status 2\nStatus: failed\n',
    );
  });
});
