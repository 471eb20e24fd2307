#include "scenarios/targets/leveldb_target.h"

#include <leveldb/db.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "base/assert.h"
#include "base/rng.h"
#include "engines/leveldb/leveldb_env.h"
#include "faults/crash_point_fs.h"
#include "sim/sim_fs.h"

namespace walsim::targets {

namespace {

using Model = PrefixModel<std::string>;
constexpr char kDbPath[] = "/db";
constexpr uint64_t kKeySpace = 500;
constexpr size_t kValueBytesMax = 4096;
constexpr size_t kIdBytes = 8;
constexpr size_t kDrainItemsMax = 100000;
constexpr int kLevelCount = 7;  // leveldb::config::kNumLevels

std::string KeyName(uint64_t index) {
  char buffer[24];
  std::snprintf(buffer, sizeof(buffer), "k%06llu", static_cast<unsigned long long>(index));
  return buffer;
}

// A value: its id (8 bytes, little-endian), then bytes derived from the id.
std::string ValueBytes(uint64_t id, size_t size_bytes) {
  WALSIM_ASSERT(size_bytes >= kIdBytes && size_bytes <= kValueBytesMax);
  std::string out(size_bytes, '\0');
  for (size_t i = 0; i < kIdBytes; i++) out[i] = static_cast<char>((id >> (8 * i)) & 0xFF);
  Rng filler(id);
  filler.Fill({reinterpret_cast<uint8_t*>(out.data()) + kIdBytes, size_bytes - kIdBytes});
  return out;
}

std::optional<uint64_t> DecodeValue(const leveldb::Slice& value) {
  if (value.size() < kIdBytes || value.size() > kValueBytesMax) return std::nullopt;
  uint64_t id = 0;
  for (size_t i = 0; i < kIdBytes; i++) {
    id |= uint64_t{static_cast<uint8_t>(value[i])} << (8 * i);
  }
  if (ValueBytes(id, value.size()) != value.ToString()) return std::nullopt;
  return id;
}

// The workaround of docs/findings.md: the parent directory is synced after
// every file LevelDB creates, as ext4 and xfs in practice persist a new
// entry with the file's first fsync. With sync_dir_on_create off it passes
// every call through unchanged.
class DirSyncOnCreateFs final : public fs::FileSystem {
 public:
  DirSyncOnCreateFs(fs::FileSystem& inner, bool enabled) : inner_(inner), enabled_(enabled) {}
  Result<std::unique_ptr<fs::File>> Open(std::string_view path, fs::OpenOptions options) override {
    const bool created = enabled_ && options.create && !inner_.Stat(path).ok();
    Result<std::unique_ptr<fs::File>> file = inner_.Open(path, options);
    if (!file.ok() || !created) return file;
    const size_t slash = path.rfind('/');
    const std::string parent(slash == 0 ? "/" : path.substr(0, slash));
    if (Status synced = inner_.SyncDir(parent); !synced.ok()) return synced;
    return file;
  }
  Status Remove(std::string_view path) override { return inner_.Remove(path); }
  Status Rename(std::string_view from, std::string_view to) override {
    return inner_.Rename(from, to);
  }
  Result<std::vector<std::string>> List(std::string_view dir) override { return inner_.List(dir); }
  Status MkDir(std::string_view path) override { return inner_.MkDir(path); }
  Result<fs::FileInfo> Stat(std::string_view path) override { return inner_.Stat(path); }
  Status SyncDir(std::string_view path) override { return inner_.SyncDir(path); }
  Result<std::unique_ptr<fs::FileLock>> Lock(std::string_view path) override {
    return inner_.Lock(path);
  }

 private:
  fs::FileSystem& inner_;
  bool enabled_;
};

class LevelDbRun {
 public:
  LevelDbRun(uint64_t seed, const LevelDbTargetOptions& options)
      : options_(options),
        rng_(Rng(seed).Stream("targets/leveldb/workload")),
        disk_(DiskOptions(seed)),
        power_(disk_),
        dir_sync_(power_, options.sync_dir_on_create),
        env_(dir_sync_, {}) {
    outcome_.seed = seed;
    disk_.set_trace_enabled(options.keep_trace);
  }

  EngineOutcome Run();

 private:
  static sim::SimOptions DiskOptions(uint64_t seed) {
    Rng rng = Rng(seed).Stream("targets/leveldb/disk");
    sim::SimOptions options;
    options.seed = seed;
    const uint32_t sectors[] = {512, 1024, 4096};
    options.sector_size_bytes = sectors[rng.Below(3)];
    options.atomic_sector = rng.Chance(0.5);
    options.crash_model = static_cast<sim::CrashModel>(rng.Below(sim::kCrashModelCount));
    options.size_before_data = rng.Chance(0.3);
    return options;
  }

