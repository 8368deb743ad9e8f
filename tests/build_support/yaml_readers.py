#!/usr/bin/env python3
"""Reads YAML as sinfra's consumers do, for the test suite (tests/tests/yaml_readers.rs).

    yaml_readers.py DIR

For every NAME.yaml in DIR, reads its documents with

- PyYAML's SafeLoader: YAML 1.1, the reading of Kubernetes' go-yaml v2 lineage;
- ruamel.yaml's safe loader at YAML 1.2 (`typ='safe'`, version (1, 2), the pure-Python
  loader: the C one resolves as YAML 1.1),

and checks that each reads exactly the documents in NAME.json: the same types (the string
"no" must not come back as false, "1:20" as 80, "2001-12-14" as a date), the same keys in
the same order, the same numbers (NaN, Infinity and -Infinity may appear in the JSON).

Exit codes: 0 every file reads as written, 1 problems (one line each on stdout), 2 usage
error, 3 a Python package is missing (the message says how to install it).
"""

import json
import math
import os
import sys

PIP = "python3 -m pip install pyyaml ruamel.yaml"

try:
    import yaml
    from ruamel.yaml import YAML
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"yaml_readers.py: missing Python package ({e}); install them with:\n    {PIP}", file=sys.stderr)
    sys.exit(3)


def dotted(path):
    return ".".join(str(p) for p in path) or "(document)"


def same(got, want, path, out):
    """Type-strict deep equality (`True == 1` and `1 == 1.0` do not count), NaN equal to NaN."""
    if type(got) is not type(want):
        out.append(f"{dotted(path)}: got {got!r} ({type(got).__name__}), want {want!r} ({type(want).__name__})")
    elif isinstance(want, dict):
        if list(got) != list(want):
            out.append(f"{dotted(path)}: keys {list(got)!r}, want {list(want)!r}")
        for k in want:
            if k in got:
                same(got[k], want[k], path + [k], out)
    elif isinstance(want, list):
        if len(got) != len(want):
            out.append(f"{dotted(path)}: {len(got)} items, want {len(want)}")
        for i, (g, w) in enumerate(zip(got, want)):
            same(g, w, path + [i], out)
    elif isinstance(want, float) and math.isnan(want):
        if not math.isnan(got):
            out.append(f"{dotted(path)}: got {got!r}, want nan")
    elif got != want:
        out.append(f"{dotted(path)}: got {got!r}, want {want!r}")


def yaml_12():
    reader = YAML(typ="safe", pure=True)
    reader.version = (1, 2)
    return reader


READERS = (
    ("PyYAML (YAML 1.1)", lambda text: list(yaml.load_all(text, Loader=yaml.SafeLoader))),
    ("ruamel.yaml (YAML 1.2)", lambda text: list(yaml_12().load_all(text))),
)


def check(yaml_path, json_path):
    with open(json_path, encoding="utf-8") as f:
        want = json.load(f)
    with open(yaml_path, encoding="utf-8") as f:
        text = f.read()
    problems = []
    for name, read in READERS:
        try:
            got = read(text)
        except Exception as e:  # any reader error is a problem of the text
            problems.append(f"{yaml_path}: {name}: cannot read: {type(e).__name__}: {e}")
            continue
        out = []
        same(got, want, [], out)
        problems.extend(f"{yaml_path}: {name}: {p}" for p in out)
    return problems


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        print(__doc__, file=sys.stderr)
        return 2
    directory = sys.argv[1]
    names = sorted(n[: -len(".yaml")] for n in os.listdir(directory) if n.endswith(".yaml"))
    if not names:
        print(f"yaml_readers.py: no *.yaml file in {directory}", file=sys.stderr)
        return 2
    problems = []
    for name in names:
        problems.extend(check(os.path.join(directory, name + ".yaml"), os.path.join(directory, name + ".json")))
    for p in problems:
        print(p)
    print(f"read {len(names)} files with {len(READERS)} readers: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
