import { defineConfig } from 'vitest/config';

// Tests that install packages on this machine, or compare its dpkg state before and after, run
// one file at a time: two at once race for the same fixture packages. The rest run in parallel.
const HOST = [
  'test/commands/binnmu.test.ts',
  'test/commands/build.test.ts',
  'test/commands/chroot.test.ts',
  'test/commands/compare-builds.test.ts',
  'test/commands/distro-rootfs.test.ts',
  'test/commands/flavours.test.ts',
  'test/commands/report.test.ts',
  'test/commands/repositories.test.ts',
  'test/commands/runbuild.test.ts',
  'test/commands/satisfydepends.test.ts',
  'test/commands/sequence.test.ts',
  'test/commands/sequence-executors.test.ts',
  'test/commands/sequence-seed.test.ts',
  'test/commands/source-names.test.ts',
];

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 900_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'parallel', include: ['test/**/*.test.ts'], exclude: HOST } },
      { extends: true, test: { name: 'host', include: HOST, fileParallelism: false } },
    ],
  },
});
