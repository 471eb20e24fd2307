#!/usr/bin/env bash
# The bug zoo (docs/bug-zoo.md): measures how many of the planted durability
# bugs in tests/mutants/*.patch the harness kills.
#
#   ci/mutants.sh [--torture-only] [--seeds N] [--json FILE] [--smoke] [--shrink] [PATCH...]
#
# One scratch worktree (build/mutants/tree, detached at this checkout's HEAD:
# committed code only) with one build directory, so each mutant is an
# incremental build. First the unpatched tree: its walsim is kept as
# build/mutants/walsim-base, the scenario library must pass on it, and (unless
# --smoke) torture must pass on it with the same budget. Then for each patch:
# reset the tree, `git apply` it (falling back to `git apply -3`; a patch that
# still does not apply cleanly is STALE),
# build walsim, and run
#   (a) torture alone, each run with --stop-on-failure, each over seeds 0:N
#       (N = 2000, --seeds N): first the component the patch is in, default
#       faults then --illegal, then the other component the same way (a wal/
#       patch: wal, wal --illegal, logstore, logstore --illegal). A patch to
#       fs/ (PosixFs, which the simulated disk replaces) is tortured on the
#       real disk instead: `walsim soak --cycles N/10`, wal --fiu default,
#       logstore --fiu default, then each as power losses of its real syscall
#       trace (--power-loss, which sees a missing fsync), then both plain;
#   (b) unless --torture-only, the scenario library:
#       walsim run scenarios/scripts/*.scn scenarios/scripts/regressions/*.scn
#       and, for an fs/ patch, PosixFs's own tests (conformance, libfiu
#       conformance, errno and descriptor tests, the strace directory-sync test).
# A mutant is killed by the first torture run that fails (its first failing
# seed and flags) or, failing that, by the first failing script. seeds-to-kill
# counts every seed run up to and including the failing one; seconds-to-kill
# is the wall time of those runs (builds excluded). A regression script named
# after its mutant (scenarios/scripts/regressions/NN-name.scn) must pass on the
# unpatched build and fail on its mutant; the table says whether it does.
#
# --shrink: for a mutant killed by a torture seed that has no regression
# script yet, run the printed `walsim shrink` on the mutant build into
# scenarios/scripts/regressions/NN-name.scn, re-record its expected output on
# the unpatched build (`walsim run --rewrite`), and check it fails on the
# mutant (a script that does not is moved to build/mutants/unfit/).
#
# --smoke: three mutants that torture kills within a few seeds, --seeds 300,
# --torture-only, no baseline torture (under 5 minutes on 2 cores once the
# scratch build exists; the first run also builds the tree from scratch).
#
# Prints a table and `mutation score K/N (torture alone K'/N)`, and writes a
# JSON summary (default build/mutants/summary.json). Exit status: 0 when every
# mutant is killed, every patch applies and builds, and every regression
# script behaves; 1 otherwise; 2 on bad usage or when the unpatched tree fails.
# Environment: WALSIM_JOBS (build jobs, default 2), WALSIM_MUTANTS_TREE
# (scratch worktree, default build/mutants/tree).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seed_count=2000
torture_only=false
smoke=false
shrink=false
json=build/mutants/summary.json
patches=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --torture-only) torture_only=true; shift ;;
    --seeds) seed_count=$2; shift 2 ;;
    --json) json=$2; shift 2 ;;
    --smoke) smoke=true; shift ;;
    --shrink) shrink=true; shift ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;p}' "$0"; exit 0 ;;
    -*) echo "mutants: unknown flag $1" >&2; exit 2 ;;
    *) patches+=("$1"); shift ;;
  esac
