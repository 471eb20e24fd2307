#!/usr/bin/env python3
"""The include graph's gate: every #include "dir/file.h" of the project's own
code must point to the same layer or one the table below lets it use.

A layer is a top-level folder, or, inside scenarios/, its subfolder (the
files at scenarios/'s root are the runner). The table is DESIGN.md's graph;
it is a DAG, so a passing tree has no upward include and no cycle. Prints
each offending include as FILE:LINE and exits 1; prints the layer graph
actually used with --graph.
"""
import pathlib
import re
import subprocess
import sys

# layer -> the layers it may include (besides itself). Lower layers first.
ALLOWED = {
    "base": set(),
    "fs": {"base"},
    "sim": {"fs", "base"},
    "faults": {"fs", "base"},
    "wal": {"fs", "base"},
    "logstore": {"fs", "base"},
    "engines": {"fs", "base"},
    "scenarios/script": {"base"},
    "scenarios/model": {"wal", "logstore", "fs", "base"},
    "scenarios/world": {"scenarios/model", "sim", "faults", "wal", "logstore", "fs", "base"},
    "scenarios/commands": {"scenarios/world", "scenarios/script", "scenarios/model",
                           "sim", "faults", "wal", "logstore", "fs", "base"},
    "scenarios/runner": {"scenarios/commands", "scenarios/world", "scenarios/script",
                         "scenarios/model", "sim", "faults", "wal", "logstore", "fs", "base"},
    "scenarios/search": {"scenarios/runner", "scenarios/script", "scenarios/model", "sim",
                         "faults", "wal", "logstore", "fs", "base"},
    # The target registry sits on top: a scripted target runs the workload
    # generator and the runner (search/), a loop target an engine (engines/).
    "scenarios/targets": {"scenarios/search", "scenarios/runner", "scenarios/commands",
                          "scenarios/world", "scenarios/script", "scenarios/model", "engines",
                          "sim", "faults", "wal", "logstore", "fs", "base"},
}
# Above the libraries: the tool, benchmarks and tests may include any layer.
TOP = {"tools", "bench", "tests"}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(path: str):
    parts = pathlib.PurePosixPath(path).parts
    if not parts:
        return None
    if parts[0] == "scenarios":
        if len(parts) == 2:
            return "scenarios/runner"
        return "scenarios/" + parts[1]
    return parts[0]


def main() -> int:
    files = subprocess.run(["git", "ls-files", "*.h", "*.cc"], capture_output=True, text=True,
                           check=True).stdout.split()
    bad = []
    used = {}
    for path in files:
        src = layer_of(path)
        if src in TOP or src not in ALLOWED:
            if src not in TOP:
                bad.append(f"{path}: folder {src} is not a layer of ci/layers.py")
            continue
        for number, line in enumerate(open(path, encoding="utf-8"), 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            dst = layer_of(match.group(1))
            if dst is None or dst not in ALLOWED and dst not in TOP:
                continue  # not one of ours (a system or third-party header)
            used.setdefault(src, set()).add(dst)
            if dst != src and dst not in ALLOWED[src]:
                bad.append(f"{path}:{number}: {src} may not include {match.group(1)} ({dst})")
    if "--graph" in sys.argv:
        for src in ALLOWED:
            print(f"{src} -> {', '.join(sorted(used.get(src, set()) - {src})) or '-'}")
    for line in bad:
        print(line)
    if bad:
        print(f"layers: {len(bad)} include(s) break the layer graph", file=sys.stderr)
        return 1
    print(f"layers: {len(files)} files, every include points down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
