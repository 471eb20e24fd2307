#!/usr/bin/env python3
"""`walsim torture` as the nightly product, end to end (docs/torture.md).

Each case is one ctest test: torture_cli_test.py CASE WALSIM. The cases run
small seed ranges (a few seconds each) in a fresh temporary directory and
check exit codes, stdout, and the JSON, JUnit and artifacts it writes.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# The misuse option makes every WAL seed that takes a snapshot fail
# (docs/torture.md): a failing target without a broken store.
MISUSE = ["--component", "wal", "--purge-past-snapshot"]

# Fields every JSON report carries (docs/torture.md, "The JSON report").
REPORT_FIELDS = [
    "format", "version", "targets", "options", "seeds", "shard", "shards", "jobs", "seeds_run",
    "runs", "passed", "failed", "crashed", "known_findings", "elapsed_seconds", "seeds_per_second", "probes",
    "failures",
]
FAILURE_FIELDS = [
    "seed", "target", "status", "block", "line", "verdict", "invariant", "trace_hash", "probes",
    "run_ms", "replay", "shrink", "artifacts", "known_finding",
]


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def walsim(*args, expect=None):
    run = subprocess.run([WALSIM, *args], capture_output=True, text=True, timeout=120)
    if expect is not None and run.returncode != expect:
        raise Failure(f"walsim {' '.join(args)}: exit {run.returncode}, expected {expect}\n"
                      f"stdout:\n{run.stdout}\nstderr:\n{run.stderr}")
    return run


def load(path):
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def case_jobs_do_not_change_results():
    """Per-seed verdicts and trace hashes, and stdout, are the same for --jobs 1 and 4."""
    runs = {}
    for jobs in ("1", "4"):
        out = walsim("torture", "--seeds", "0:48", *MISUSE, "--jobs", jobs, "--json",
                     f"j{jobs}.json", "--json-seeds", expect=1)
        runs[jobs] = (out.stdout, load(f"j{jobs}.json"))
    (stdout1, report1), (stdout4, report4) = runs["1"], runs["4"]
    check(stdout1 == stdout4, f"stdout differs:\n{stdout1}\n---\n{stdout4}")
    check(len(report1["seed_results"]) == 48, "one seed result per seed")
    check(report1["seed_results"] == report4["seed_results"], "per-seed hashes differ")
    strip = lambda failures: [{k: v for k, v in f.items() if k != "run_ms"} for f in failures]
    check(strip(report1["failures"]) == strip(report4["failures"]), "failures differ")
    check(report1["failed"] > 0 and report1["passed"] > 0, "the misuse range mixes verdicts")
    check(report4["jobs"] == 4, "the report records the job count")


def case_junit_is_valid_xml():
    """The JUnit report parses and uses the schema's element and attribute names."""
    walsim("torture", "--seeds", "0:12", *MISUSE, "--junit", "r.xml", expect=1)
    root = ET.parse("r.xml").getroot()
    check(root.tag == "testsuites", f"root is {root.tag}")
    suites = root.findall("testsuite")
    check([s.get("name") for s in suites] == ["torture.wal"], "one testsuite per target")
    suite = suites[0]
    for attribute in ("tests", "failures", "errors", "time"):
        check(suite.get(attribute) is not None, f"testsuite lacks {attribute}")
    check(suite.get("tests") == "12", "tests counts the seeds run")
    cases = suite.findall("testcase")
    check(len(cases) == int(suite.get("failures")) > 0, "one testcase per failing seed")
    for case in cases:
        failure = case.find("failure")
        check(failure is not None and failure.get("message"), "a failure with its verdict")
        check("walsim replay --seed" in failure.text, "the failure holds its replay line")


def case_json_has_the_documented_fields():
    """The JSON report parses and has every field docs/torture.md lists."""
    walsim("torture", "--seeds", "0:12", *MISUSE, "--shard", "1/2", "--json", "r.json",
           expect=1)
    report = load("r.json")
    for field in REPORT_FIELDS:
        check(field in report, f"report lacks {field}")
    check(report["format"] == "walsim-torture-report", "format name")
    check(report["seeds"]["first"] == 0 and report["seeds"]["end"] == 12, "seed range")
    check(report["shard"] == {"index": 1, "count": 2}, "shard")
    check(report["seeds_run"] == 6 and report["runs"] == 6, "6 seeds of shard 1/2 in 0:12")
    check(report["passed"] + report["failed"] == report["runs"], "counts add up")
    check(isinstance(report["probes"], dict), "probe table")
    check(report["failures"], "the misuse fails some seed")
    for failure in report["failures"]:
        for field in FAILURE_FIELDS:
            check(field in failure, f"failure lacks {field}")
        check(failure["seed"] % 2 == 1, "only the shard's seeds")
        check(failure["replay"].startswith("walsim replay --seed "), "replay line")
        check(failure["invariant"] == "recovers", "the misuse breaks recovery")


