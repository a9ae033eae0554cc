// xdeb-sequence --report DIR (docs/report.md).
import type { OptionSpec } from '../ui/spec.js';

export const REPORT: OptionSpec = {
  flags: '--report <dir>',
  description:
    "write a cross-buildability report into DIR (index.html, report.json, logs/): each source's verdict with its reason, its build result and logs",
  complete: 'dir',
};
