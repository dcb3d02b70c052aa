#!/usr/bin/env python3
"""Generate testdata/debian/generated-dpkg.txt: version pairs ordered by the real dpkg.

Needs: `dpkg` on PATH (any Debian/Ubuntu host), Python 3.8+ (standard library only) and the
real version strings in /work/shared/data (or pass another data root as the first argument):
  inventories/debian-bookworm-host/*            installed / candidate versions of a Debian 12 host
  advisories/osv/Debian-derived-2023/all.zip    fixed versions from the Debian DSA/DLA lists
  advisories/osv/samples/**.json                Ubuntu and Debian OSV records (osv.dev test data)
plus the tricky synthetic versions listed below.

Run from the repository root:
  python3 packages/versioning/scripts/generate-dpkg.py [/work/shared/data]

Writes packages/versioning/testdata/debian/generated-dpkg.txt: `a < b` and `a = b` lines,
each answered by `dpkg --compare-versions`. Pairs are versions adjacent in dpkg's order
within one package (the comparisons that matter for matching) plus random pairs across
packages, with a fixed seed so the output is reproducible. Versions dpkg rejects as errors
are dropped; versions dpkg only warns about are kept (dpkg still compares them).
"""

import functools
import glob
import json
import os
import random
import re
import subprocess
import sys
import zipfile

DATA = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "debian", "generated-dpkg.txt")
SEED = 20240601
ADJACENT_PAIRS = 2600
RANDOM_PAIRS = 1400

# Hand-picked edge cases: tilde, epochs, empty-vs-zero revision, letters vs punctuation,
# leading zeros, colons and hyphens inside the upstream version, and versions dpkg only
# warns about (upstream not starting with a digit, unusual characters).
SYNTHETIC = """
0 0:0 00:0 0-0 0-00 1 1.0 1.0-0 1.0-1 1.00 1.0.0 1.0. 1.0+ 1.0~ 1.0~~ 1.0~~a 1.0~a 1.0~rc1
1.0~rc1-1 1.0~rc2 1.0~beta1 1.0a 1.0A 1.0+a 1.0.a 1.0-a 1.0-1~ 1.0-1~bpo1 1.0-1+b1 1.0-1.1
1.0-1ubuntu1 1.0-1ubuntu0.1 1.0-1+deb12u1 1.0-1+deb11u3 1.0-1~deb11u1 1:0.9 1:1.0 2:0.1
10:1 1:1.0-1 1.0+dfsg-1 1.0+dfsg1-1 1.0+ds-1 1.0+really0.9-1 1.0:1-1 1.0:2-1 1:1.0:1
1.0-1-1 1.0-2-1 1.0-1-2 001.002 1.2 1.10 1.9 1.09 1.010 2.0 2.0~~ 2.0~ 2.0-0~ a a1.0 a1.0-1
A1.0 +1:1.0 1.0_1 1.0@1 1.0/1 1.0=1 9999999999999999999999 99999999999999999999999
1.0~rc1+dfsg-1 7.6.q-31 2.30-4ubuntu0.1 3.0.11-1~deb12u2 1.2.3~git20230101.abcdef-1
""".split()


def dpkg(a, op, b):
    return subprocess.run(["dpkg", "--compare-versions", a, op, b],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode


@functools.lru_cache(maxsize=None)
def dpkg_valid(v):
    # Exit 2 means a hard syntax error; 0/1 (with or without a warning) means comparable.
    return not v.startswith("-") and dpkg(v, "eq", v) == 0


@functools.lru_cache(maxsize=None)
def dpkg_cmp(a, b):
    if dpkg(a, "lt", b) == 0:
        return -1
    if dpkg(a, "gt", b) == 0:
        return 1
    return 0


def collect():
    by_package = {}

    def add(pkg, version):
        if version and not any(c.isspace() for c in version):
            by_package.setdefault(pkg, set()).add(version)

    inv = os.path.join(DATA, "inventories", "debian-bookworm-host")
    with open(os.path.join(inv, "dpkg-query-W.tsv"), encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 5:
                add(cols[3] or cols[0], cols[1])
                add(cols[3] or cols[0], cols[4])
    with open(os.path.join(inv, "apt-list-upgradable.txt"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^([^/\s]+)/\S+ (\S+) \S+ \[upgradable from: (\S+)\]", line)
            if m:
                add(m.group(1), m.group(2))
                add(m.group(1), m.group(3))
    with open(os.path.join(inv, "apt-cache-madison-installed.txt"), encoding="utf-8") as f:
        for line in f:
            cols = [c.strip() for c in line.split("|")]
            if len(cols) >= 2:
                add(cols[0], cols[1])

    def add_osv(record):
        for affected in record.get("affected", []):
            eco = affected.get("package", {}).get("ecosystem", "")
            if not (eco.startswith("Debian") or eco.startswith("Ubuntu")):
                continue
            name = affected["package"].get("name", "")
            for r in affected.get("ranges", []):
                for event in r.get("events", []):
                    for key in ("introduced", "fixed", "last_affected"):
                        if key in event and event[key] != "0":
                            add(name, event[key])
            for v in affected.get("versions", []):
                add(name, v)

    with zipfile.ZipFile(os.path.join(DATA, "advisories", "osv", "Debian-derived-2023", "all.zip")) as z:
        for name in z.namelist():
            if name.endswith(".json"):
                add_osv(json.loads(z.read(name)))
    for path in glob.glob(os.path.join(DATA, "advisories", "osv", "samples", "**", "*.json"), recursive=True):
        try:
            with open(path, encoding="utf-8") as f:
                add_osv(json.load(f))
        except (ValueError, AttributeError, TypeError):
            pass
    by_package["(synthetic)"] = set(SYNTHETIC)
    return by_package


def main():
    rng = random.Random(SEED)
    by_package = collect()
    packages = sorted(by_package)
    lines, seen = [], set()

    def add_pair(a, b):
        c = dpkg_cmp(a, b)
        if c > 0:
            a, b = b, a
        if a != b and (a, b) not in seen:
            seen.add((a, b))
            lines.append(f"{a} {'=' if c == 0 else '<'} {b}")

    # Adjacent versions within a package, packages in a seeded random order.
    order = [p for p in packages if len(by_package[p]) > 1]
    rng.shuffle(order)
    order.remove("(synthetic)")
    order.insert(0, "(synthetic)")
    for pkg in order:
        if len(lines) >= ADJACENT_PAIRS:
            break
        versions = sorted(v for v in by_package[pkg] if dpkg_valid(v))
        versions.sort(key=functools.cmp_to_key(dpkg_cmp))
        for a, b in zip(versions, versions[1:]):
            add_pair(a, b)
    # Random pairs across all packages.
    everything = sorted({v for p in packages for v in by_package[p]})
    while len(lines) < ADJACENT_PAIRS + RANDOM_PAIRS:
        a, b = rng.choice(everything), rng.choice(everything)
        if a != b and dpkg_valid(a) and dpkg_valid(b):
            add_pair(a, b)

    dpkg_version = subprocess.run(["dpkg", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("# Generated by packages/versioning/scripts/generate-dpkg.py; do not edit by hand.\n")
        f.write(f"# Oracle: `dpkg --compare-versions` ({dpkg_version.strip()}).\n")
        f.write("# Versions: Debian 12 host inventory, Debian DSA/DLA-derived OSV, osv.dev Ubuntu/Debian\n")
        f.write("# samples (see /work/shared/data/README.md) and synthetic edge cases.\n")
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines)} pairs to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