def case_shards_merge_to_the_range_exactly_once():
    """Shards 0..3 of 4 merge into one report of the whole range; a missing or
    doubled shard is an error (exit 2) that names it."""
    for index in range(4):
        walsim("torture", "--seeds", "0:40", *MISUSE, "--shard", f"{index}/4", "--json",
               f"s{index}.json", "--json-seeds")
    walsim("torture", "--seeds", "0:40", *MISUSE, "--json", "whole.json", "--json-seeds")
    shards = [f"s{index}.json" for index in range(4)]
    out = walsim("report", "merge", *shards, "--json", "m.json", "--junit", "m.xml", expect=1)
    check("4 shards cover seeds 0:40" in out.stdout, out.stdout)
    merged, whole = load("m.json"), load("whole.json")
    check(merged["seeds"]["first"] == 0 and merged["seeds"]["end"] == 40, "merged range")
    check(merged["seed_results"] == whole["seed_results"], "merged seeds equal one whole run")
    check(merged["failed"] == whole["failed"] and merged["runs"] == 40, "merged counts")
    ET.parse("m.xml")
    missing = walsim("report", "merge", *shards[:3], expect=2)
    check("shard 3/4 is missing" in missing.stderr, missing.stderr)
    doubled = walsim("report", "merge", *shards, "s2.json", expect=2)
    check("of shard 2/4 are covered twice" in doubled.stderr, doubled.stderr)


def case_minutes_stop_near_the_budget():
    """--minutes 0.05 (3 s) stops starting seeds when the budget is used up."""
    start = time.monotonic()
    walsim("torture", "--minutes", "0.05", "--seed-start", "1000", "--jobs", "2", "--target",
           "wal,logstore,logcache,both,sqlite", "--json", "b.json", expect=0)
    elapsed = time.monotonic() - start
    check(elapsed < 3 + 5, f"took {elapsed:.1f} s for a 3 s budget")
    report = load("b.json")
    check(report["seeds_run"] > 0, "some seeds ran")
    check(report["seeds"]["first"] == 1000, "seeds start at --seed-start")
    check(report["seeds"]["end"] == 1000 + report["seeds_run"], "a contiguous range ran")
    check(report["shards"][0]["budget"] is True, "the budget ended the run")


def case_artifacts_reproduce_with_replay_report():
    """A failing seed gets an artifacts folder; replay --report reproduces it
    (exit 1), passes once the cause is gone (exit 0), refuses a bad folder (2)."""
    walsim("torture", "--seeds", "0:4", *MISUSE, "--artifacts", "art", "--json", "r.json",
           expect=1)
    failure = load("r.json")["failures"][0]
    folder = os.path.join("art", failure["artifacts"])
    for name in ("replay.txt", "verdict.json", "script.scn", "trace.txt", "regression.scn"):
        check(os.path.getsize(os.path.join(folder, name)) > 0, f"{folder}/{name} is empty")
    with open(os.path.join(folder, "replay.txt"), encoding="utf-8") as file:
        check(failure["replay"] in file.read(), "replay.txt holds the replay line")
    again = walsim("replay", "--report", folder, expect=1)
    check("STILL FAILS seed=" + str(failure["seed"]) in again.stdout, again.stdout)
    check("same invariant (recovers)" in again.stdout and "as saved" in again.stdout,
          again.stdout)
    # The "fix": the same seed without the misuse passes.
    verdict = load(os.path.join(folder, "verdict.json"))
    verdict["options"]["purge_past_snapshot"] = False
    os.makedirs("fixed")
    with open(os.path.join("fixed", "verdict.json"), "w", encoding="utf-8") as file:
        json.dump(verdict, file)
    fixed = walsim("replay", "--report", "fixed", expect=0)
    check("FIXED seed=" in fixed.stdout, fixed.stdout)
    os.makedirs("empty")
    walsim("replay", "--report", "empty", expect=2)