done
if $smoke; then
  seed_count=300
  torture_only=true
  [[ ${#patches[@]} -eq 0 ]] && patches=(tests/mutants/01-wal-cut-no-dir-sync.patch
    tests/mutants/10-wal-crc-chain-restarts-in-new-segment.patch
    tests/mutants/21-log-ack-before-sync.patch)
fi
[[ ${#patches[@]} -eq 0 ]] && patches=(tests/mutants/*.patch)
[[ $seed_count =~ ^[1-9][0-9]*$ ]] || { echo "mutants: --seeds takes a count" >&2; exit 2; }

jobs=${WALSIM_JOBS:-2}
tree=${WALSIM_MUTANTS_TREE:-$root/build/mutants/tree}
work=$root/build/mutants
mkdir -p "$work"
results=$work/results.tsv
: >"$results"
log=$work/mutants.log
: >"$log"

# --- the scratch worktree, at HEAD ------------------------------------------
head=$(git rev-parse HEAD)
if [[ ! -e $tree/.git ]]; then
  git worktree add --detach "$tree" "$head" >>"$log" 2>&1
fi
reset_tree() {
  git -C "$tree" checkout -q --detach "$head"
  git -C "$tree" reset -q --hard "$head"
  git -C "$tree" clean -fdq  # ignored files (its build/) stay: builds are incremental
}
posix_tests=(posix_conformance_test posix_fiu_conformance_test posix_fs_test)
build_tree() {
  local targets=(walsim)
  [[ ${1:-} == fs ]] && targets+=("${posix_tests[@]}")
  (cd "$tree" && cmake --preset default >/dev/null &&
    nice cmake --build --preset default -j "$jobs" --target "${targets[@]}") >>"$log" 2>&1
}
# The module a patch changes: fs, logstore or wal (the default).
patch_component() {
  local paths
  paths=$(sed -n 's|^+++ b/||p' "$1" | cut -d/ -f1 | sort -u | tr '\n' ' ')
  case $paths in
    "fs ") echo fs ;;
    "logstore ") echo logstore ;;
    *) echo wal ;;
  esac
}
walsim=$tree/build/default/tools/walsim
base=$work/walsim-base

now() { date +%s.%N; }

# Keeps script $2 as mutant $1's regression if, re-recorded on the unpatched
# build, it passes there without a violation and fails on the mutant.
keep_if_fit() {
  local name=$1 out=$2
  "$base" run --rewrite "$out" >>"$log" 2>&1 || true
  if grep -q '^[^#].*violated ' "$out"; then
    echo "mutants: $name: $out fails the same way on the unpatched build" >&2
  elif "$base" run "$out" >>"$log" 2>&1 && ! "$walsim" run "$out" >>"$log" 2>&1; then
    return 0
  else
    echo "mutants: $name: $out does not tell the mutant apart" >&2
  fi
  mkdir -p "$work/unfit"
  mv "$out" "$work/unfit/$(basename "$out").$3"
  return 1
}

# Shrinks the killing seed of mutant $1 with the printed command $2 (on the
# mutant build) into its regression script and keeps it if fit. The shrinker
# keeps the violated invariant, not the cause: it can slide to a failure that
# correct code shares (a release and purge past every snapshot). Then the
# whole generated workload (`walsim replay --no-run`) is the script instead.
shrink_script() {
  local name=$1 out=scenarios/scripts/regressions/$1.scn command replay=()
  read -ra command <<<"$2"
  command[-1]=$root/$out
  mkdir -p scenarios/scripts/regressions
  if nice "$walsim" "${command[@]}" >>"$log" 2>&1; then
    sed -i "1s|^# Regression found by \`walsim torture\`|# Regression for mutant tests/mutants/$name.patch, found by \`walsim torture\`|" "$out"
    sed -i '/^# The expected outputs are what the run printed/,/^# with `walsim run --rewrite/c\
# Its expected output was re-recorded on the unpatched build (ci/mutants.sh\
# --shrink): it passes on correct code and fails on the mutant.' "$out"
    keep_if_fit "$name" "$out" shrunk && return 0
  else
    echo "mutants: $name: shrink failed (see $log)" >&2
  fi
  # ${command[@]}: shrink --seed S <flags...> --out FILE
  replay=(replay "${command[@]:1:${#command[@]}-3}" --no-run)
  {
    echo "# Regression for mutant tests/mutants/$name.patch: the whole workload of"
    echo "# \`walsim ${replay[*]}\` (unshrunk: the shrunk"
    echo "# script did not tell the mutant apart). Its expected output was recorded on"
    echo "# the unpatched build (ci/mutants.sh --shrink): it passes on correct code and"
    echo "# fails on the mutant."
    echo
    "$walsim" "${replay[@]}"
  } >"$out" 2>>"$log" || { echo "mutants: $name: replay failed" >&2; return 1; }
  keep_if_fit "$name" "$out" unshrunk
}
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

library=(scenarios/scripts/*.scn)
regressions=()
for script in scenarios/scripts/regressions/*.scn; do
  [[ -e $script ]] && regressions+=("$script")
done

# Runs the scenario library with binary $1; prints the first script whose
# diff shows a violated invariant, as "<script> violation", else the first
# failing script, as "<script> output" (its output differs, but no invariant
# is violated: a weak kill), else nothing. The scripts are this checkout's.
first_failing_script() {
  local out
  out=$("$1" run "${library[@]}" "${regressions[@]}" 2>&1) || true
  echo "$out" >>"$log"
  echo "$out" | awk '
    /^(FAIL|ERROR) / { f = $2; sub(/:[0-9]*:$/, "", f); if (first == "") first = f }
    /^\+.*violated / { if (v == "") v = f }
    END { if (v != "") print v " violation"; else if (first != "") print first " output" }'
}

# Torture runs in order; sets kill_* and spent_*. $1: the binary; $2: the
# component to run first (wal or logstore).
run_torture() {
  local bin=$1 first=$2 flags out status seed other=logstore
  [[ $first == logstore ]] && other=wal
  local runs=("--component $first" "--component $first --illegal" "--component $other"
    "--component $other --illegal")
  kill_by="" kill_seed="" kill_flags="" kill_verdict="" kill_shrink=""
  spent_seeds=0
  local start
  start=$(now)
  for flags in "${runs[@]}"; do
    # shellcheck disable=SC2086
    out=$(nice "$bin" torture --seeds "0:$seed_count" $flags --stop-on-failure 2>>"$log") &&
      status=0 || status=$?
    echo "== torture $flags: exit $status" >>"$log"
    echo "$out" | tail -4 >>"$log"
    if [[ $status -eq 0 ]]; then
      spent_seeds=$((spent_seeds + seed_count))
      continue
    fi
    # sed quits at its first match: `| head -1` under pipefail could kill a
    # writer still going with SIGPIPE (exit 141) and end the whole script.
    seed=$(sed -n '/^FAIL seed=/{s/^FAIL seed=\([0-9]*\) .*/\1/p;q}' <<<"$out")
    kill_flags=$flags
    if [[ -n $seed ]]; then
      kill_by=torture
      kill_seed=$seed
      kill_verdict=$(grep -m1 '^FAIL seed=' <<<"$out" | cut -c1-200)
      kill_shrink=$(sed -n '/^  shrink: walsim /{s/^  shrink: walsim //p;q}' <<<"$out")
      spent_seeds=$((spent_seeds + seed + 1))
    else
      # An abort (a production assertion) ends the process before any FAIL
      # line: the seed is unknown, so the whole run is counted.
      kill_by=torture-abort
      kill_verdict="walsim torture exited with status $status and no FAIL line"
      spent_seeds=$((spent_seeds + seed_count))
    fi
    break
  done
  spent_seconds=$(elapsed "$start" "$(now)")
}

# The real-disk torture of an fs/ patch: kill -9 soak cycles with libfiu
# failing syscalls, power-loss cycles of the real syscall trace, plain kills. Sets kill_* and spent_* (seeds: cycles run).
soak_cycles=$(((seed_count + 9) / 10))
run_soak() {
  local bin=$1 flags status dir cycles
  kill_by="" kill_seed="" kill_flags="" kill_verdict="" kill_shrink=""
  spent_seeds=0
  local start
  start=$(now)
  for flags in "--target wal --fiu default" "--target logstore --fiu default" \
    "--target wal --power-loss" "--target logstore --power-loss" "--target wal" \
    "--target logstore"; do
    dir=$work/soak
    rm -rf "$dir" "$dir.json"
    # shellcheck disable=SC2086
    nice "$bin" soak $flags --dir "$dir" --cycles "$soak_cycles" --seed 1 --json "$dir.json" \
      >>"$log" 2>&1 && status=0 || status=$?
    echo "== soak $flags: exit $status" >>"$log"
    cycles=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cycles"])' \
      "$dir.json" 2>/dev/null || echo "$soak_cycles")
    spent_seeds=$((spent_seeds + cycles))
    [[ $status -eq 0 ]] && continue
    kill_by=soak
    kill_flags="soak $flags --seed 1"
    kill_verdict=$(python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["violations"]; d=v[0] if v else ""; d=d.get("detail", d) if isinstance(d, dict) else d; print(str(d)[:200])' \
      "$dir.json" 2>/dev/null || true)
    [[ -n $kill_verdict ]] || kill_verdict="walsim soak exited with status $status"
    break
  done
  rm -rf "$work/soak"
  spent_seconds=$(elapsed "$start" "$(now)")
}

# PosixFs's own tests on the mutant tree: prints the first failing one.
first_failing_posix_test() {
  local test
  for test in "${posix_tests[@]}"; do
    if ! "$tree/build/default/tests/fs/$test" >>"$log" 2>&1; then
      echo "$test"
      return
    fi
  done
  if command -v strace >/dev/null &&
    ! bash "$tree/tests/fs/dir_sync_strace_test.sh" "$walsim" >>"$log" 2>&1; then
    echo dir_sync_strace_test
  fi
}

# --- the unpatched tree -----------------------------------------------------
echo "mutants: building the unpatched tree at ${head:0:12} in $tree" >&2
reset_tree
build_tree || { echo "mutants: the unpatched tree does not build (see $log)" >&2; exit 2; }
cp "$walsim" "$base"
failing=$(first_failing_script "$base")
if [[ -n $failing ]]; then
  echo "mutants: the scenario library fails on the unpatched tree ($failing); see $log" >&2
  exit 2
fi
if ! $smoke; then
  run_torture "$base" wal
  if [[ -n $kill_by ]]; then
    echo "mutants: torture fails on the unpatched tree: $kill_verdict ($kill_flags)" >&2
    exit 2
  fi
  echo "mutants: unpatched tree passes torture (4 x $seed_count seeds, ${spent_seconds} s)" >&2
fi

# --- the mutants ------------------------------------------------------------
for patch in "${patches[@]}"; do
  name=$(basename "$patch" .patch)
  echo "mutants: $name" >&2
  reset_tree
  regression=""
  regression_script=scenarios/scripts/regressions/$name.scn
  [[ -e $regression_script ]] && regression=$regression_script
  # A patch whose context moved is tried with a three-way apply (it needs the
  # blobs of its index line); one that still does not apply cleanly is STALE.
  if git -C "$tree" apply --check "$root/$patch" >>"$log" 2>&1; then
    git -C "$tree" apply "$root/$patch"
  elif git -C "$tree" apply -3 "$root/$patch" >>"$log" 2>&1; then
    echo "mutants: $name applied only three-way: refresh it" >&2
  else
    printf '%s\tstale\t\t\t\t\t\t\t\t\n' "$name" >>"$results"
    continue
  fi
  component=$(patch_component "$patch")
  if ! build_tree "$component"; then
    printf '%s\tbuild-failed\t\t\t\t\t\t\t\t\n' "$name" >>"$results"
    continue
  fi
  if [[ $component == fs ]]; then
    run_soak "$walsim"
  else
    run_torture "$walsim" "$component"
  fi
  torture_killed=false
  [[ -n $kill_by ]] && torture_killed=true
  script_kill=""
  script_kind=""
  library_seconds=0
  if ! $torture_only; then
    start=$(now)
    read -r script_kill script_kind <<<"$(first_failing_script "$walsim")" || true
    if [[ -z $script_kill && $component == fs ]]; then
      script_kill=$(first_failing_posix_test)
      [[ -n $script_kill ]] && script_kind="test"
    fi
    library_seconds=$(elapsed "$start" "$(now)")
  fi
  status=survived
  if $torture_killed; then
    status=killed
  elif [[ -n $script_kill ]]; then
    status=killed
    kill_by=script-$script_kind
    spent_seconds=$(awk -v a="$spent_seconds" -v b="$library_seconds" 'BEGIN { printf "%.1f", a + b }')
  fi
  if $shrink && [[ -z $regression && -n $kill_shrink ]]; then
    shrink_script "$name" "$kill_shrink" && regression=$regression_script
  fi
  # The mutant's own regression script: passes unpatched, fails patched.
  regression_state=""
  if [[ -n $regression ]]; then
    if ! "$base" run "$regression" >>"$log" 2>&1; then
      regression_state=fails-unpatched
    elif "$walsim" run "$regression" >>"$log" 2>&1; then
      regression_state=passes-on-mutant
    else
      regression_state=ok
    fi
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$status" "$kill_by" "$kill_seed" \
    "$kill_flags" "$script_kill" "$spent_seeds" "$spent_seconds" "$regression_state" \
    "$kill_verdict" >>"$results"
done
reset_tree

# --- the report ---------------------------------------------------------------
python3 - "$results" "$json" "$seed_count" "$head" "$torture_only" <<'EOF'
import json
import sys

results_path, json_path, seed_count, head, torture_only = sys.argv[1:]
keys = ["mutant", "status", "killed_by", "seed", "flags", "script", "seeds_to_kill",
        "seconds_to_kill", "regression", "verdict"]
rows = []
with open(results_path) as f:
    for line in f:
        fields = line.rstrip("\n").split("\t")
        fields += [""] * (len(keys) - len(fields))
        row = dict(zip(keys, fields))
        for k in ("seeds_to_kill",):
            row[k] = int(row[k]) if row[k] else None
        row["seconds_to_kill"] = float(row["seconds_to_kill"]) if row["seconds_to_kill"] else None
        rows.append(row)


def by(row):
    if row["killed_by"].startswith("torture"):
        seed = f" seed={row['seed']}" if row["seed"] else " (abort)"
        return f"torture{seed} {row['flags']}"
    if row["killed_by"] == "soak":
        return row["flags"]
    if row["killed_by"] == "script-test":
        return row["script"] + " (PosixFs test)"
    if row["killed_by"] == "script-violation":
        return row["script"]
    if row["killed_by"] == "script-output":
        return row["script"] + " (output only)"
    return "-"


total = len(rows)
killed = sum(r["status"] == "killed" for r in rows)
# The soak is torture on the real disk: the one that reaches PosixFs.
torture = sum(r["status"] == "killed" and
              (r["killed_by"].startswith("torture") or r["killed_by"] == "soak") for r in rows)
weak = sum(r["killed_by"] == "script-output" for r in rows)
width = max([len(r["mutant"]) for r in rows] + [6])
print(f"{'mutant':<{width}}  {'status':<12}  {'seeds':>6}  {'secs':>6}  {'regression':<16}  killed by")
for r in rows:
    seeds = "" if r["seeds_to_kill"] is None or r["status"] != "killed" else str(r["seeds_to_kill"])
    secs = "" if r["seconds_to_kill"] is None or r["status"] != "killed" else f"{r['seconds_to_kill']:.1f}"
    print(f"{r['mutant']:<{width}}  {r['status']:<12}  {seeds:>6}  {secs:>6}  "
          f"{r['regression'] or '-':<16}  {by(r)}")
bad_regressions = [r["mutant"] for r in rows if r["regression"] not in ("", "ok")]
summary = {
    "commit": head,
    "seeds_per_run": int(seed_count),
    "torture_runs": ["--component C", "--component C --illegal", "--component OTHER",
                     "--component OTHER --illegal"],
    "torture_order": "C is the component the patch changes (wal/ or logstore/); an fs/ patch "
                     "runs walsim soak --cycles seeds/10: wal --fiu default, logstore --fiu "
                     "default, wal --power-loss, logstore --power-loss, wal, logstore",
    "scenario_library": torture_only != "true",
    "mutants": rows,
    "killed": killed,
    "killed_by_torture": torture,
    "killed_by_output_difference_only": weak,
    "total": total,
    "survivors": [r["mutant"] for r in rows if r["status"] == "survived"],
    "stale": [r["mutant"] for r in rows if r["status"] in ("stale", "build-failed")],
    "bad_regressions": bad_regressions,
}
with open(json_path, "w") as f:
    json.dump(summary, f, indent=2)
    f.write("\n")
print(f"mutation score {killed}/{total} (torture alone {torture}/{total})")
if weak:
    print(f"  {weak} of the {killed} killed only by a script's output difference, no violated invariant")
for r in rows:
    if r["status"] in ("stale", "build-failed"):
        print(f"{r['status'].upper()}: {r['mutant']}")
for name in bad_regressions:
    print(f"REGRESSION SCRIPT WRONG: {name}")
ok = killed == total and not bad_regressions
sys.exit(0 if ok else 1)
EOF
