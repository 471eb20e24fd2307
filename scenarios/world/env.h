// ScenarioEnv: the world one scenario script runs in.
//
// A fresh environment per run: a simulated disk (sim::SimFs, configured by
// the script's `disk` command or left at its defaults: seed 0, 512-byte
// atomic sectors, unlimited capacity, the clean crash model), wrapped in a
// faults::FaultFs whose disk-only effects go to a SimDevice; the production
// WAL and SegmentStore run on the FaultFs; a WalModel and a LogModel track
// what was issued and acknowledged. Commands (scenarios/commands/command.h) act on it.
//
// Fault rules. A script adds rules as it goes (`fault`), and a rule sees
// only the operations issued after its command: the environment appends it
// to the running plan (FaultFs::AddRule raises its after=K to the operation
// count at that point), so every script runs once, front to back.
//
// Invariants: live WAL and LogStore handles never outlive the FaultFs they
// were opened on (the destructor drops them first, and Configure refuses to
// rebuild the disk once it has been used); after a crash every live handle
// is dropped and the FaultFs is reset, as if the process had restarted.
// Single-threaded, like SimFs.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/executor.h"
#include "base/status.h"
#include "faults/fault_fs.h"
#include "faults/plan.h"
#include "logstore/log_cache.h"
#include "logstore/segment_store.h"
#include "scenarios/model/checker.h"
#include "scenarios/model/log_model.h"
#include "scenarios/model/wal_model.h"
#include "scenarios/world/sim_device.h"
#include "sim/sim_fs.h"
#include "wal/wal.h"

namespace walsim::scenarios {

// A fault rule as the script wrote it, and the FaultFs operation count when
// its `fault` command ran: the rule sees only operations numbered above it.
struct AddedRule {
  faults::Rule rule;
  uint64_t added_after_op_number = 0;
};

// The modelled WAL: one directory per run (the first one a WAL command
// names); commands on other directories act on the disk but not the model.
struct WalSlot {
  std::string dir;  // empty until a WAL command names one
  wal::WalOptions options;
  WalModel model;
  std::unique_ptr<wal::Wal> handle;  // append mode, or null
  // Block number of the failed mutating call that must stop handle.
  std::optional<uint64_t> failed_op_number;
  // Defaults for wal-save's term= vote= commit=: the last HardState saved
  // or recovered.
  wal::HardState last_saved;
  // Every snapshot wal-snapshot issued in the run, acknowledged or not (the
  // model forgets those a recovery resolved away; the disk may keep them).
  std::vector<wal::Snapshot> issued_snapshots;
};

// The modelled LogStore, like WalSlot. With cache_logs > 0 (log-open
// cache=N) every opened store is driven through a LogCache of that many
// entries, as raft wraps its store.
struct LogSlot {
  std::string dir;
  logstore::SegmentStoreOptions options;
  size_t cache_logs = 0;
  LogModel model;
  std::unique_ptr<logstore::SegmentStore> handle;
  std::unique_ptr<logstore::LogCache> cache;  // over handle, when cache_logs > 0
  std::optional<uint64_t> failed_op_number;

  // The store the commands drive: the cache when there is one.
  // REQUIRES: handle != nullptr.
  logstore::LogStore& api();
  // Keeps opened as the live handle (with its cache). REQUIRES: no live handle.
  void Adopt(std::unique_ptr<logstore::SegmentStore> opened);
  // Drops the live handle and its cache without closing the store.
  void Drop();
};

class ScenarioEnv {
 public:
  // A default disk (see the header comment) with no fault rules.
  // trace: keep the disk's trace lines (the hash is kept anyway).
  explicit ScenarioEnv(bool trace);
  ~ScenarioEnv();
  ScenarioEnv(const ScenarioEnv&) = delete;
  ScenarioEnv& operator=(const ScenarioEnv&) = delete;

  // Rebuilds the disk with options. Failure: kFailedPrecondition once any
  // command has used the disk. REQUIRES: options are valid SimOptions.
  Status Configure(const sim::SimOptions& options);