def case_example_target_passes_and_catches_a_missing_sync():
    """The tutorial store passes torture; with the planted missing sync torture
    fails it with a durable violation, and the shrunk replay line still fails."""
    out = walsim("torture", "--target", "example-kv", "--seeds", "0:200", "--jobs", "2", expect=0)
    check("200 passed, 0 failed" in out.stdout, out.stdout)
    out = walsim("torture", "--target", "example-kv", "--param", "bug=skip-sync", "--seeds",
                 "0:50", "--json", "bug.json", "--artifacts", "art", "--artifacts-max", "1",
                 expect=1)
    report = load("bug.json")
    check(report["failed"] > 0, "the planted bug is caught")
    failure = report["failures"][0]
    check(failure["invariant"] == "durable", f"invariant {failure['invariant']}")
    check("--param bug=skip-sync" in failure["replay"], failure["replay"])
    again = walsim(*failure["replay"].split()[1:], expect=1)
    check(f"FAIL seed={failure['seed']}" in again.stdout, again.stdout)
    shrunk = walsim(*failure["shrink"].split()[1:], expect=0)
    with open("shrunk.txt", encoding="utf-8") as file:
        replay_line = file.read().strip().splitlines()[-1]
    check(replay_line.startswith("walsim replay"), replay_line)
    walsim(*replay_line.split()[1:], expect=1)
    check("shrunk in" in shrunk.stdout, shrunk.stdout)
    # The artifacts folder of a loop target: replay --report still fails, and
    # passes once the bug is gone from the saved options.
    folder = os.path.join("art", failure["artifacts"])
    for name in ("replay.txt", "verdict.json", "trace.txt", "shrunk.txt"):
        check(os.path.getsize(os.path.join(folder, name)) > 0, f"{folder}/{name} is empty")
    walsim("replay", "--report", folder, expect=1)
    verdict = load(os.path.join(folder, "verdict.json"))
    verdict["options"]["params"]["bug"] = "none"
    os.makedirs("fixed")
    with open(os.path.join("fixed", "verdict.json"), "w", encoding="utf-8") as file:
        json.dump(verdict, file)
    fixed = walsim("replay", "--report", "fixed", expect=0)
    check("FIXED seed=" in fixed.stdout, fixed.stdout)


def case_engine_targets_safe_settings_pass_and_replay():
    """sqlite at synchronous=FULL/EXTRA in every journal mode and leveldb with
    unsynced writes only (whose loss LevelDB allows) pass a fixed seed range
    with --check-determinism; JSON names the targets; replay gives the same
    trace hash as the run."""
    walsim("torture", "--target", "sqlite,leveldb", "--param", "synchronous=safe", "--param",
           "sync=never", "--param", "writes=150", "--seeds", "0:16", "--jobs", "2",
           "--check-determinism", "--json", "e.json", "--json-seeds", "--junit", "e.xml",
           expect=0)
    report = load("e.json")
    check([t["name"] for t in report["targets"]] == ["sqlite", "leveldb"], str(report["targets"]))
    check(report["runs"] == 32 and report["failed"] == 0, f"{report['runs']} {report['failed']}")
    check(report["probes"]["engine/crash"]["hits"] > 32, "the power was cut")
    seed = report["seed_results"][3]
    replay = walsim("replay", "--seed", str(seed["seed"]), "--target", seed["target"],
                    "--param", "synchronous=safe", expect=0)
    check(f"trace hash: {seed['trace_hash']}" in replay.stdout, replay.stdout)


def case_sqlite_synchronous_off_losses_are_allowed_not_failures():
    """synchronous=OFF loses commits or corrupts the database within a few
    hundred seeds; torture counts that as allowed by the setting, not a failure."""
    walsim("torture", "--target", "sqlite", "--param", "synchronous=OFF", "--param",
           "journal_mode=WAL", "--seeds", "0:200", "--jobs", "2", "--json", "off.json", expect=0)
    report = load("off.json")
    check(report["failed"] == 0, "OFF promises nothing: no failure")
    check(report["probes"]["engine/allowed-by-setting"]["seeds"] > 0, "some seed lost data")


