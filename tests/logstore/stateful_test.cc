// Stateful property: SegmentStore on SimFs behaves exactly like InmemStore
// (the reference) under any sequence of stores, deletes, reads, reopens and
// crashes. Every acknowledged operation is synced, so after a crash under
// any crash model (clean, prefix, reorder; torn non-atomic sectors; size
// before data) the recovered log must equal the model exactly.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <memory>

#include "base/log.h"
#include "logstore/inmem_store.h"
#include "logstore/segment_store.h"
#include "sim/sim_fs.h"
#include "tests/logstore/logstore_test_util.h"

namespace walsim::logstore {
namespace {

using testing::ReadAll;

struct Model {
  std::vector<Log> logs;  // contiguous, in index order
};

struct System {
  explicit System(uint64_t seed)
      : fs(sim::SimOptions{.seed = seed, .atomic_sector = false, .size_before_data = true}) {
    options.segment_size_bytes = 4096;
    options.write_alignment_bytes = 512;
    options.logger = NullLogger();
    Reopen();
  }
  void Reopen() {
    store.reset();
    Result<std::unique_ptr<SegmentStore>> opened = SegmentStore::Open(fs, "/log", options);
    if (!opened.ok()) RC_FAIL("Open: " + opened.status().ToString());
    store = std::move(opened).value();
  }

  sim::SimFs fs;
  SegmentStoreOptions options;
  std::unique_ptr<SegmentStore> store;
};

using Command = rc::state::Command<Model, System>;

// The reference: an InmemStore holding the model's logs.
std::unique_ptr<InmemStore> Reference(const Model& model) {
  auto reference = std::make_unique<InmemStore>();
  RC_ASSERT(reference->StoreLogs(model.logs).ok());
  return reference;
}

uint64_t NextIndex(const Model& model) {
  return model.logs.empty() ? 0 : model.logs.back().index + 1;
}

void ExpectSameLog(const Model& model, System& system) {
  RC_ASSERT(ReadAll(*system.store) == model.logs);
  uint64_t first = model.logs.empty() ? 0 : model.logs.front().index;
  RC_ASSERT(system.store->FirstIndex().value() == first);
  RC_ASSERT(system.store->LastIndex().value() == (model.logs.empty() ? 0 : NextIndex(model) - 1));
}

struct StoreBatch : Command {
  std::vector<Log> logs;
  explicit StoreBatch(const Model& model) {
    uint64_t next = NextIndex(model);
    uint64_t first =
        next == 0 ? *rc::gen::inRange<uint64_t>(0, 50)
                  : *rc::gen::weightedOneOf<uint64_t>(
                        {{8, rc::gen::just(next)}, {1, rc::gen::inRange<uint64_t>(0, next + 3)}});
    size_t count = *rc::gen::inRange<size_t>(1, 9);
    uint64_t term = *rc::gen::inRange<uint64_t>(1, 5);
    size_t data_bytes = *rc::gen::weightedOneOf<size_t>(
        {{6, rc::gen::inRange<size_t>(0, 80)}, {1, rc::gen::inRange<size_t>(300, 1500)}});
    for (size_t i = 0; i < count; i++) {
      logs.push_back(testing::MakeLog(first + i, term, std::string(data_bytes, 'a' + i % 26),
                                      static_cast<LogType>((first + i) % 6)));
    }
  }
  void apply(Model& model) const override {
    auto reference = Reference(model);
    if (reference->StoreLogs(logs).ok()) model.logs = ReadAll(*reference);
  }
  void run(const Model& model, System& system) const override {
    Status expected = Reference(model)->StoreLogs(logs);
    Status actual = system.store->StoreLogs(logs);
    RC_ASSERT(actual.code() == expected.code());
  }
  void show(std::ostream& os) const override {
    os << "StoreLogs(" << logs.front().index << " x " << logs.size() << ")";
  }
};

struct DeleteRange : Command {
  uint64_t min_index = 0;
  uint64_t max_index = 0;
  explicit DeleteRange(const Model& model) {
    uint64_t next = NextIndex(model);
    min_index = *rc::gen::inRange<uint64_t>(0, next + 3);
    max_index = *rc::gen::weightedOneOf<uint64_t>(
        {{3, rc::gen::inRange<uint64_t>(min_index, next + 3)}, {1, rc::gen::just(UINT64_MAX)}});
  }
  void apply(Model& model) const override {
    auto reference = Reference(model);
    if (reference->DeleteRange(min_index, max_index).ok()) model.logs = ReadAll(*reference);
  }
  void run(const Model& model, System& system) const override {
    Status expected = Reference(model)->DeleteRange(min_index, max_index);
    Status actual = system.store->DeleteRange(min_index, max_index);
    RC_ASSERT(actual.code() == expected.code());
  }
  void show(std::ostream& os) const override {
    os << "DeleteRange(" << min_index << ", " << max_index << ")";
  }
};

struct GetLog : Command {
  uint64_t index = 0;
  explicit GetLog(const Model& model) {
    index = *rc::gen::inRange<uint64_t>(0, NextIndex(model) + 2);
  }
  void run(const Model& model, System& system) const override {
    Log expected;
    Log actual;
    Status expected_status = Reference(model)->GetLog(index, &expected);
    Status actual_status = system.store->GetLog(index, &actual);
    RC_ASSERT(actual_status.code() == expected_status.code());
    if (expected_status.ok()) RC_ASSERT(actual == expected);
  }
  void show(std::ostream& os) const override { os << "GetLog(" << index << ")"; }
};

struct Reopen : Command {
  void run(const Model& model, System& system) const override {
    RC_ASSERT(system.store->Close().ok());
    system.Reopen();
    ExpectSameLog(model, system);
  }
  void show(std::ostream& os) const override { os << "Reopen"; }
};

struct CrashAndReopen : Command {
  sim::CrashModel crash_model = *rc::gen::element(sim::CrashModel::kClean, sim::CrashModel::kPrefix,
                                                  sim::CrashModel::kReorder);
  void run(const Model& model, System& system) const override {
    system.fs.Crash(crash_model);
    system.Reopen();
    ExpectSameLog(model, system);
  }
  void show(std::ostream& os) const override {
    os << "CrashAndReopen(" << sim::CrashModelName(crash_model) << ")";
  }
};

RC_GTEST_PROP(SegmentStoreStatefulTest, MatchesInmemStoreAcrossReopensAndCrashes, ()) {
  uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  System system(seed);
  rc::state::check(Model{}, system,
                   rc::state::gen::execOneOfWithArgs<StoreBatch, StoreBatch, DeleteRange, GetLog,
                                                     Reopen, CrashAndReopen>());
}

}  // namespace
}  // namespace walsim::logstore
