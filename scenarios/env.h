// ScenarioEnv: the world one scenario script runs in.
//
// A fresh environment per run: a simulated disk (sim::SimFs, configured by
// the script's `disk` command or left at its defaults: seed 0, 512-byte
// atomic sectors, unlimited capacity, the clean crash model), wrapped in a
// faults::FaultFs whose disk-only effects go to a SimDevice; the production
// WAL and SegmentStore run on the FaultFs; a WalModel and a LogModel track
// what was issued and acknowledged. Commands (scenarios/command.h) act on it.
//
// Fault rules. FaultFs takes its plan when it is built, but a script adds
// rules as it goes, and a rule must see only the operations issued after its
// `fault` command. The environment therefore knows the rules of a run up
// front (PlannedRule: the rule plus the FaultFs operation count at its
// command, turned into the rule's after=K) and the runner (runner.h) learns
// them by restarting the run each time a `fault` command introduces a rule it
// did not know. A run is a pure function of the script, so the restarted run
// reaches the same point with the same operation count.
//
// Invariants: live WAL and LogStore handles never outlive the FaultFs they
// were opened on (the destructor drops them first, and Configure refuses to
// rebuild the disk once it has been used); after a crash every live handle
// is dropped and the FaultFs is reset, as if the process had restarted.
// Single-threaded, like SimFs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "faults/fault_fs.h"
#include "faults/plan.h"
#include "logstore/segment_store.h"
#include "scenarios/checker.h"
#include "scenarios/log_model.h"
#include "scenarios/sim_device.h"
#include "scenarios/wal_model.h"
#include "sim/sim_fs.h"
#include "wal/wal.h"

namespace walsim::scenarios {

// A fault rule as the script wrote it, and the FaultFs operation count when
// its `fault` command ran: the rule sees only operations numbered above it.
struct PlannedRule {
  faults::Rule rule;
  uint64_t added_after_op_number = 0;
};

// The rule FaultFs is given for planned: its after=K raised to the
// operation count at its `fault` command.
faults::Rule EffectiveRule(const PlannedRule& planned);

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
};

// The modelled LogStore, like WalSlot.
struct LogSlot {
  std::string dir;
  logstore::SegmentStoreOptions options;
  LogModel model;
  std::unique_ptr<logstore::SegmentStore> handle;
  std::optional<uint64_t> failed_op_number;
};

class ScenarioEnv {
 public:
  // A default disk (see the header comment) with the known rules installed.
  // trace: keep the disk's trace lines (the hash is kept anyway).
  ScenarioEnv(std::vector<PlannedRule> known_rules, bool trace);
  ~ScenarioEnv();
  ScenarioEnv(const ScenarioEnv&) = delete;
  ScenarioEnv& operator=(const ScenarioEnv&) = delete;

  // Rebuilds the disk with options. Failure: kFailedPrecondition once any
  // command has used the disk. REQUIRES: options are valid SimOptions.
  Status Configure(const sim::SimOptions& options);

  // The filesystem production code runs on. Marks the disk as used.
  fs::FileSystem& fs();
  // Crash decisions of this disk, and of any disk Configure builds, come
  // from choices (nullptr: the disk's seed). Not owned.
  void set_crash_choices(sim::CrashChoices* choices);
  // The simulated disk itself (damage, listing). Marks the disk as used.
  sim::SimFs& sim();
  const sim::SimFs& sim_view() const { return *sim_; }
  const faults::FaultFs& fault_fs() const { return *fault_fs_; }
  // Suspends (or resumes) fault injection; see FaultFs::set_suspended.
  void SuspendFaults(bool suspended) { fault_fs_->set_suspended(suspended); }

  // The block being run, 1-based: the op number in models and verdicts.
  uint64_t op_number() const { return op_number_; }
  void set_op_number(uint64_t op_number) { op_number_ = op_number; }

  // ---- fault rules ----
  // A `fault` command's rule. When this run already knows it (it is the
  // rule_index-th `fault` command and was planned), sets *rule_index.
  // Otherwise records it, with the current operation count, for the next
  // run and sets restart_requested(): the runner stops this run and starts
  // over with one more known rule.
  // Failure: kNotSupported when the disk cannot produce the rule's effect on
  // a kind it covers; kInvalidArgument when the plan is full (not added).
  Status AddRule(const faults::Rule& rule, size_t* rule_index);
  bool restart_requested() const { return restart_requested_; }
  std::vector<PlannedRule> TakeRulesForRestart();
  // Every rule of the plan, including those whose `fault` command this run
  // has not reached yet (they cannot have matched: their after=K is ahead).
  const std::vector<PlannedRule>& rules() const { return rules_; }
  // The rules whose `fault` command has run.
  size_t rules_seen_count() const { return rules_seen_count_; }

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

  // Drops live handles without closing them (they belong to a dead process).
  void DropHandles();

  WalSlot wal;
  LogSlot log;

 private:
  void BuildDisk(const sim::SimOptions& options);

  std::vector<PlannedRule> rules_;  // known to this run, in `fault` order
  size_t rules_seen_count_ = 0;     // `fault` commands run so far
  bool restart_requested_ = false;
  bool trace_ = false;
  bool disk_used_ = false;
  uint64_t op_number_ = 0;
  bool damaged_ = false;
  sim::CrashChoices* crash_choices_ = nullptr;
  std::unique_ptr<sim::SimFs> sim_;
  std::unique_ptr<SimDevice> device_;
  std::unique_ptr<faults::FaultFs> fault_fs_;
};

}  // namespace walsim::scenarios
