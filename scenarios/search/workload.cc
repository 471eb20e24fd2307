#include "scenarios/search/workload.h"

#include <array>
#include <tuple>

#include "base/rng.h"

namespace walsim::scenarios {
namespace {

constexpr std::string_view kWalDir = "/wal";
constexpr std::string_view kLogDir = "/log";

// Entries in one generated batch, and the payload of an occasional large
// entry (large enough that a few batches fill a small WAL segment or a
// LogStore segment and force a cut).
constexpr uint64_t kBatchEntryCountMax = 16;
constexpr uint64_t kWalEntryBytesMax = 6'000;
// A huge entry: a batch of a few of them crosses the WAL encoder's 128 KiB
// flush watermark, so its page writer writes before the flush (pages and
// sizes across page boundaries; no other batch reaches that path).
constexpr uint64_t kWalHugeEntryBytesMin = 20'000;
constexpr uint64_t kWalHugeEntryBytesMax = 60'000;
constexpr uint64_t kLogEntryBytesMax = 48 * 1024;
constexpr uint64_t kWalSegmentSizesBytes[] = {16 * 1024, 64 * 1024, 1024 * 1024};
// A capacity, when the disk has one, leaves room for a few segments of each
// component (each preallocates up to 1 MiB) but not for an endless run.
constexpr uint64_t kCapacityBytesMin = 3 * 1024 * 1024;
constexpr uint64_t kCapacityBytesMax = 12 * 1024 * 1024;
static_assert(kCapacityBytesMin < kCapacityBytesMax);
static_assert(kBatchEntryCountMax * kWalHugeEntryBytesMax < kWalSegmentSizesBytes[2]);

// What one generated operation does. Weights are per component in kOpTable.
enum class OpKind : uint8_t {
  kWalSave,
  kWalOverwrite,
  kWalCommit,
  kWalElection,
  kWalSnapshot,
  kWalCut,
  kLogStore,
  kLogGet,
  kLogDeletePrefix,
  kLogDeleteSuffix,
  kCrashCheck,
  kCheck,
};

struct OpWeight {
  OpKind kind;
  uint32_t weight;
  bool wal;  // needs the WAL (else the LogStore; both false: any component)
  bool log;
};

constexpr OpWeight kOpTable[] = {
    {OpKind::kWalSave, 24, true, false},        {OpKind::kWalOverwrite, 5, true, false},
    {OpKind::kWalCommit, 6, true, false},       {OpKind::kWalElection, 3, true, false},
    {OpKind::kWalSnapshot, 5, true, false},     {OpKind::kWalCut, 4, true, false},
    {OpKind::kLogStore, 24, false, true},       {OpKind::kLogGet, 8, false, true},
    {OpKind::kLogDeletePrefix, 4, false, true}, {OpKind::kLogDeleteSuffix, 4, false, true},
    {OpKind::kCrashCheck, 5, false, false},     {OpKind::kCheck, 2, false, false},
};

// A fault effect and the operation selectors the generator aims it at (each
// valid for the effect: docs/fault-plans.md "Effects").
struct EffectChoice {
  std::string_view effect;
  bool legal;
  std::array<std::string_view, 4> selectors;  // empty entries unused
};

// Legal rules aim at the write path (write, syncdata, rename, syncdir:
// Save, Cut, Create, StoreLogs, DeleteRange), not at what a recovery does
// (open, read, sync, allocate, truncate, remove): a legal fault injected into
// the reopen of a `check` makes it fail, which the checker reports as
// "recovers" although no acknowledged data was lost. Illegal rules may hit
// anything: under them a clear error is a right answer.
constexpr EffectChoice kEffects[] = {
    {"eio", true, {"write", "syncdata", "rename", ""}},
    {"enospc", true, {"write", "syncdata", "", ""}},
    {"short", true, {"write", "append", "", ""}},
    {"fsync-eio", true, {"syncdata", "syncdir", "", ""}},
    {"crash", true, {"write", "syncdata", "rename", "syncdir"}},
    {"fsync-lie", false, {"sync", "syncdata", "", ""}},
    {"bitrot", false, {"read", "write", "syncdata", ""}},
    {"latent", false, {"read", "write", "", ""}},
    {"misdirect", false, {"write", "", "", ""}},
};
constexpr size_t kLegalEffectCount = 5;
static_assert(kLegalEffectCount <= std::size(kEffects));

constexpr std::string_view kProbabilities[] = {"0.01", "0.02", "0.05", "0.1"};

// Production options a seed draws for the stores (FoundationDB's BUGGIFY:
// every configuration the code supports is one some seed runs).
constexpr uint64_t kLogSegmentSizesBytes[] = {16 * 1024, 64 * 1024, 1024 * 1024};
constexpr uint64_t kLogScanWindowsBytes[] = {4096, 64 * 1024, 1024 * 1024};
constexpr uint64_t kLogCacheSizesLogs[] = {0, 0, 1, 4, 16, 64};
// Crash points: `any` operation of the stores, the n-th after the rule.
constexpr uint64_t kCrashPointCountMax = 3;
constexpr uint64_t kCrashPointOpNumberMax = 80;
// `check recovery-crash=N`: the restart loses power at its N-th operation.
constexpr uint64_t kRecoveryCrashOpIndexMax = 40;

// Swarm testing (TigerBeetle's VOPR, Groce et al.): each seed draws its own
// mix, so every seed stresses a different corner: how often each operation
// comes (some never), batch and entry sizes, which fault effects it may use
// and how many rules, how many crash points, whether restarts crash too.
struct Swarm {
  std::array<uint32_t, 12> weight_factors{};  // per OpKind, x0 .. x4
  uint64_t batch_entry_count_max = 8;
  double large_entry_probability = 0.2;
  uint64_t fault_rule_count_max = 3;
  std::array<bool, 9> effect_enabled{};  // per kEffects row
  uint64_t crash_point_count_max = 0;
  double recovery_crash_probability = 0;
  // WAL batches of huge entries (see kWalHugeEntryBytesMin).
  double huge_entry_probability = 0;
  // raft's order when a follower installs a snapshot: the snapshot record
  // first, then the HardState whose commit reaches it (etcd #10219's window).
  double snapshot_ahead_probability = 0;
};

static_assert(std::size(kOpTable) == std::tuple_size_v<decltype(Swarm::weight_factors)>);
static_assert(std::size(kEffects) == std::tuple_size_v<decltype(Swarm::effect_enabled)>);

Swarm DrawSwarm(Rng rng, const WorkloadOptions& options) {
  Swarm swarm;
  constexpr uint32_t kFactors[] = {0, 1, 1, 2, 4};
  for (uint32_t& factor : swarm.weight_factors) factor = kFactors[rng.Below(std::size(kFactors))];
  swarm.batch_entry_count_max = rng.Between(1, kBatchEntryCountMax);
  constexpr double kLargeEntryProbabilities[] = {0, 0.05, 0.2, 0.5};
  swarm.large_entry_probability =
      kLargeEntryProbabilities[rng.Below(std::size(kLargeEntryProbabilities))];
  swarm.fault_rule_count_max = rng.Below(kWorkloadFaultRuleCountMax + 1);
  const size_t effect_count = options.illegal ? std::size(kEffects) : kLegalEffectCount;
  for (size_t e = 0; e < effect_count; e++) swarm.effect_enabled[e] = rng.Chance(0.6);
  swarm.crash_point_count_max = rng.Below(kCrashPointCountMax + 1);
  swarm.recovery_crash_probability = rng.Chance(0.5) ? 0.3 : 0;
  swarm.huge_entry_probability = rng.Chance(0.3) ? 0.3 : 0;
  swarm.snapshot_ahead_probability = rng.Chance(0.5) ? 0.5 : 0;
  return swarm;
}

// A uniformly chosen element of a non-empty array or vector.
template <typename Items>
const auto& Pick(Rng& rng, const Items& items) {
  WALSIM_ASSERT(std::size(items) > 0);
  return items[rng.Below(std::size(items))];
}

ScriptArg Arg(std::string key, uint64_t value) { return {std::move(key), std::to_string(value)}; }
ScriptArg Arg(std::string key, std::string value) { return {std::move(key), std::move(value)}; }
std::string Bool(bool value) { return value ? "true" : "false"; }

// What a correct WAL holds after every acknowledged operation, as raft sees it.
struct WalBelief {
  std::vector<uint64_t> terms;  // terms[i] is the term of entry i + 1
  uint64_t term = 0;
  uint64_t vote = 0;
  uint64_t commit = 0;
  uint64_t snapshot_index = 0;
  // Once a fault rule exists an operation may fail unseen: entries up to
  // certain_last are known to be in the WAL (lowered by every overwrite).
  uint64_t certain_last = 0;
  bool resync = false;  // the next save overwrites from certain_last + 1
  uint64_t last() const { return terms.size(); }
};

// What a correct LogStore holds: entries first..last (empty when last < first).
struct LogBelief {
  uint64_t first = 1;
  uint64_t last = 0;
  uint64_t term = 1;
  uint64_t certain_last = 0;  // as WalBelief's, lowered by suffix deletes
  uint64_t issued_last = 0;   // the highest index ever stored
  bool empty() const { return last < first; }
};

class Generator {
 public:
  Generator(uint64_t seed, const WorkloadOptions& options)
      : seed_(seed),
        options_(options),
        wal_(options.component != WorkloadComponent::kLogStore),
        log_(options.component != WorkloadComponent::kWal),
        disk_rng_(Rng(seed).Stream("torture/disk")),
        fault_rng_(Rng(seed).Stream("torture/faults")),
        op_rng_(Rng(seed).Stream("torture/ops")),
        wal_rng_(Rng(seed).Stream("torture/wal")),
        log_rng_(Rng(seed).Stream("torture/log")),
        swarm_(DrawSwarm(Rng(seed).Stream("torture/swarm"), options)) {}

