#!/usr/bin/python3
"""Reference timings for bench/parse.mjs and bench/version-compare.mjs (run with /usr/bin/python3,
which has python3-apt and python3-debian).

  reference.py parse apt_pkg|deb822|deb822-apt FILE RUNS
      read every field of every paragraph, RUNS times; prints JSON
      {paragraphs, fields, valueChars, times (seconds), maxRssKiB}
  reference.py compare PAIRS_FILE COUNT RUNS
      COUNT apt_pkg.version_compare() calls over the TAB-separated pairs (header-less), repeated,
      RUNS times; prints JSON {count, times, signs ('<', '=', '>' for each pair), maxRssKiB}
"""
import json
import sys
import time


def parse_apt_pkg(path):
    import apt_pkg
    apt_pkg.init_system()
    paragraphs = fields = chars = 0
    with open(path, 'rb') as f:
        for section in apt_pkg.TagFile(f):
            paragraphs += 1
            for key in section.keys():
                chars += len(section[key])
                fields += 1
    return paragraphs, fields, chars


def parse_deb822(path, use_apt_pkg):
    from debian.deb822 import Deb822
    paragraphs = fields = chars = 0
    with open(path, 'rb') as f:
        for para in Deb822.iter_paragraphs(f, use_apt_pkg=use_apt_pkg):
            paragraphs += 1
            for key in para.keys():
                chars += len(para[key])
                fields += 1
    return paragraphs, fields, chars


def max_rss_kib():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main():
    mode = sys.argv[1]
    if mode == 'parse':
        tool, path, runs = sys.argv[2], sys.argv[3], int(sys.argv[4])
        fn = {
            'apt_pkg': parse_apt_pkg,
            'deb822': lambda p: parse_deb822(p, False),
            'deb822-apt': lambda p: parse_deb822(p, True),
        }[tool]
        times = []
        result = None
        for _ in range(runs):
            t0 = time.perf_counter()
            result = fn(path)
            times.append(time.perf_counter() - t0)
        paragraphs, fields, chars = result
        print(json.dumps({'paragraphs': paragraphs, 'fields': fields, 'valueChars': chars, 'times': times, 'maxRssKiB': max_rss_kib()}))
    elif mode == 'compare':
        import apt_pkg
        apt_pkg.init_system()
        path, count, runs = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        with open(path, encoding='utf-8') as f:
            pairs = [tuple(line.rstrip('\n').split('\t')[:2]) for line in f if line.strip()]
        work = (pairs * (count // len(pairs) + 1))[:count]
        cmp = apt_pkg.version_compare
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            for a, b in work:
                cmp(a, b)
            times.append(time.perf_counter() - t0)
        # The verdict on each distinct pair, to check that both sides answer the same.
        signs = ''.join('<=>'[(r > 0) - (r < 0) + 1] for r in (cmp(a, b) for a, b in pairs))
        print(json.dumps({'count': count, 'times': times, 'signs': signs, 'maxRssKiB': max_rss_kib()}))
    else:
        sys.exit('usage: reference.py parse TOOL FILE RUNS | compare PAIRS COUNT RUNS')


if __name__ == '__main__':
    main()
