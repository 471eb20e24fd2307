// SegmentStore benchmarks on the work disk (env WALSIM_BENCH_DIR, else a temp
// dir under the current directory), each next to its reference in the same
// binary:
//   StoreLog/128B with sync       vs  RawFloor: pwrite + fdatasync of the same
//   StoreLogs 64 x 128 B with sync    batch bytes at the same offsets of a file
//                                     preallocated by writing zeros
//   Open + first StoreLog (the first segment's zero-fill), with/without executor
//   GetLog of random indexes (page cache), over a 1,000,000-entry store,
//                                 vs  RawPreadRandom: a bare pread of a frame's size
//   GetLog through a LogCache, every read a hit
//   Reopen of that 1,000,000-entry store, and of a 10,000-entry one
//   head DeleteRange of 100,000 vs 1,000,000 entries (whole segments)
// Results and commands: docs/performance.md.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "base/executor.h"
#include "base/log.h"
#include "base/rng.h"
#include "fs/posix_fs.h"
#include "logstore/log_cache.h"
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
  // The first batch creates (zero-fills) the first segment: a one-off that
  // BM_FirstStoreLog measures; not part of the steady state timed here.
  Check(store->StoreLogs(logs));
  uint64_t next = 1 + batch_entries;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    for (size_t i = 0; i < batch_entries; i++) logs[i].index = next + i;
    Check(store->StoreLogs(logs));
    next += batch_entries;
  }
  uint64_t stored = next - 1 - batch_entries;
  state.SetItemsProcessed(static_cast<int64_t>(stored));
  state.SetBytesProcessed(static_cast<int64_t>(stored * kEntryBytes));
  Check(store->Close());
}

void BM_StoreLog128(benchmark::State& state) { StoreBatches(state, 1); }
BENCHMARK(BM_StoreLog128)->UseRealTime()->MinTime(2.0);

void BM_StoreLogs64x128(benchmark::State& state) { StoreBatches(state, 64); }
BENCHMARK(BM_StoreLogs64x128)->UseRealTime()->MinTime(2.0);

// The floor: the exact bytes one StoreLogs writes (its aligned batch), with
// pwrite + fdatasync at the same offsets of a file preallocated by writing
// zeros (as bench/peers/floor).
void RawFloor(benchmark::State& state, size_t batch_entries) {
  std::string path = WorkDir("floor") + ".dat";
  int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0644);
  constexpr uint64_t kSizeBytes = uint64_t{64} << 20;
  std::vector<uint8_t> zeros(size_t{1} << 20, 0);
  bool prepared = fd >= 0;
  for (uint64_t offset = 0; prepared && offset < kSizeBytes; offset += zeros.size()) {
    prepared = ::pwrite(fd, zeros.data(), zeros.size(), static_cast<off_t>(offset)) ==
               static_cast<ssize_t>(zeros.size());
  }
  if (!prepared || ::fsync(fd) != 0) {
    state.SkipWithError("cannot prepare the floor file");
    return;
  }
  std::vector<Log> logs = Batch(1, batch_entries);
  uint32_t alignment = Options().write_alignment_bytes;
  std::vector<uint8_t> bytes(format::BatchSizeBytes(logs, alignment));
  std::vector<uint64_t> locations(batch_entries);
  uint64_t offset = alignment;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    if (offset + bytes.size() > kSizeBytes) offset = alignment;
    format::EncodeBatch(logs, {logs[0].index, alignment, offset}, bytes, locations);
    if (::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset)) !=
            static_cast<ssize_t>(bytes.size()) ||
        ::fdatasync(fd) != 0) {
      state.SkipWithError("pwrite/fdatasync failed");
      break;
    }
    offset += bytes.size();
    for (Log& log : logs) log.index += batch_entries;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch_entries));
  ::close(fd);
}

void BM_RawFloorStoreLog128(benchmark::State& state) { RawFloor(state, 1); }
BENCHMARK(BM_RawFloorStoreLog128)->UseRealTime()->MinTime(2.0);

void BM_RawFloorStoreLogs64x128(benchmark::State& state) { RawFloor(state, 64); }
BENCHMARK(BM_RawFloorStoreLogs64x128)->UseRealTime()->MinTime(2.0);

// Open of an empty store + its first StoreLog (which creates the first 64 MiB
// segment), without and with an InlineExecutor (the spare segment is then
// prepared at Open). Arg: 1 = with the executor.
void BM_OpenAndFirstStoreLog(benchmark::State& state) {
  fs::PosixFs fs;
  InlineExecutor executor;
  SegmentStoreOptions options = Options();
  if (state.range(0) == 1) options.executor = &executor;
  std::vector<Log> logs = Batch(1, 1);
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    state.PauseTiming();
    std::string dir = WorkDir("first");
    state.ResumeTiming();
    auto opened = std::chrono::steady_clock::now();
    auto store = SegmentStore::Open(fs, dir, options).value();
    auto stored = std::chrono::steady_clock::now();
    Check(store->StoreLogs(logs));
    auto done = std::chrono::steady_clock::now();
    state.counters["open_ms"] = std::chrono::duration<double, std::milli>(stored - opened).count();
    state.counters["first_store_ms"] =
        std::chrono::duration<double, std::milli>(done - stored).count();
    state.PauseTiming();
    Check(store->Close());
    state.ResumeTiming();
  }
}
BENCHMARK(BM_OpenAndFirstStoreLog)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

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