def case_seed_timeout_is_a_failure_of_its_own_kind():
    """A seed past --seed-timeout is killed, reported as a timeout with its
    replay line, and the run goes on to the next seed."""
    # bug=retry-short-read spins forever in the reopen after a torn tail:
    # of seeds 0:6, only seed 2 leaves one (a fact of the seed, not of the
    # machine's speed); the others finish in milliseconds.
    out = walsim("torture", "--target", "example-kv", "--param", "bug=retry-short-read",
                 "--seeds", "0:6", "--jobs", "2", "--seed-timeout", "0.5", "--json", "t.json",
                 expect=1)
    report = load("t.json")
    check(report["runs"] == 6, "every seed ran")
    check(report["passed"] == 5, out.stdout)
    timeouts = [f for f in report["failures"] if f["status"] == "timeout"]
    check([f["seed"] for f in timeouts] == [2], f"timeouts {timeouts}")
    check("replay: walsim replay --seed 2 --target example-kv --param bug=retry-short-read"
          in out.stdout, out.stdout)
    check(report["targets"][0]["errors"] == 1, "a timeout is a JUnit error")


def case_targets_lists_every_target():
    """`walsim targets` names each target with a description and its params."""
    out = walsim("targets", expect=0)
    for name in ("wal", "logstore", "logcache", "both", "sqlite", "leveldb", "example-kv"):
        check(any(line.startswith(name + " ") for line in out.stdout.splitlines()), name)
    check("--param journal_mode=" in out.stdout, out.stdout)
    walsim("torture", "--target", "wal", "--param", "journal_mode=WAL", "--seeds", "0:2",
           expect=2)


def case_leveldb_synced_write_loss_goes_with_a_directory_sync():
    """docs/findings.md through torture: at sync=always LevelDB 1.23 loses a
    synced write (seeds 0, 2, 5, 7 of 0:8, durable); syncing the directory after each created
    file (dir_sync=on-create) removes the loss on the same seeds."""
    common = ["--target", "leveldb", "--param", "sync=always", "--seeds", "0:8", "--jobs", "2"]
    out = walsim("torture", *common, "--json", "engine.json", expect=1)
    report = load("engine.json")
    check([f["seed"] for f in report["failures"]] == [0, 2, 5, 7], out.stdout)
    for failure in report["failures"]:
        check(failure["invariant"] == "durable", out.stdout)
        check("but a sync=true write acknowledged" in failure["verdict"], out.stdout)
    walsim("torture", *common, "--param", "dir_sync=on-create", expect=0)


def case_leveldb_findings_replay_and_go_with_their_cause():
    """docs/findings.md, the two LevelDB 1.23 findings of issue 15 as shrunk
    replay lines: each fails on 1.23 as shipped, and the change that the
    analysis names as the cause makes the same seed pass."""
    # A crash between the MANIFEST append and its sync: the edit naming
    # 000198.ldb was written back, the table's directory entry was not.
    manifest = ["replay", "--seed", "1", "--target", "leveldb", "--param", "crashes=5",
                "--param", "sync=never", "--param", "writes=723"]
    out = walsim(*manifest, "--param", "dir_sync=engine", expect=1)
    check("violated integrity" in out.stdout and "1 missing files" in out.stdout, out.stdout)
    walsim(*manifest, "--param", "dir_sync=on-create", expect=0)
    # google/leveldb#193: the old log's unsynced tail is lost across a log
    # rotation while a synced write in the new log survives.
    rotation = ["replay", "--seed", "15", "--target", "leveldb", "--param", "sync=mixed",
                "--param", "dir_sync=on-create", "--param", "crashes=3", "--param", "writes=400"]
    out = walsim(*rotation, expect=1)
    check("violated durable" in out.stdout and "no prefix and misses synced writes" in out.stdout,
          out.stdout)
    walsim(*rotation[:5], "--param", "sync=always", *rotation[7:], expect=0)
    # A torn, never-synced last MANIFEST record (its size kept, its bytes
    # not) fails DB::Open even with every write synced and the directory
    # synced after each created file.
    manifest_tail = ["replay", "--seed", "553", "--target", "leveldb", "--param",
                     "dir_sync=on-create", "--param", "sync=always", "--param", "crashes=3",
                     "--param", "writes=400"]
    out = walsim(*manifest_tail, expect=1)
    check("violated integrity" in out.stdout and "checksum mismatch" in out.stdout, out.stdout)


