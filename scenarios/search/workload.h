// The random workload generator: a seed becomes a scenario script.
//
// GenerateWorkload(seed) writes the script a torture run executes: a `disk`
// block (crash model, atomic sectors or not, size before data, sometimes a
// capacity), the components (a WAL in /wal, a LogStore in /log, or both),
// 0-3 `fault` rules placed among the operations, a bounded number of
// operations as a raft node would issue them (WAL saves of contiguous
// batches, uncommitted-suffix overwrites with a higher term, commit, term and
// vote changes, snapshots, cuts, release and purge; LogStore batches, prefix
// and suffix deletes, gets), `crash` + `check` at random points, and always a
// final `crash` + `check`. Every block's expected output is empty: the runner
// (scenarios/runner.h) fills it in.
//
// Invariant: the script is a pure function of (seed, options). Each kind of
// decision draws from its own named stream of Rng(seed) ("torture/disk",
// "torture/faults", "torture/ops", ...), so a new decision of one kind never
// shifts another kind's draws. The generator tracks what a correct store
// holds (last index, terms, commit, snapshot) so batches are contiguous and
// every command is well formed; under faults an operation may still fail,
// which is output, not a malformed script.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/script/script.h"

namespace walsim::scenarios {

// Bounds on what one workload may ask for.
inline constexpr uint64_t kWorkloadOpCountMax = 10'000;
inline constexpr uint64_t kWorkloadOpCountDefault = 40;
inline constexpr uint64_t kWorkloadFaultRuleCountMax = 6;
static_assert(kWorkloadOpCountDefault <= kWorkloadOpCountMax);

// Which production components a workload drives.
enum class WorkloadComponent : uint8_t { kWal, kLogStore, kBoth };
// "wal", "logstore", "both".
std::string_view WorkloadComponentName(WorkloadComponent component);
// The inverse of WorkloadComponentName; std::nullopt for any other text.
std::optional<WorkloadComponent> ParseWorkloadComponent(std::string_view name);

struct WorkloadOptions {
  // Operations after the setup blocks (one operation is one to three blocks).
  // REQUIRES: 1 <= op_count <= kWorkloadOpCountMax.
  uint64_t op_count = kWorkloadOpCountDefault;
  WorkloadComponent component = WorkloadComponent::kBoth;
  // Also draw illegal fault effects (fsync-lie, bitrot, latent, misdirect):
  // the checker then requires "never silently wrong" instead of "durable".
  bool illegal = false;
  // Also draw disks whose sectors are not atomic (atomic=false): a crash may
  // leave a sector half new, half old, zeros or random bytes. Off by default:
  // a random-filled torn sector in the middle of an unsynced multi-record
  // write, followed by a persisted later record, is indistinguishable in
  // etcd's WAL format from bit rot mid-log, and the WAL reports it as
  // corruption rather than guess (docs/wal-format.md, "Known limitation").
  bool torn_sectors = false;
  // Deliberate misuse, to test the harness itself: after a snapshot, release
  // the WAL's locks up to its LAST index (not the snapshot's) and purge, as a
  // raft node that compacts past its snapshot would. The next recovery cannot
  // find its snapshot's segment, which the checker must report.
  bool purge_past_snapshot = false;
};

// Generates the workload of seed. REQUIRES: options are valid (see above).
// The script's file name is "seed-<seed>.scn".
Script GenerateWorkload(uint64_t seed, const WorkloadOptions& options);

// The `walsim torture/replay/shrink` flags that select options, e.g.
// "--ops 40 --component both --illegal" (defaults included, so a printed
// command stays exact if a default changes).
std::string WorkloadFlags(const WorkloadOptions& options);

// A command line `name k=v ...`, quoting values that hold a space, a quote or
// a backslash, so that ParseCommandLine gives back name and args.
std::string FormatCommandLine(std::string_view name, const std::vector<ScriptArg>& args);

// A block for name and args whose command_text is FormatCommandLine's, with
// empty expected output. command_line is 0 until the script is re-parsed.
ScriptBlock MakeBlock(std::string_view name, std::vector<ScriptArg> args);

// The script rendered as text (with each block's expected output) and parsed
// back, so that every block knows its line number. REQUIRES: the blocks are
// well formed (made by MakeBlock or parsed).
Script Reparse(const Script& script);

}  // namespace walsim::scenarios