  Script Generate();

 private:
  void Emit(std::string_view name, std::vector<ScriptArg> args) {
    WALSIM_ASSERT(script_.blocks.size() < kScriptBlockCountMax);
    script_.blocks.push_back(MakeBlock(name, std::move(args)));
  }
  void Disk();
  void Setup();
  std::string FaultRule();
  void Operation();
  OpKind ChooseOp();
  void WalSave(bool overwrite);
  void WalCommit();
  void WalElection();
  void WalSnapshot();
  void LogStore();
  void LogGet();
  void LogDelete(bool prefix);
  void Check(bool crash);
  void EmitCheck(bool crash);
  void Resync();
  void Liveness();
  std::string CrashPointRule();
  uint32_t Weight(size_t op_index) const {
    return kOpTable[op_index].weight * swarm_.weight_factors[op_index];
  }

  const uint64_t seed_;
  const WorkloadOptions options_;
  const bool wal_;
  const bool log_;
  Rng disk_rng_;
  Rng fault_rng_;
  Rng op_rng_;
  Rng wal_rng_;
  Rng log_rng_;
  const Swarm swarm_;
  bool capacity_ = false;   // the disk has a capacity
  bool faulty_ = false;     // the plan has rules or the disk a capacity
  bool uncertain_ = false;  // a `fault` command was emitted: outcomes are uncertain
  WalBelief wal_belief_;
  LogBelief log_belief_;
  Script script_;
};

Script Generator::Generate() {
  WALSIM_ASSERT(options_.op_count >= 1 && options_.op_count <= kWorkloadOpCountMax);
  script_.file_name = "seed-" + std::to_string(seed_) + ".scn";
  Disk();
  // Each rule goes before the operation at its position; position 0 is
  // before the components are created, so a rule may hit their creation.
  bool any_effect = false;
  for (bool enabled : swarm_.effect_enabled) any_effect = any_effect || enabled;
  const uint64_t rule_count = any_effect ? fault_rng_.Below(swarm_.fault_rule_count_max + 1) : 0;
  const uint64_t crash_point_count = fault_rng_.Below(swarm_.crash_point_count_max + 1);
  // Each rule goes before the operation at its position, a crash point too
  // (positions past the rules').
  std::vector<std::pair<uint64_t, bool>> positions;  // position, is a crash point
  for (uint64_t r = 0; r < rule_count; r++)
    positions.emplace_back(fault_rng_.Below(options_.op_count + 1), false);
  for (uint64_t r = 0; r < crash_point_count; r++)
    positions.emplace_back(fault_rng_.Below(options_.op_count + 1), true);
  faulty_ = !positions.empty() || capacity_;
  uncertain_ = capacity_;
  auto emit_rules_at = [&](uint64_t position) {
    for (const auto& [at, crash_point] : positions) {
      if (at != position) continue;
      Emit("fault", {Arg("rule", crash_point ? CrashPointRule() : FaultRule())});
      uncertain_ = true;
    }
  };
  emit_rules_at(0);
  Setup();
  for (uint64_t op_index = 0; op_index < options_.op_count; op_index++) {
    emit_rules_at(op_index + 1);
    Operation();
  }
  EmitCheck(/*crash=*/true);
  Liveness();  // the last word: nothing follows it
  return Reparse(script_);
}

void Generator::Disk() {
  std::vector<ScriptArg> args;
  args.push_back(Arg("seed", seed_));
  args.push_back(Arg("sector", disk_rng_.Chance(0.25) ? 4096 : 512));
  // Always drawn, so the option does not shift the disk's other choices.
  const bool atomic_drawn = disk_rng_.Chance(0.5);
  args.push_back(Arg("atomic", Bool(options_.torn_sectors ? atomic_drawn : true)));
  constexpr std::string_view kModels[] = {"clean", "prefix", "reorder"};
  args.push_back(Arg("model", std::string(Pick(disk_rng_, kModels))));
  args.push_back(Arg("size-before-data", Bool(disk_rng_.Chance(0.3))));
  if (disk_rng_.Chance(0.2)) {
    // Scaled with the seed's entry sizes: still room for a few segments.
    const uint64_t scale = swarm_.huge_entry_probability > 0 ? 4 : 1;
    args.push_back(
        Arg("capacity", scale * disk_rng_.Between(kCapacityBytesMin, kCapacityBytesMax)));
    // A full disk fails operations the generator cannot foresee, like a fault.
    capacity_ = true;
  }
  // Last, so that it shifts none of the disk's other choices.
  if (disk_rng_.Chance(0.5)) args.push_back(Arg("eio-writeback", Bool(true)));
  Emit("disk", std::move(args));
}

void Generator::Setup() {
  if (wal_) {
    const uint64_t segment_size_bytes = Pick(wal_rng_, kWalSegmentSizesBytes);
    std::vector<ScriptArg> args = {Arg("dir", std::string(kWalDir)),
                                   Arg("metadata", "node" + std::to_string(seed_ % 1000)),
                                   Arg("segment-size", segment_size_bytes)};
    if (wal_rng_.Chance(0.5)) args.push_back(Arg("executor", "inline"));
    Emit("wal-create", std::move(args));
  }
  if (log_) {
    std::vector<ScriptArg> args = {Arg("dir", std::string(kLogDir)),
                                   Arg("segment-size", Pick(log_rng_, kLogSegmentSizesBytes)),
                                   Arg("scan-window", Pick(log_rng_, kLogScanWindowsBytes))};
    // Batches start on a sector boundary at least (a torn sector then never
    // touches an acknowledged batch); some seeds align to 4 KiB.
    if (log_rng_.Chance(0.3)) args.push_back(Arg("alignment", 4096));
    if (log_rng_.Chance(0.5)) args.push_back(Arg("executor", "inline"));
    if (const uint64_t cache_logs = Pick(log_rng_, kLogCacheSizesLogs); cache_logs > 0) {
      args.push_back(Arg("cache", cache_logs));
    }
    Emit("log-open", std::move(args));
  }
}

// "<selector> <glob> [after=K] [nth=N | every=N | p=P] <effect>", valid for
// the effect and aimed at the components in use.
std::string Generator::FaultRule() {
  std::vector<size_t> enabled;
  for (size_t e = 0; e < std::size(kEffects); e++) {
    if (swarm_.effect_enabled[e]) enabled.push_back(e);
  }
  const EffectChoice& choice = kEffects[Pick(fault_rng_, enabled)];
  WALSIM_ASSERT(options_.illegal || choice.legal);
  std::string_view selector;
  for (uint32_t attempt = 0; selector.empty(); attempt++) {
    WALSIM_ASSERT(attempt < 64);
    selector = Pick(fault_rng_, choice.selectors);
  }
  // "/wal*/**" also covers "/wal.tmp", where Create builds the WAL.
  std::vector<std::string_view> globs = {"*"};
  if (wal_) globs.insert(globs.end(), {"/wal*/**", "/wal/*.wal"});
  if (log_) globs.push_back("/log/**");
  std::string rule = std::string(selector) + " " + std::string(Pick(fault_rng_, globs));
  if (fault_rng_.Chance(0.3)) rule += " after=" + std::to_string(fault_rng_.Between(1, 200));
  const uint64_t trigger = fault_rng_.Below(10);
  if (trigger < 5 || choice.effect == "crash") {
    rule += " nth=" + std::to_string(fault_rng_.Between(1, 25));
  } else if (trigger < 7) {
    rule += " every=" + std::to_string(fault_rng_.Between(5, 40));
  } else {
    rule += " p=" + std::string(Pick(fault_rng_, kProbabilities));
  }
  return rule + " " + std::string(choice.effect);
}

// A crash at the n-th operation of any kind after the rule: inside a Cut, a
// Create, a head or tail deletion, between a write and its sync or a rename
// and its directory sync, wherever the n-th operation falls.
std::string Generator::CrashPointRule() {
  std::vector<std::string_view> globs = {"*"};
  if (wal_) globs.push_back("/wal*/**");
  if (log_) globs.push_back("/log/**");
  return "any " + std::string(Pick(fault_rng_, globs)) +
         " nth=" + std::to_string(fault_rng_.Between(1, kCrashPointOpNumberMax)) + " crash";
}

OpKind Generator::ChooseOp() {
  uint64_t total = 0;
  for (size_t i = 0; i < std::size(kOpTable); i++) {
    const OpWeight& op = kOpTable[i];
    if ((!op.wal || wal_) && (!op.log || log_)) total += Weight(i);
  }
  // A swarm that switched every operation off still runs the stores' writes.
  if (total == 0)
    return wal_ && (!log_ || op_rng_.Chance(0.5)) ? OpKind::kWalSave : OpKind::kLogStore;
  uint64_t draw = op_rng_.Below(total);
  for (size_t i = 0; i < std::size(kOpTable); i++) {
    const OpWeight& op = kOpTable[i];
    if ((op.wal && !wal_) || (op.log && !log_)) continue;
    if (draw < Weight(i)) return op.kind;
    draw -= Weight(i);
  }
  WALSIM_UNREACHABLE();
}

void Generator::Operation() {
  switch (ChooseOp()) {
    case OpKind::kWalSave:
      return WalSave(/*overwrite=*/false);
    case OpKind::kWalOverwrite:
      return WalSave(/*overwrite=*/true);
    case OpKind::kWalCommit:
      return WalCommit();
    case OpKind::kWalElection:
      return WalElection();
    case OpKind::kWalSnapshot:
      return WalSnapshot();
    case OpKind::kWalCut:
      return Emit("wal-cut", {});
    case OpKind::kLogStore:
      return LogStore();
    case OpKind::kLogGet:
      return LogGet();
    case OpKind::kLogDeletePrefix:
      return LogDelete(/*prefix=*/true);
    case OpKind::kLogDeleteSuffix:
      return LogDelete(/*prefix=*/false);
    case OpKind::kCrashCheck:
      return Check(/*crash=*/true);
    case OpKind::kCheck:
      return Check(/*crash=*/false);
  }
}

// A batch after the last entry, or (overwrite) a new leader's batch that
// replaces an uncommitted suffix with a higher term, as raft does.
void Generator::WalSave(bool overwrite) {
  WalBelief& w = wal_belief_;
  const uint64_t lowest = std::max(w.commit, w.snapshot_index) + 1;
  overwrite = w.resync || (overwrite && lowest <= w.last());
  uint64_t first = w.last() + 1;
  if (w.resync) {
    // After a check under faults: continue from what is surely there, as a
    // new leader would (raft's overwrite rule replaces whatever survived).
    first = w.certain_last + 1;
    w.commit = std::min(w.commit, w.certain_last);
    w.snapshot_index = std::min(w.snapshot_index, w.certain_last);
    w.resync = false;
  } else if (overwrite) {
    first = wal_rng_.Between(lowest, w.last());
  }
  const uint64_t count = wal_rng_.Between(1, swarm_.batch_entry_count_max);
  std::vector<ScriptArg> args;
  if (w.term == 0 || overwrite) {
    w.term++;  // the first election, or a new leader
    w.vote = wal_rng_.Between(1, 3);
    args.push_back(Arg("term", w.term));
    args.push_back(Arg("vote", w.vote));
  }
  w.terms.resize(first - 1);
  w.terms.insert(w.terms.end(), count, w.term);
  if (wal_rng_.Chance(0.4)) {
    w.commit = wal_rng_.Between(w.commit, std::max(w.commit, first - 1));
    args.push_back(Arg("commit", w.commit));
  }
  args.push_back(Arg("entries", std::to_string(first) + ".." + std::to_string(first + count - 1)));
  args.push_back(Arg("entry-term", w.term));
  if (wal_rng_.Chance(swarm_.huge_entry_probability)) {
    args.push_back(Arg("bytes", wal_rng_.Between(kWalHugeEntryBytesMin, kWalHugeEntryBytesMax)));
  } else if (wal_rng_.Chance(swarm_.large_entry_probability)) {
    args.push_back(Arg("bytes", wal_rng_.Between(100, kWalEntryBytesMax)));
  }
  if (uncertain_) {
    w.certain_last = std::min(w.certain_last, first - 1);
  } else {
    w.certain_last = w.last();
  }
  WALSIM_ASSERT(w.commit <= w.last() && w.terms.size() == first + count - 1);
  WALSIM_ASSERT(w.certain_last <= w.last());
  Emit("wal-save", std::move(args));
}

// A HardState-only save advancing the commit index: raft does not sync it.
void Generator::WalCommit() {
  WalBelief& w = wal_belief_;
  if (w.commit >= w.last()) return WalSave(/*overwrite=*/false);
  w.commit = wal_rng_.Between(w.commit + 1, w.last());
  Emit("wal-save", {Arg("commit", w.commit)});
}

// A term and vote change without entries: synced by the MustSync rule.
void Generator::WalElection() {
  WalBelief& w = wal_belief_;
  w.term++;
  w.vote = wal_rng_.Between(1, 3);
  Emit("wal-save", {Arg("term", w.term), Arg("vote", w.vote)});
}

// A snapshot at a committed index. Without fault rules (so every operation
// succeeds) the node then releases and purges what the snapshot covers, as
// etcd's server does; under faults a purge comes only after a check (see
// Check), where the reopened WAL holds locks on every file it still needs.
void Generator::WalSnapshot() {
  WalBelief& w = wal_belief_;
  // Sometimes a snapshot of entries not yet committed in the WAL, then the
  // HardState that commits them (a commit-only Save: not synced), as raft
  // does when a follower installs a leader's snapshot.
  const bool ahead = wal_rng_.Chance(swarm_.snapshot_ahead_probability);
  // Under faults only entries surely in the WAL are snapshotted.
  const uint64_t committed = ahead ? w.last() : w.commit;
  const uint64_t highest = uncertain_ ? std::min(committed, w.certain_last) : committed;
  if (highest <= w.snapshot_index) return WalCommit();
  w.snapshot_index = wal_rng_.Between(w.snapshot_index + 1, highest);
  Emit("wal-snapshot",
       {Arg("index", w.snapshot_index), Arg("term", w.terms[w.snapshot_index - 1])});
  if (w.snapshot_index > w.commit) {
    w.commit = w.snapshot_index;
    Emit("wal-save", {Arg("commit", w.commit)});
  }
  if (options_.purge_past_snapshot) {
    Emit("wal-release", {Arg("index", w.last())});
    Emit("wal-purge", {Arg("keep", 1)});
  } else if (!faulty_ && wal_rng_.Chance(0.5)) {
    Emit("wal-release", {Arg("index", w.snapshot_index)});
    Emit("wal-purge", {Arg("keep", wal_rng_.Between(1, 2))});
  }
}

void Generator::LogStore() {
  LogBelief& l = log_belief_;
  const uint64_t count = log_rng_.Between(1, swarm_.batch_entry_count_max);
  if (log_rng_.Chance(0.1)) l.term++;
  std::vector<ScriptArg> args = {Arg("first", l.last + 1), Arg("count", count),
                                 Arg("term", l.term)};
  if (log_rng_.Chance(0.1)) args.push_back(Arg("type", log_rng_.Between(0, 5)));
  if (log_rng_.Chance(swarm_.large_entry_probability)) {
    args.push_back(Arg("bytes", log_rng_.Between(200, kLogEntryBytesMax)));
  }
  if (l.empty()) l.first = l.last + 1;
  l.last += count;
  l.issued_last = std::max(l.issued_last, l.last);
  if (!uncertain_) l.certain_last = l.last;
  Emit("log-store", std::move(args));
}

void Generator::LogGet() {
  const LogBelief& l = log_belief_;
  // Mostly a stored entry; sometimes one past the end (not found).
  const uint64_t index = !l.empty() && log_rng_.Chance(0.85) ? log_rng_.Between(l.first, l.last)
                                                             : l.last + log_rng_.Between(1, 3);
  Emit("log-get", {Arg("index", index)});
}

// Compaction of a prefix, or raft's conflict truncation of a suffix (the
// next batch then comes with a higher term).
void Generator::LogDelete(bool prefix) {
  LogBelief& l = log_belief_;
  if (l.empty()) return LogStore();
  if (prefix) {
    const uint64_t max_index =
        log_rng_.Chance(0.1) ? l.last : log_rng_.Between(l.first, std::max(l.first, l.last - 1));
    Emit("log-delete", {Arg("min", l.first), Arg("max", max_index)});
    l.first = max_index + 1;
    return;
  }
  const uint64_t min_index = log_rng_.Between(l.first, l.last);
  Emit("log-delete", {Arg("min", min_index), Arg("max", l.last)});
  l.last = min_index - 1;
  l.certain_last = std::min(l.certain_last, l.last);
  if (l.empty()) l.first = l.last + 1;
  l.term++;
}

// A check, after a crash or not; after a check the WAL is freshly reopened
// from its durable snapshot, the one moment a purge is safe under faults.
void Generator::Check(bool crash) {
  EmitCheck(crash);
  if (wal_ && op_rng_.Chance(0.2)) Emit("wal-purge", {Arg("keep", op_rng_.Between(1, 3))});
  if (uncertain_) Resync();
}

void Generator::EmitCheck(bool crash) {
  if (crash) {
    constexpr std::string_view kModels[] = {"clean", "prefix", "reorder"};
    if (op_rng_.Chance(0.3)) {
      Emit("crash", {Arg("model", std::string(Pick(op_rng_, kModels)))});
    } else {
      Emit("crash", {});
    }
    if (op_rng_.Chance(swarm_.recovery_crash_probability)) {
      Emit("check", {Arg("recovery-crash", op_rng_.Between(1, kRecoveryCrashOpIndexMax))});
      return;
    }
  }
  Emit("check", {});
}

// Liveness (the VOPR's): once the faults stop, the recovered stores must
// take writes again, and keep them across a crash.
void Generator::Liveness() {
  Emit("faults-off", {});
  if (uncertain_) Resync();
  if (wal_) WalSave(/*overwrite=*/false);
  if (log_) LogStore();
  EmitCheck(/*crash=*/true);
}

// After a check under faults the generator no longer knows what each
// component holds: the WAL's next save overwrites from its certain last
// index, and the LogStore drops everything after its certain last index (a
// suffix delete, or nothing when the store is shorter), so the operations
// that follow are contiguous whatever the faults did.
void Generator::Resync() {
  if (wal_) wal_belief_.resync = true;
  if (!log_) return;
  LogBelief& l = log_belief_;
  // Sometimes build on what may have survived instead (a node that trusts
  // its restarted store): the belief stays "every operation succeeded", so
  // the next batch continues after the last one issued. If the store dropped
  // it, the batch is a gap the store and the contract both reject; if the
  // store kept a batch that was never durable, the next crash shows it.
  if (op_rng_.Chance(0.5)) return;
  if (l.issued_last > l.certain_last) {
    Emit("log-delete", {Arg("min", l.certain_last + 1), Arg("max", l.issued_last)});
  }
  l.last = l.certain_last;
  l.first = std::min(l.first, l.last + 1);
  l.term++;
}

bool NeedsQuotes(std::string_view value) {
  if (value.empty()) return true;
  return value.find_first_of(" \"\\") != std::string_view::npos;
}

}  // namespace

std::string_view WorkloadComponentName(WorkloadComponent component) {
  switch (component) {
    case WorkloadComponent::kWal:
      return "wal";
    case WorkloadComponent::kLogStore:
      return "logstore";
    case WorkloadComponent::kBoth:
      return "both";
  }
  WALSIM_UNREACHABLE();
}

std::optional<WorkloadComponent> ParseWorkloadComponent(std::string_view name) {
  for (WorkloadComponent component :
       {WorkloadComponent::kWal, WorkloadComponent::kLogStore, WorkloadComponent::kBoth}) {
    if (WorkloadComponentName(component) == name) return component;
  }
  return std::nullopt;
}

Script GenerateWorkload(uint64_t seed, const WorkloadOptions& options) {
  return Generator(seed, options).Generate();
}

std::string WorkloadFlags(const WorkloadOptions& options) {
  std::string flags = "--ops " + std::to_string(options.op_count) + " --component " +
                      std::string(WorkloadComponentName(options.component));
  if (options.illegal) flags += " --illegal";
  if (options.torn_sectors) flags += " --torn-sectors";
  if (options.purge_past_snapshot) flags += " --purge-past-snapshot";
  return flags;
}

std::string FormatCommandLine(std::string_view name, const std::vector<ScriptArg>& args) {
  std::string line(name);
  for (const ScriptArg& arg : args) {
    WALSIM_ASSERT(!arg.key.empty() && arg.key.find_first_of(" =\"") == std::string::npos);
    line += " " + arg.key + "=";
    if (!NeedsQuotes(arg.value)) {
      line += arg.value;
      continue;
    }
    line += '"';
    for (char c : arg.value) {
      if (c == '"' || c == '\\') line += '\\';
      line += c;
    }
    line += '"';
  }
  WALSIM_ASSERT(line.find('\n') == std::string::npos);
  return line;
}

ScriptBlock MakeBlock(std::string_view name, std::vector<ScriptArg> args) {
  ScriptBlock block;
  block.name = name;
  block.command_text = FormatCommandLine(name, args);
  block.args = std::move(args);
  return block;
}

Script Reparse(const Script& script) {
  std::vector<std::string> expected;
  expected.reserve(script.blocks.size());
  for (const ScriptBlock& block : script.blocks) expected.push_back(block.expected);
  Result<Script> parsed = ParseScript(RenderScript(script, expected), script.file_name);
  WALSIM_ASSERT_MSG(parsed.ok(), "a generated script does not parse back");
  WALSIM_ASSERT(parsed->blocks.size() == script.blocks.size());
  return std::move(parsed).value();
}

}  // namespace walsim::scenarios