def case_known_findings_are_reported_under_their_id_and_only_new_failures_fail():
    """--known-findings: LevelDB seed 553's documented MANIFEST finding is
    still a failure in every report, under its id, but the run exits 0; the
    same seed without the list, or a list that does not match it, exits 1."""
    known = os.path.join(REPO, "ci", "known-findings.json")
    seed = ["torture", "--target", "leveldb", "--seeds", "553:554", "--param",
            "dir_sync=on-create", "--param", "sync=always"]
    out = walsim(*seed, "--known-findings", known, "--json", "k.json", "--junit", "k.xml",
                 expect=0)
    check("known finding leveldb-1.23-torn-manifest-record" in out.stdout, out.stdout)
    check("0 passed, 1 failed (1 known findings, 0 new)" in out.stdout, out.stdout)
    report = load("k.json")
    check(report["failed"] == 1 and report["known_findings"] == 1, report)
    check(report["failures"][0]["known_finding"] == "leveldb-1.23-torn-manifest-record", report)
    check("known finding leveldb-1.23-torn-manifest-record" in open("k.xml").read(), "junit")
    walsim(*seed, expect=1)
    with open("other.json", "w", encoding="utf-8") as file:
        json.dump({"findings": [{"id": "other", "target": "leveldb", "invariant": "durable",
                                 "verdict_contains": "checksum mismatch",
                                 "reference": "a finding of another invariant"}]}, file)
    walsim(*seed, "--known-findings", "other.json", expect=1)
    with open("bad.json", "w", encoding="utf-8") as file:
        json.dump({"findings": [{"id": "x", "target": "leveldb"}]}, file)
    out = walsim("torture", "--target", "wal", "--seeds", "0:1", "--known-findings", "bad.json",
                 expect=2)
    check("finding 1: \"invariant\" must be a non-empty string" in out.stderr, out.stderr)


def case_explore_reaches_a_torture_seed_through_the_registry():
    """explore --target T --torture-seed W explores the workload torture
    generates for seed W; a violation's replay line reproduces it; a loop
    target and a mixed command line are usage errors."""
    out = walsim("explore", "--target", "wal", "--torture-seed", "5", "--points", "20", "--states",
                 "2", expect=0)
    check("explored 20 crash points" in out.stdout and "0 violations" in out.stdout, out.stdout)
    # --purge-past-snapshot is the harness's own misuse: seed 3's check fails.
    out = walsim("explore", "--target", "wal", "--torture-seed", "3", "--purge-past-snapshot",
                 "--points", "10", "--states", "2", expect=1)
    replays = [line.split("replay: walsim ", 1)[1] for line in out.stdout.splitlines()
               if "replay: walsim explore" in line]
    check(replays and "--target wal --torture-seed 3 --ops 40 --purge-past-snapshot --at " in
          replays[0], out.stdout)
    again = walsim(*replays[0].split(), expect=1)
    check("VIOLATION at" in again.stdout, again.stdout)
    walsim("explore", "--target", "leveldb", "--torture-seed", "1", expect=2)
    walsim("explore", "--torture-seed", "1", "scenarios/none.scn", expect=2)
    walsim("explore", "--param", "sync=never", expect=2)


def case_bad_usage_exits_2_before_running():
    """Bad values give one line on stderr and exit 2, and no seed runs."""
    cases = [
        ["--minutes", "0"],
        ["--jobs", "0"],
        ["--json", "/nonexistent-dir/r.json"],
        ["--junit", "/nonexistent-dir/r.xml"],
        ["--seeds", "7:7"],
        ["--seeds", "9:3"],
        ["--target", "nosuchtarget"],
        ["--seed-start", "5"],
    ]
    for args in cases:
        out = walsim("torture", *args, expect=2)
        lines = out.stderr.strip().splitlines()
        check(len(lines) == 1, f"{args}: stderr is {lines}")
        check(out.stdout == "", f"{args}: seeds ran: {out.stdout}")
    out = walsim("torture", "--target", "nosuchtarget", expect=2)
    check("known: wal, logstore, logcache, both, sqlite, leveldb, example-kv, all" in out.stderr,
          out.stderr)


CASES = {name[len("case_"):]: f for name, f in globals().items() if name.startswith("case_")}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in CASES:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(CASES)}}} WALSIM")
    WALSIM = os.path.abspath(sys.argv[2])
    with tempfile.TemporaryDirectory(prefix="walsim-torture-cli-") as work:
        os.chdir(work)
        try:
            CASES[sys.argv[1]]()
        except Failure as failure:
            sys.exit(f"FAIL {sys.argv[1]}: {failure}")
    print(f"PASS {sys.argv[1]}")
