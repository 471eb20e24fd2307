#include "tools/soak_check.h"

#include <optional>
#include <utility>

#include "base/assert.h"
#include "fs/posix_fs.h"
#include "scenarios/model/log_model.h"
#include "scenarios/model/wal_model.h"
#include "tools/soak_store.h"

namespace walsim::tools {
namespace {

using scenarios::FaultClass;
using scenarios::Invariant;
using scenarios::Verdict;

Verdict CloseFailed(const Status& status, uint64_t op_number) {
  return {Invariant::kRecovers, op_number,
          "the parent's close after its check failed: " + status.ToString()};
}

class WalSoakChecker final : public SoakChecker {
 public:
  WalSoakChecker(std::string dir, uint64_t seed) : dir_(std::move(dir)), seed_(seed) {}

  void StartCycle(uint64_t cycle, uint64_t op_number) override {
    model_ = scenarios::WalModel();
    if (recovered_.created) {
      model_.Create(recovered_.metadata, op_number);
      if (recovered_.snapshot.index != 0) {
        model_.BeginSnapshot(recovered_.snapshot, op_number);
        model_.Acknowledge(true);
      }
      (void)model_.BeginSave(recovered_.hard_state, recovered_.entries, op_number);
      model_.Acknowledge(true);
    }
    workload_.emplace(seed_, cycle, recovered_);
  }

  uint64_t ExpectedDigest() const override { return WalSoakDigest(recovered_); }

  std::vector<std::string> ChildArgs() const override {
    return {"--snapshot-index", std::to_string(recovered_.snapshot.index),
            "--snapshot-term",  std::to_string(recovered_.snapshot.term),
            "--wal-exists",     recovered_.created ? "1" : "0"};
  }
  bool Tolerates(std::string_view op_name, std::string_view fault) const override {
    return op_name == "reopen" && fault == "pwrite enospc";
  }

  std::string Begin(uint64_t op_number) override {
    WalSoakOp op = workload_->Next();
    pending_synced_ = true;
    switch (op.kind) {
      case WalSoakOpKind::kCreate:
        model_.BeginCreate(op.metadata, op_number);
        break;
      case WalSoakOpKind::kSave:
        pending_synced_ = model_.BeginSave(op.hard_state, op.entries, op_number);
        break;
      case WalSoakOpKind::kSnapshot:
        model_.BeginSnapshot(op.snapshot, op_number);
        break;
      case WalSoakOpKind::kCut:
        break;
      case WalSoakOpKind::kPurge:
        pending_synced_ = false;  // writes no record
        break;
    }
    return std::string(WalSoakOpName(op.kind));
  }

  void Acknowledge() override { model_.Acknowledge(pending_synced_); }

  Verdict RecoverAndCheckOn(fs::FileSystem& fs, uint64_t op_number) override {
    scenarios::WalRecovery recovery;
    recovery.snapshot = model_.DurableSnapshot();
    Result<WalRecoveryOutcome> outcome = RecoverSoakWal(fs, dir_, recovery.snapshot);
    if (!outcome.ok() && outcome.status().Is(StatusCode::kNotFound) &&
        model_.durable_count() == 0 && !wal::Exists(fs, dir_)) {
      model_.ResolveTo(0);  // a Create never acknowledged may leave nothing
      recovered_ = WalSoakState();
      return Verdict::Ok();
    }
    recovery.status = outcome.status();
    if (outcome.ok()) {
      wal::ReadAllResult result;
      result.metadata = outcome->state.metadata;
      result.hard_state = outcome->state.hard_state;
      result.entries = outcome->state.entries;
      recovery.result = std::move(result);
    }
    Verdict verdict = scenarios::CheckWalRecovery(&model_, recovery, FaultClass::kLegal, op_number);
    if (!verdict.ok() || !outcome.ok()) return verdict;
    recovered_ = std::move(outcome->state);
    Status closed = outcome->handle->Close();
    if (!closed.ok()) return CloseFailed(closed, op_number);
    return verdict;
  }

