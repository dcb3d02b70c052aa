#!/usr/bin/python3
"""Generate testdata/rpm/generated-rpm.txt: EVR pairs ordered by the real rpm library.

Needs: Debian's rpm Python bindings and the system Python that has them:
  apt-get install -y python3-rpm      # rpm 4.18 on Debian 12
  (a pyenv/venv `python3` does not see them: run /usr/bin/python3 explicitly)
and the real EVRs in /work/shared/data (or pass another data root as the first argument):
  advisories/osv/AlmaLinux/all.zip      fixed/introduced EVRs of AlmaLinux 8/9/10 advisories
  advisories/osv/samples/**.json        SUSE / openSUSE OSV records (osv.dev test data)
plus the tricky synthetic EVRs listed below (`~`, `^`, mixed alpha/numeric, leading zeros).

Run from the repository root:
  /usr/bin/python3 packages/versioning/scripts/generate-rpm.py [/work/shared/data]

Writes packages/versioning/testdata/rpm/generated-rpm.txt: `a < b` and `a = b` lines, each
answered by `rpm.labelCompare((e, v, r), (e, v, r))`. An EVR is split as rpm's parseEVR()
splits it: a leading run of digits followed by `:` is the epoch (absent = None, which rpm
reads as 0), the text after the last `-` is the release (absent = None). rpm itself rejects
no string; we skip the ones our scheme documents as malformed (empty version or release,
whitespace, a `:` not after a numeric epoch). Pairs are adjacent EVRs of one package in
rpm's order plus random pairs across packages, with a fixed seed.
"""

import functools
import glob
import json
import os
import random
import re
import sys
import zipfile

import rpm

DATA = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "rpm", "generated-rpm.txt")
SEED = 20240601
ADJACENT_PAIRS = 2600
RANDOM_PAIRS = 1400
ECOSYSTEMS = ("AlmaLinux", "Rocky Linux", "Red Hat", "SUSE", "openSUSE", "Mageia", "Photon OS",
              "openEuler", "Azure Linux")

SYNTHETIC = """
0 1 1.0 1.0-1 1.0-0 1.0-1.el8 1.0-1.el8_7 1.0-1.el8_7.1 1.0-1.el8.alma 1.0-1.el8.alma.1 1.0-1.fc38
0:1.0-1 1:1.0-1 2:0.1-1 00:1.0-1 01:1.0-1 10:1.0-1 1.0~rc1-1 1.0~rc2-1 1.0~-1 1.0~~-1 1.0~~a-1
1.0^-1 1.0^1-1 1.0^git1-1 1.0^~-1 1.0~^-1 1.0.1-1 1.0a-1 1.0.a-1 1.0b-1 1a-1 1.a-1 a-1 a1-1 1.0+a-1
1.0_1-1 1.0..1-1 1.0.-1 1.001-1 1.01-1 1.1-1 1.10-1 1.9-1 1.00010-1 1.0010-1 2.0-1 2.0-01 2.0-1.0
2.0-1.a 2.0-1a 2.0-a 2.0-~1 2.0-^1 2.0-1~ 2.0-1^ 5.4.0-147.fc38 5.4.0-147.el9_2 150400.3.5.1-1
1.2.3-150400.3.5.1 1.2.3-150500.1.1 12345678901234567890-1 12345678901234567891-1 1.0%{x}-1 1.0+git20230101-1
""".split()


def split_evr(evr):
    m = re.match(r"^(\d+):", evr)
    epoch, rest = (m.group(1), evr[m.end():]) if m else (None, evr)
    hyphen = rest.rfind("-")
    return (epoch, rest, None) if hyphen == -1 else (epoch, rest[:hyphen], rest[hyphen + 1:])


def well_formed(evr):
    if not evr or any(ord(c) <= 32 or ord(c) >= 127 for c in evr):
        return False
    epoch, version, release = split_evr(evr)
    return ":" not in version and (release is None or (":" not in release and release != "")) and version != ""


def cmp(a, b):
    return rpm.labelCompare(split_evr(a), split_evr(b))


def collect():
    by_package = {}

    def add_osv(record):
        for affected in record.get("affected", []):
            eco = affected.get("package", {}).get("ecosystem", "")
            if eco.split(":")[0] not in ECOSYSTEMS:
                continue
            name = affected["package"].get("name", "")
            for r in affected.get("ranges", []):
                for event in r.get("events", []):
                    for key in ("introduced", "fixed", "last_affected"):
                        v = event.get(key)
                        if v and v != "0":
                            by_package.setdefault(name, set()).add(v)
            for v in affected.get("versions", []):
                by_package.setdefault(name, set()).add(v)

    with zipfile.ZipFile(os.path.join(DATA, "advisories", "osv", "AlmaLinux", "all.zip")) as z:
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
    return {p: sorted(v for v in vs if well_formed(v)) for p, vs in by_package.items()}


def main():
    rng = random.Random(SEED)
    by_package = collect()
    packages = sorted(p for p in by_package if len(by_package[p]) > 1 and p != "(synthetic)")
    rng.shuffle(packages)
    lines, seen = [], set()

    def add_pair(a, b):
        c = cmp(a, b)
        if c > 0:
            a, b = b, a
        if a != b and (a, b) not in seen:
            seen.add((a, b))
            lines.append(f"{a} {'=' if c == 0 else '<'} {b}")

    for pkg in ["(synthetic)"] + packages:
        if len(lines) >= ADJACENT_PAIRS:
            break
        versions = sorted(by_package[pkg], key=functools.cmp_to_key(cmp))
        for a, b in zip(versions, versions[1:]):
            add_pair(a, b)
    everything = sorted({v for vs in by_package.values() for v in vs})
    while len(lines) < ADJACENT_PAIRS + RANDOM_PAIRS:
        a, b = rng.choice(everything), rng.choice(everything)
        if a != b:
            add_pair(a, b)

    with open(OUT, "w", encoding="utf-8") as f:
        f.write("# Generated by packages/versioning/scripts/generate-rpm.py; do not edit by hand.\n")
        f.write(f"# Oracle: rpm.labelCompare from python3-rpm (rpm {rpm.__version__}).\n")
        f.write("# EVRs: AlmaLinux OSV database, osv.dev SUSE samples (see /work/shared/data/README.md)\n")
        f.write("# and synthetic edge cases.\n")
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines)} pairs to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
