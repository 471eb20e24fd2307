// SegmentStore benchmarks on the work disk (env WALSIM_BENCH_DIR, else a temp
// dir under the current directory), each next to its reference in the same
// binary:
//   StoreLog/128B with sync       vs  RawFloor: pwrite + fdatasync of the same
//                                     batch bytes at the same offsets of a
//                                     preallocated file
//   StoreLogs 64 x 128 B with sync
//   GetLog of random indexes (page cache), over a 1,000,000-entry store
//   Reopen of that 1,000,000-entry store
//   head DeleteRange of 100,000 vs 1,000,000 entries (whole segments)
// Results and commands: docs/performance.md.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/rng.h"
#include "fs/posix_fs.h"
#include "logstore/segment_format.h"
#include "logstore/segment_store.h"

namespace walsim::logstore {
namespace {

constexpr size_t kEntryBytes = 128;
constexpr uint64_t kLargeStoreEntries = 1000000;

std::string WorkDir(const std::string& name) {
  const char* root = std::getenv("WALSIM_BENCH_DIR");
  std::filesystem::path base = root != nullptr ? std::filesystem::path(root)
                                               : std::filesystem::current_path() / "logstore-bench";
  std::filesystem::path dir = std::filesystem::absolute(base / name).lexically_normal();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir.parent_path());
  return dir.string();
}

SegmentStoreOptions Options(bool no_sync = false) {
  SegmentStoreOptions options;
  options.no_sync = no_sync;
  options.logger = NullLogger();
  return options;
}

std::vector<Log> Batch(uint64_t first, size_t count, size_t entry_bytes = kEntryBytes) {
  std::vector<Log> logs(count);
  for (size_t i = 0; i < count; i++) {
    logs[i].index = first + i;
    logs[i].term = 1;
    logs[i].data.assign(entry_bytes, static_cast<char>('a' + i % 26));
  }
  return logs;
}

void Check(const Status& status) {
  if (!status.ok()) {
    std::fprintf(stderr, "logstore_bench: %s\n", status.ToString().c_str());
    std::abort();
  }
}

void StoreBatches(benchmark::State& state, size_t batch_entries) {
  fs::PosixFs fs;
  std::string dir = WorkDir("store-" + std::to_string(batch_entries));
  auto store = SegmentStore::Open(fs, dir, Options()).value();
  std::vector<Log> logs = Batch(1, batch_entries);
  uint64_t next = 1;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    for (size_t i = 0; i < batch_entries; i++) logs[i].index = next + i;
    Check(store->StoreLogs(logs));
    next += batch_entries;
  }
  state.SetItemsProcessed(static_cast<int64_t>(next - 1));
  state.SetBytesProcessed(static_cast<int64_t>((next - 1) * kEntryBytes));
  Check(store->Close());
}

void BM_StoreLog128(benchmark::State& state) { StoreBatches(state, 1); }
BENCHMARK(BM_StoreLog128)->UseRealTime()->MinTime(2.0);

void BM_StoreLogs64x128(benchmark::State& state) { StoreBatches(state, 64); }
BENCHMARK(BM_StoreLogs64x128)->UseRealTime()->MinTime(2.0);

// The floor: the exact bytes one StoreLog writes (its aligned batch), with
// pwrite + fdatasync at the same offsets of a preallocated file.
void BM_RawFloorStoreLog128(benchmark::State& state) {
  std::string path = WorkDir("floor") + ".dat";
  int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0644);
  uint64_t size_bytes = uint64_t{64} << 20;
  if (fd < 0 || ::posix_fallocate(fd, 0, static_cast<off_t>(size_bytes)) != 0 || ::fsync(fd) != 0) {
    state.SkipWithError("cannot prepare the floor file");
    return;
  }
  std::vector<Log> logs = Batch(1, 1);
  uint32_t alignment = Options().write_alignment_bytes;
  std::vector<uint8_t> bytes(format::BatchSizeBytes(logs, alignment));
  uint64_t offset = alignment;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    format::EncodeBatch(logs, logs[0].index, alignment, bytes);
    if (offset + bytes.size() > size_bytes) offset = alignment;
    if (::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset)) !=
            static_cast<ssize_t>(bytes.size()) ||
        ::fdatasync(fd) != 0) {
      state.SkipWithError("pwrite/fdatasync failed");
      break;
    }
    offset += bytes.size();
    logs[0].index++;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  ::close(fd);
}
BENCHMARK(BM_RawFloorStoreLog128)->UseRealTime()->MinTime(2.0);

// A store of `entries` entries, written without per-batch sync.
std::string BuildStore(const std::string& name, uint64_t entries,
                       size_t entry_bytes = kEntryBytes) {
  fs::PosixFs fs;
  std::string dir = WorkDir(name);
  auto store = SegmentStore::Open(fs, dir, Options(/*no_sync=*/true)).value();
  std::vector<Log> logs = Batch(1, 1000, entry_bytes);
  for (uint64_t next = 1; next <= entries; next += logs.size()) {
    for (size_t i = 0; i < logs.size(); i++) logs[i].index = next + i;
    Check(store->StoreLogs(logs));
  }
  Check(store->Close());
  return dir;
}

const std::string& LargeStore() {
  static const std::string dir = BuildStore("large", kLargeStoreEntries);
  return dir;
}

void BM_GetLogRandom(benchmark::State& state) {
  fs::PosixFs fs;
  auto store = SegmentStore::Open(fs, LargeStore(), Options()).value();
  Rng rng(7);
  Log log;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    Check(store->GetLog(1 + rng.Below(kLargeStoreEntries), &log));
    benchmark::DoNotOptimize(log.data.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_GetLogRandom)->MinTime(2.0);

void BM_Reopen1M(benchmark::State& state) {
  fs::PosixFs fs;
  const std::string& dir = LargeStore();
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    auto store = SegmentStore::Open(fs, dir, Options()).value();
    benchmark::DoNotOptimize(store.get());
    Check(store->Close());
  }
}
BENCHMARK(BM_Reopen1M)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

// Deletes the first `entries` entries of a store holding entries + 1000. The
// two cases delete the same bytes (the same segments) as 100,000 x 1,152 B
// and 1,000,000 x 128 B entries: equal times show the cost does not depend on
// the entry count.
void BM_HeadDelete(benchmark::State& state) {
  fs::PosixFs fs;
  uint64_t entries = static_cast<uint64_t>(state.range(0));
  size_t entry_bytes = static_cast<size_t>(state.range(1));
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    state.PauseTiming();
    std::string dir = BuildStore("delete-" + std::to_string(entries), entries + 1000, entry_bytes);
    auto store = SegmentStore::Open(fs, dir, Options()).value();
    state.ResumeTiming();
    Check(store->DeleteRange(1, entries));
    state.PauseTiming();
    Check(store->Close());
    state.ResumeTiming();
  }
}
BENCHMARK(BM_HeadDelete)
    ->Args({100000, 1152})
    ->Args({1000000, 128})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

}  // namespace
}  // namespace walsim::logstore

BENCHMARK_MAIN();