  std::string DescribeRecovered() const override {
    const uint64_t last_index =
        recovered_.entries.empty() ? recovered_.snapshot.index : recovered_.entries.back().index;
    return "entries=" + std::to_string(recovered_.entries.size()) +
           " last=" + std::to_string(last_index) +
           " snapshot=" + std::to_string(recovered_.snapshot.index) +
           " commit=" + std::to_string(recovered_.hard_state.commit);
  }

 private:
  std::string dir_;
  uint64_t seed_;
  WalSoakState recovered_;
  scenarios::WalModel model_;
  std::optional<WalSoakWorkload> workload_;
  bool pending_synced_ = false;
};

class LogSoakChecker final : public SoakChecker {
 public:
  LogSoakChecker(std::string dir, uint64_t seed) : dir_(std::move(dir)), seed_(seed) {}

  void StartCycle(uint64_t cycle, uint64_t op_number) override {
    model_ = scenarios::LogModel();
    if (!recovered_.empty()) {
      std::vector<logstore::Log> logs;
      logs.reserve(recovered_.size());
      for (const auto& [index, log] : recovered_) logs.push_back(log);
      Status begun = model_.BeginStore(logs, op_number);
      WALSIM_ASSERT(begun.ok());
      model_.Acknowledge();
      model_.ResolveTo(1);
    }
    workload_.emplace(seed_, cycle, recovered_);
  }

  uint64_t ExpectedDigest() const override { return LogSoakDigest(recovered_); }
  std::vector<std::string> ChildArgs() const override { return {}; }
  bool Tolerates(std::string_view op_name, std::string_view fault) const override {
    return fault.starts_with("unlink ") && (op_name == "delete" || op_name == "reopen");
  }

  std::string Begin(uint64_t op_number) override {
    LogSoakOp op = workload_->Next();
    const bool store = op.kind == scenarios::LogModelOp::Kind::kStore;
    Status begun = store ? model_.BeginStore(op.logs, op_number)
                         : model_.BeginDelete(op.min_index, op.max_index, op_number);
    // The workload draws only operations the contract accepts.
    WALSIM_ASSERT(begun.ok());
    return store ? "store" : "delete";
  }

  void Acknowledge() override { model_.Acknowledge(); }

  Verdict RecoverAndCheckOn(fs::FileSystem& fs, uint64_t op_number) override {
    Result<LogRecoveryOutcome> outcome = RecoverSoakLog(fs, dir_);
    scenarios::LogRecovery recovery;
    recovery.status = outcome.status();
    if (outcome.ok()) recovery.state = outcome->state;
    Verdict verdict = scenarios::CheckLogRecovery(&model_, recovery, FaultClass::kLegal, op_number);
    if (!verdict.ok() || !outcome.ok()) return verdict;
    recovered_ = std::move(outcome->state);
    Status closed = outcome->store->Close();
    if (!closed.ok()) return CloseFailed(closed, op_number);
    return verdict;
  }

  std::string DescribeRecovered() const override {
    const uint64_t first = recovered_.empty() ? 0 : recovered_.begin()->first;
    const uint64_t last = recovered_.empty() ? 0 : recovered_.rbegin()->first;
    return "entries=" + std::to_string(recovered_.size()) + " first=" + std::to_string(first) +
           " last=" + std::to_string(last);
  }

 private:
  std::string dir_;
  uint64_t seed_;
  scenarios::LogState recovered_;
  scenarios::LogModel model_;
  std::optional<LogSoakWorkload> workload_;
};

}  // namespace

Verdict SoakChecker::RecoverAndCheck(uint64_t op_number) {
  fs::PosixFs fs;
  return RecoverAndCheckOn(fs, op_number);
}

std::unique_ptr<SoakChecker> MakeSoakChecker(SoakTarget target, std::string store_dir,
                                             uint64_t seed) {
  if (target == SoakTarget::kWal)
    return std::make_unique<WalSoakChecker>(std::move(store_dir), seed);
  return std::make_unique<LogSoakChecker>(std::move(store_dir), seed);
}

}  // namespace walsim::tools