  leveldb::Status Open(bool paranoid);
  void CloseDb();
  void Drain() { (void)env_.RunScheduled(kDrainItemsMax); }
  bool ReadAll(Model::State* state, std::string* problem);
  bool CheckRecovery();
  void Evaluate(const Model::State& recovered, const std::string& at, bool count);
  leveldb::Status WriteOne(bool* applied);
  void NoteLevels();

  const LevelDbTargetOptions options_;
  Rng rng_;
  sim::SimFs disk_;
  faults::CrashPointFs power_;
  DirSyncOnCreateFs dir_sync_;
  engines::LevelDbEnv env_;
  std::unique_ptr<leveldb::DB> db_;
  Model model_;
  Model::State current_;      // the model after every acknowledged unit
  size_t acked_ = 0;          // units acknowledged (== model_ units unless one is in flight)
  size_t synced_prefix_ = 0;  // units covered by the last acknowledged sync=true write
  uint64_t next_value_id_ = 1;
  EngineOutcome outcome_;
  bool stop_ = false;
};

leveldb::Status LevelDbRun::Open(bool paranoid) {
  leveldb::Options options;
  options.env = &env_;
  options.create_if_missing = true;
  options.paranoid_checks = paranoid;
  options.write_buffer_size = 64 << 10;
  options.max_file_size = 1 << 20;
  leveldb::DB* db = nullptr;
  leveldb::Status s = leveldb::DB::Open(options, kDbPath, &db);
  db_.reset(db);
  Drain();
  return s;
}

void LevelDbRun::CloseDb() {
  Drain();  // ~DBImpl waits for scheduled work: run it first
  db_.reset();
}

bool LevelDbRun::ReadAll(Model::State* state, std::string* problem) {
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::optional<uint64_t> id = DecodeValue(it->value());
    if (!id.has_value()) {
      *problem = "key " + it->key().ToString() + " holds bytes never written";
      return false;
    }
    (*state)[it->key().ToString()] = *id;
  }
  if (!it->status().ok()) *problem = "iteration failed: " + it->status().ToString();
  it.reset();
  Drain();
  return problem->empty();
}

// count: add to the outcome's loss counters (the relaxed open only, so that
// one crash counts once); the verdict notes both opens.
void LevelDbRun::Evaluate(const Model::State& recovered, const std::string& at, bool count) {
  const size_t hi = model_.unit_count();
  const std::optional<size_t> prefix = model_.FindPrefix(recovered, hi);
  if (prefix.has_value()) {
    if (*prefix < synced_prefix_) {
      if (count) outcome_.lost_acked_unit_count += acked_ - *prefix;
      outcome_.Note(EngineVerdict::kViolation,
                    at + "recovered the writes up to " + std::to_string(*prefix) +
                        " but a sync=true write acknowledged " + std::to_string(synced_prefix_));
    } else if (*prefix < acked_) {
      if (count) {
        outcome_.unsynced_loss_count++;
        outcome_.lost_acked_unit_count += acked_ - *prefix;
      }
      outcome_.Note(EngineVerdict::kAllowedLoss,
                    at + std::to_string(acked_ - *prefix) +
                        " unsynced writes lost, a prefix kept (allowed: sync=false)");
    }
    return;
  }
  if (count) outcome_.not_prefix_count++;
  if (model_.EveryKeyWithin(recovered, synced_prefix_, hi)) {
    outcome_.Note(EngineVerdict::kAllowedLoss,
                  at + "unsynced writes kept out of order (not a prefix); every synced write kept");
  } else {
    outcome_.Note(EngineVerdict::kViolation,
                  at + "recovered state is no prefix and misses synced writes (synced prefix " +
                      std::to_string(synced_prefix_) + " of " + std::to_string(hi) + ")");
  }
}

bool LevelDbRun::CheckRecovery() {
  const std::string at = "after crash " + std::to_string(outcome_.crash_count) + ": ";
  Model::State recovered;
  std::string problem;
  leveldb::Status s = Open(/*paranoid=*/true);
  if (!s.ok()) {
    outcome_.paranoid_refusal_count++;
  } else if (ReadAll(&recovered, &problem)) {
    Evaluate(recovered, at + "paranoid open: ", /*count=*/false);
  }
  CloseDb();
  s = Open(/*paranoid=*/false);
  if (!s.ok()) problem = "DB::Open(paranoid_checks=false) failed: " + s.ToString();
  Model::State relaxed;
  if (problem.empty() && ReadAll(&relaxed, &problem)) {
    Evaluate(relaxed, at, /*count=*/true);
  }
  if (!problem.empty()) {
    outcome_.corrupt_recovery_count++;
    outcome_.Note(EngineVerdict::kViolation, at + problem);
    stop_ = true;
    return false;
  }
  // Continue from what LevelDB recovered.
  const std::optional<size_t> prefix = model_.FindPrefix(relaxed, model_.unit_count());
  if (prefix.has_value()) {
    model_.Truncate(*prefix);
  } else {
    model_.Rebase(relaxed);
  }
  acked_ = model_.unit_count();
  synced_prefix_ = acked_;  // recovered state is now on disk (Open synced its recovery)
  current_ = model_.StateAt(acked_);
  return true;
}

leveldb::Status LevelDbRun::WriteOne(bool* applied) {
  *applied = false;
  leveldb::WriteBatch batch;
  Model::Unit unit;
  const uint64_t kind = rng_.Below(10);
  const uint64_t op_count = kind < 2 ? rng_.Between(2, 8) : 1;
  for (uint64_t i = 0; i < op_count; i++) {
    const std::string key = KeyName(rng_.Below(kKeySpace));
    if (kind == 9 || (kind < 2 && rng_.Chance(0.2))) {
      batch.Delete(key);
      unit.push_back({key, std::nullopt});
    } else {
      const uint64_t id = next_value_id_++;
      batch.Put(key, ValueBytes(id, rng_.Between(100, kValueBytesMax)));
      unit.push_back({key, id});
    }
  }
  leveldb::WriteOptions write_options;
  write_options.sync = rng_.Chance(options_.sync_probability);
  model_.Append(unit);  // in flight until acknowledged
  leveldb::Status s = db_->Write(write_options, &batch);
  Drain();
  if (!s.ok()) return s;
  acked_++;
  outcome_.acked_unit_count++;
  if (write_options.sync) synced_prefix_ = acked_;
  Model::Apply(current_, unit);
  *applied = true;
  return s;
}

void LevelDbRun::NoteLevels() {
  for (int level = kLevelCount - 1; level > outcome_.deepest_level; level--) {
    std::string value;
    if (db_->GetProperty("leveldb.num-files-at-level" + std::to_string(level), &value) &&
        value != "0") {
      outcome_.deepest_level = level;
      return;
    }
  }
}

EngineOutcome LevelDbRun::Run() {
  if (!disk_.MkDir(kDbPath).ok() || !disk_.SyncDir("/").ok()) {
    outcome_.Note(EngineVerdict::kHarnessError, "setup of the disk failed");
    return outcome_;
  }
  for (uint32_t life = 0; life <= options_.crash_count && !stop_; life++) {
    if (life > 0) {
      if (!CheckRecovery()) break;
    } else if (leveldb::Status s = Open(false); !s.ok()) {
      outcome_.Note(EngineVerdict::kHarnessError, "first DB::Open failed: " + s.ToString());
      break;
    }
    if (life == options_.crash_count) break;
    power_.set_trip_at_op_index(power_.op_index() + 1 + rng_.Below(options_.crash_window_ops));
    for (uint32_t w = 0; w < options_.writes_per_life_max && !stop_; w++) {
      bool applied = false;
      leveldb::Status s = WriteOne(&applied);
      if (!s.ok() && !power_.tripped()) {
        outcome_.Note(EngineVerdict::kHarnessError,
                      "a write failed without a crash: " + s.ToString());
        stop_ = true;
      }
      if (!applied) break;
      model_.Truncate(acked_);  // nothing in flight once acknowledged
      if (rng_.Chance(0.02)) {
        Model::State seen;
        std::string problem;
        if (!ReadAll(&seen, &problem) || seen != current_) {
          if (power_.tripped()) break;
          outcome_.Note(EngineVerdict::kViolation,
                        "iteration before any crash differs from the "
                        "writes: " +
                            problem);
          stop_ = true;
        }
      }
    }
    if (db_ != nullptr) NoteLevels();
    power_.Trip();  // the power goes: nothing LevelDB does from here reaches the disk
    CloseDb();
    disk_.Crash();
    power_.Reset();
    outcome_.crash_count++;
  }
  CloseDb();
  outcome_.sim_op_count = disk_.op_count();
  outcome_.trace_hash = disk_.trace_hash();
  if (options_.keep_trace) outcome_.trace = disk_.trace();
  return outcome_;
}

}  // namespace

EngineOutcome RunLevelDbSeed(uint64_t seed, const LevelDbTargetOptions& options) {
  return LevelDbRun(seed, options).Run();
}

}  // namespace walsim::targets