  // The filesystem production code runs on. Marks the disk as used.
  fs::FileSystem& fs();
  // While set, fs() returns override (a wrapper over the FaultFs, e.g. the
  // power cut of `check recovery-crash=N`). nullptr restores the FaultFs.
  // Handles opened through it must be dropped before it dies.
  void set_fs_override(fs::FileSystem* override_fs) { fs_override_ = override_fs; }
  // Crash decisions of this disk, and of any disk Configure builds, come
  // from choices (nullptr: the disk's seed). Not owned.
  void set_crash_choices(sim::CrashChoices* choices);
  // The simulated disk itself (damage, listing). Marks the disk as used.
  sim::SimFs& sim();
  const sim::SimFs& sim_view() const { return *sim_; }
  const faults::FaultFs& fault_fs() const { return *fault_fs_; }
  // Suspends (or resumes) fault injection; see FaultFs::set_suspended.
  void SuspendFaults(bool suspended) { fault_fs_->set_suspended(suspended || faults_stopped_); }
  // `faults-off`: no rule fires for the rest of the run (liveness: the
  // stores must then recover and take writes again).
  void StopFaults() {
    faults_stopped_ = true;
    fault_fs_->set_suspended(true);
    sim_->DisarmAll();
  }
  bool faults_stopped() const { return faults_stopped_; }

  // The block being run, 1-based: the op number in models and verdicts.
  uint64_t op_number() const { return op_number_; }
  void set_op_number(uint64_t op_number) { op_number_ = op_number; }

  // ---- fault rules ----
  // A `fault` command's rule: appended to the running plan; *rule_index is
  // its index. Failure: kNotSupported when the disk cannot produce the
  // rule's effect on a kind it covers; kInvalidArgument when the plan is
  // full. Not added on failure.
  Status AddRule(const faults::Rule& rule, size_t* rule_index);
  // The rules added so far, in `fault` order, as the script wrote them.
  const std::vector<AddedRule>& rules() const { return rules_; }

  // ---- crashes and fault classes ----
  // Crashes the disk with model: every handle dies, the FaultFs is reset.
  void Crash(sim::CrashModel model);
  // When a fault rule's crash effect fired during the last command: drops
  // the handles, resets the FaultFs and returns true.
  bool RecoverFromFaultCrash();
  // Legal until a rule with an illegal effect (fsync-lie, bitrot, latent,
  // misdirect) has fired or stored bytes were damaged; then illegal for the
  // rest of the run.
  FaultClass fault_class() const;
  void MarkDamaged() { damaged_ = true; }
  // The block just run is over: notes which damage its faults did (see
  // DamageEvidence). The runner calls it after every block.
  void NoteBlockDone();
  // What the illegal faults so far left that recovery can detect.
  DamageEvidence damage_evidence() const;

  // ---- coverage probes (scenarios/world/probes.h) ----
  // Counts one event. REQUIRES: name is in kProbeCatalogue.
  void Probe(std::string_view name);
  const std::map<std::string, uint64_t, std::less<>>& probe_counts() const { return probe_counts_; }

  // Drops live handles without closing them (they belong to a dead process).
  void DropHandles();

  // Background work of the stores (wal-create/log-open executor=inline):
  // runs at submission, so a run stays a pure function of its script.
  InlineExecutor executor;
  WalSlot wal;
  LogSlot log;

 private:
  void BuildDisk(const sim::SimOptions& options);

  std::vector<AddedRule> rules_;  // in `fault` order
  bool trace_ = false;
  bool disk_used_ = false;
  uint64_t op_number_ = 0;
  bool damaged_ = false;
  DamageEvidence evidence_;
  std::map<std::string, uint64_t, std::less<>> probe_counts_;
  std::vector<uint64_t> fired_counts_seen_;  // per rule, at the last NoteBlockDone
  sim::CrashChoices* crash_choices_ = nullptr;
  fs::FileSystem* fs_override_ = nullptr;
  bool faults_stopped_ = false;
  std::unique_ptr<sim::SimFs> sim_;
  std::unique_ptr<SimDevice> device_;
  std::unique_ptr<faults::FaultFs> fault_fs_;
};

}  // namespace walsim::scenarios