// LogCache in front of a SegmentStore, GetLog of random indexes among the
// last kCacheLogs stored: every read is a cache hit (a copy under the cache's
// mutex, no I/O). Compare with BM_GetLogRandom, every read a miss.
void BM_LogCacheHit(benchmark::State& state) {
  constexpr size_t kCacheLogs = 4096;
  fs::PosixFs fs;
  auto store = SegmentStore::Open(fs, WorkDir("cache"), Options(/*no_sync=*/true)).value();
  LogCache cache(*store, kCacheLogs);
  std::vector<Log> logs = Batch(1, 1000);
  for (uint64_t next = 1; next <= 2 * kCacheLogs; next += logs.size()) {
    for (size_t i = 0; i < logs.size(); i++) logs[i].index = next + i;
    Check(cache.StoreLogs(logs));
  }
  uint64_t last_index = cache.LastIndex().value();
  Rng rng(7);
  Log log;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    Check(cache.GetLog(last_index - rng.Below(kCacheLogs), &log));
    benchmark::DoNotOptimize(log.data.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  Check(store->Close());
}
BENCHMARK(BM_LogCacheHit)->MinTime(1.0);

// GetLog's syscall floor: one pread of a frame's size at a random 8-byte
// aligned offset of the same (full) segment files: no lock, no index, no
// decode, no CRC.
void BM_RawPreadRandom(benchmark::State& state) {
  fs::PosixFs fs;
  auto store = SegmentStore::Open(fs, LargeStore(), Options()).value();
  SegmentStore::Info info = store->GetInfo();
  Check(store->Close());
  std::vector<int> fds;
  for (size_t i = 0; i + 1 < info.segment_paths.size(); i++) {
    fds.push_back(::open(info.segment_paths[i].c_str(), O_RDONLY | O_CLOEXEC));
    if (fds.back() < 0) state.SkipWithError("cannot open a segment");
  }
  if (fds.empty()) state.SkipWithError("the store has no full segment");
  constexpr uint64_t kFrameBytes = 176;  // a 128-byte entry's frame
  constexpr uint64_t kSlotCount = ((uint64_t{64} << 20) - 512 - kFrameBytes) / 8;
  std::vector<uint8_t> buffer(kFrameBytes);
  Rng rng(7);
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    int fd = fds[rng.Below(fds.size())];
    off_t offset = static_cast<off_t>(512 + 8 * rng.Below(kSlotCount));
    if (::pread(fd, buffer.data(), buffer.size(), offset) != static_cast<ssize_t>(kFrameBytes)) {
      state.SkipWithError("short pread");
      break;
    }
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  for (int fd : fds) ::close(fd);
}
BENCHMARK(BM_RawPreadRandom)->MinTime(2.0);

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

// Reopen of a small store (10 batches of 1,000 x 128 B, one segment): the
// scan is short, so this is mostly the fixed cost of an open for writing:
// the tail's last batch (176 KB here) copied into a segment of its own and
// written again, a file sync, a data sync and two directory syncs
// (docs/logstore-format.md, "Recovery").
void BM_ReopenSmall(benchmark::State& state) {
  fs::PosixFs fs;
  static const std::string dir = BuildStore("small", 10000);
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    auto store = SegmentStore::Open(fs, dir, Options()).value();
    benchmark::DoNotOptimize(store.get());
    Check(store->Close());
  }
}
BENCHMARK(BM_ReopenSmall)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(20);

// Deletes the first `entries` entries of a store holding entries + 1000. The
// two cases delete the same frame bytes, hence the same two 64 MiB segments:
// 100,000 x 1,712 B and 1,000,000 x 128 B entries (1,760 B and 176 B frames,
// 48 B of frame overhead each). Equal times show the cost does not depend on
// the entry count. (Until 2026-11-21 the first case was 1,152 B entries,
// 120 MB of frames: one segment dropped instead of two.)
void BM_HeadDelete(benchmark::State& state) {
  fs::PosixFs fs;
  uint64_t entries = static_cast<uint64_t>(state.range(0));
  size_t entry_bytes = static_cast<size_t>(state.range(1));
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    state.PauseTiming();
    std::string dir = BuildStore("delete-" + std::to_string(entries), entries + 1000, entry_bytes);
    // The store was written without syncs: flush it now, or the removals
    // below wait for the build's background writeback (pages under
    // writeback cannot be dropped), which is not the delete's cost.
    ::sync();
    auto store = SegmentStore::Open(fs, dir, Options()).value();
    state.ResumeTiming();
    Check(store->DeleteRange(1, entries));
    state.PauseTiming();
    Check(store->Close());
    state.ResumeTiming();
  }
}
BENCHMARK(BM_HeadDelete)
    ->Args({100000, 1712})
    ->Args({1000000, 128})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

}  // namespace
}  // namespace walsim::logstore

BENCHMARK_MAIN();
