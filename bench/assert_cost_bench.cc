// What the assertions cost on the production paths: WAL Save and LogStore
// StoreLogs / GetLog, without sync, on tmpfs (/dev/shm), so that the CPU of
// the code (and its assertions) is what is timed, not the disk.
//
// The assertion tier is fixed when the libraries are compiled (base/assert.h),
// so this one source is built three times and the binaries are run side by
// side by bench/assert_cost.sh: WALSIM_ASSERTS=OFF (none), the `bench` preset
// (cheap asserts only, the release setting) and the default preset (cheap +
// slow, the test and torture setting). Each binary reports its tier in the
// benchmark context ("asserts"). Single-threaded.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "base/assert.h"
#include "base/log.h"
#include "base/rng.h"
#include "fs/posix_fs.h"
#include "logstore/segment_store.h"
#include "wal/wal.h"

namespace walsim {
namespace {

constexpr size_t kEntryBytes = 128;
constexpr uint64_t kGetLogStoreEntries = 200000;

const char* AssertTier() {
#ifdef WALSIM_ASSERTS_OFF
  return kSlowAssertsOn ? "slow-only" : "none";
#else
  return kSlowAssertsOn ? "cheap+slow" : "cheap";
#endif
}

// A fresh directory on tmpfs for this process and case.
std::string ShmDir(const std::string& name) {
  const std::string dir = "/dev/shm/walsim-assert-cost-" + std::to_string(getpid()) + "-" + name;
  std::filesystem::remove_all(dir);
  return dir;
}

void Check(const Status& status) {
  if (!status.ok()) {
    std::fprintf(stderr, "assert_cost_bench: %s\n", status.ToString().c_str());
    std::abort();
  }
}

// Save of state.range(0) x 128 B entries and a HardState, no sync.
void BM_WalSave(benchmark::State& state) {
  const auto batch_count = static_cast<size_t>(state.range(0));
  const std::string dir = ShmDir("wal");
  fs::PosixFs fs;
  wal::WalOptions options;
  options.logger = NullLogger();
  options.no_sync = true;
  auto created = wal::Wal::Create(fs, dir, "bench", options);
  Check(created.status());
  std::unique_ptr<wal::Wal> log = std::move(created).value();
  std::vector<wal::Entry> batch(
      batch_count, wal::Entry{1, 0, wal::EntryType::kNormal, std::string(kEntryBytes, 'w')});
  uint64_t index = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop idiom
    const uint64_t commit = index;
    for (wal::Entry& entry : batch) entry.index = ++index;
    Check(log->Save(wal::HardState{1, 1, commit}, batch));
  }
  state.SetItemsProcessed(static_cast<int64_t>(index));
  Check(log->Close());
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_WalSave)->Arg(1)->Arg(64);

logstore::SegmentStoreOptions StoreOptions() {
  logstore::SegmentStoreOptions options;
  options.no_sync = true;
  options.logger = NullLogger();
  return options;
}

std::vector<logstore::Log> Batch(uint64_t first_index, size_t count) {
  std::vector<logstore::Log> logs(count);
  for (size_t i = 0; i < count; i++) {
    logs[i].index = first_index + i;
    logs[i].term = 1;
    logs[i].data.assign(kEntryBytes, static_cast<char>('a' + i % 26));
  }
  return logs;
}

// StoreLogs of state.range(0) x 128 B entries, no sync.
void BM_StoreLogs(benchmark::State& state) {
  const auto batch_count = static_cast<size_t>(state.range(0));
  const std::string dir = ShmDir("store");
  fs::PosixFs fs;
  auto store = logstore::SegmentStore::Open(fs, dir, StoreOptions()).value();
  std::vector<logstore::Log> logs = Batch(1, batch_count);
  Check(store->StoreLogs(logs));  // creates the first segment: not timed
  uint64_t next_index = 1 + batch_count;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    for (size_t i = 0; i < batch_count; i++) logs[i].index = next_index + i;
    Check(store->StoreLogs(logs));
    next_index += batch_count;
  }
  state.SetItemsProcessed(static_cast<int64_t>(next_index - 1 - batch_count));
  Check(store->Close());
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_StoreLogs)->Arg(1)->Arg(64);

// GetLog of random indexes in a store of kGetLogStoreEntries entries.
void BM_GetLog(benchmark::State& state) {
  const std::string dir = ShmDir("get");
  fs::PosixFs fs;
  auto store = logstore::SegmentStore::Open(fs, dir, StoreOptions()).value();
  std::vector<logstore::Log> logs = Batch(1, 1000);
  for (uint64_t next_index = 1; next_index <= kGetLogStoreEntries; next_index += logs.size()) {
    for (size_t i = 0; i < logs.size(); i++) logs[i].index = next_index + i;
    Check(store->StoreLogs(logs));
  }
  Rng rng(7);
  logstore::Log log;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    Check(store->GetLog(1 + rng.Below(kGetLogStoreEntries), &log));
    benchmark::DoNotOptimize(log.data.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  Check(store->Close());
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_GetLog);

}  // namespace
}  // namespace walsim

int main(int argc, char** argv) {
  benchmark::AddCustomContext("asserts", walsim::AssertTier());
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
