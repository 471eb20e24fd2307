// WAL benchmarks, each next to its reference in the same binary:
//   BM_RawFloorPwriteFdatasync  the same framed bytes as one 128 B Save (entry
//                               and HardState), pwrite + fdatasync on a file
//                               preallocated with written zeros (as floor.c)
//   BM_WalSaveSync              Wal::Save of 1 x 128 B entry with sync
//   BM_WalSaveNoSync/1, /64     Save of 1 or 64 x 128 B with no_sync on /dev/shm
//                               (CPU per Save; items/s gives entries)
//   BM_WalReadAll               ReadAll of a WAL in the page cache (bytes/s)
//   BM_Crc32cExtend/64, /1024, /65536
//                               the record checksum (hardware path when the CPU
//                               has SSE4.2) on buffers of that many bytes
//   BM_Crc32cExtendPortable/... the slicing-by-8 fallback, for reference
// The disk is $WALSIM_BENCH_DIR, or ./walsim-bench.<pid> under the working
// directory. Ratios and commands are in docs/performance.md.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "base/crc32c.h"
#include "base/log.h"
#include "fs/posix_fs.h"
#include "wal/encoder.h"
#include "wal/record.h"
#include "wal/wal.h"

namespace walsim::wal {
namespace {

constexpr size_t kEntryBytes = 128;

std::string BenchDir(const char* name) {
  const char* env = std::getenv("WALSIM_BENCH_DIR");
  std::filesystem::path base = env != nullptr ? std::filesystem::path(env)
                                              : std::filesystem::current_path() /
                                                    ("walsim-bench." + std::to_string(getpid()));
  std::filesystem::create_directories(base);
  std::filesystem::path dir = std::filesystem::absolute(base) / name;
  std::filesystem::remove_all(dir);
  return dir.lexically_normal().string();
}

WalOptions BenchOptions() {
  WalOptions options;
  options.logger = NullLogger();
  return options;
}

Entry BenchEntry(uint64_t index) {
  return Entry{1, index, EntryType::kNormal, std::string(kEntryBytes, 'w')};
}

// The bytes one Save of a 128 B entry writes: its frame and the HardState's.
uint64_t SaveFrameBytes() {
  std::string state;
  AppendHardState(&state, HardState{1, 1, 1 << 20});
  const uint64_t entry_frame_bytes = Encoder::FrameSizeBytes(RecordEncodedSize(
      static_cast<int64_t>(RecordType::kEntry), UINT32_MAX, EntryEncodedSize(BenchEntry(1 << 20))));
  return entry_frame_bytes +
         Encoder::FrameSizeBytes(
             RecordEncodedSize(static_cast<int64_t>(RecordType::kState), UINT32_MAX, state.size()));
}

// Preallocates as bench/peers/floor/floor.c does: fallocate, then write zeros
// over the range (so no write converts an unwritten extent), then fsync.
bool PreallocateWithZeros(int fd, uint64_t size_bytes) {
  if (::fallocate(fd, 0, 0, static_cast<off_t>(size_bytes)) != 0) return false;
  const std::string zeros(size_t{1} << 20, '\0');
  for (uint64_t offset = 0; offset < size_bytes; offset += zeros.size()) {
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(zeros.size(), size_bytes - offset));
    if (::pwrite(fd, zeros.data(), chunk, static_cast<off_t>(offset)) !=
        static_cast<ssize_t>(chunk)) {
      return false;
    }
  }
  return ::fsync(fd) == 0;
}

void BM_RawFloorPwriteFdatasync(benchmark::State& state) {
  const std::string dir = BenchDir("floor");
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/floor";
  const int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0 || !PreallocateWithZeros(fd, 64'000'000)) {
    state.SkipWithError("cannot create the floor file");
    return;
  }
  std::string frame(SaveFrameBytes(), 'f');
  off_t offset = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop idiom
    if (::pwrite(fd, frame.data(), frame.size(), offset) != static_cast<ssize_t>(frame.size()) ||
        ::fdatasync(fd) != 0) {
      state.SkipWithError("pwrite/fdatasync failed");
      break;
    }
    offset += static_cast<off_t>(frame.size());
    if (offset + frame.size() > 64'000'000) offset = 0;
  }
  state.counters["frame_bytes"] = static_cast<double>(frame.size());
  ::close(fd);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_RawFloorPwriteFdatasync)->UseRealTime();

// Saves batch_count x 128 B entries per iteration (and a HardState).
void SaveLoop(benchmark::State& state, const std::string& dir, bool no_sync, size_t batch_count) {
  fs::PosixFs fs;
  WalOptions options = BenchOptions();
  options.no_sync = no_sync;
  auto wal = Wal::Create(fs, dir, "bench", options);
  if (!wal.ok()) {
    state.SkipWithError(wal.status().ToString().c_str());
    return;
  }
  uint64_t index = 0;
  std::vector<Entry> batch(batch_count, BenchEntry(0));
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop idiom
    const uint64_t commit = index;
    for (Entry& entry : batch) entry.index = ++index;
    Status saved = (*wal)->Save(HardState{1, 1, commit}, batch);
    if (!saved.ok()) {
      state.SkipWithError(saved.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(index));
  state.SetBytesProcessed(static_cast<int64_t>(index * kEntryBytes));
  (void)(*wal)->Close();
  std::filesystem::remove_all(dir);
}

void BM_WalSaveSync(benchmark::State& state) { SaveLoop(state, BenchDir("save-sync"), false, 1); }
BENCHMARK(BM_WalSaveSync)->UseRealTime();

// No sync on /dev/shm: the CPU of the encoder and one pwrite per Save.
// Arg: entries per Save (1: the write dominates; 64: the encoder does).
// Segments are cut as they fill, as in production.
void BM_WalSaveNoSync(benchmark::State& state) {
  const std::string dir = "/dev/shm/walsim-bench-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  SaveLoop(state, dir, true, static_cast<size_t>(state.range(0)));
}
BENCHMARK(BM_WalSaveNoSync)->Arg(1)->Arg(64);

void BM_WalReadAll(benchmark::State& state) {
  const uint64_t payload_bytes = static_cast<uint64_t>(state.range(0)) << 20;
  const size_t entry_bytes = 1024;
  const std::string dir = "/dev/shm/walsim-bench-read-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  fs::PosixFs fs;
  {
    WalOptions options = BenchOptions();
    options.no_sync = true;
    auto wal = Wal::Create(fs, dir, "bench", options);
    if (!wal.ok()) {
      state.SkipWithError(wal.status().ToString().c_str());
      return;
    }
    std::vector<Entry> batch(64);
    uint64_t index = 0;
    for (uint64_t written = 0; written < payload_bytes; written += batch.size() * entry_bytes) {
      for (Entry& e : batch)
        e = Entry{1, ++index, EntryType::kNormal, std::string(entry_bytes, 'r')};
      if (!(*wal)->Save(HardState{1, 1, index}, batch).ok()) state.SkipWithError("save failed");
    }
    (void)(*wal)->Close();
  }
  uint64_t entries = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop idiom
    auto wal = Wal::OpenForRead(fs, dir, {}, BenchOptions());
    auto result = (*wal)->ReadAll();
    if (!result.ok()) {
      state.SkipWithError(result.status().ToString().c_str());
      break;
    }
    entries = result->entries.size();
    benchmark::DoNotOptimize(result->entries.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * entries * entry_bytes));
  state.counters["entries"] = static_cast<double>(entries);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_WalReadAll)->Arg(64)->Unit(benchmark::kMillisecond);

// A WAL entry record is about 1 KiB in the ReadAll benchmarks; 64 B is a
// small record, 64 KiB a large one.
void CrcLoop(benchmark::State& state, uint32_t (*extend)(uint32_t, std::span<const uint8_t>)) {
  std::vector<uint8_t> data(static_cast<size_t>(state.range(0)));
  for (size_t i = 0; i < data.size(); i++) data[i] = static_cast<uint8_t>(i * 131 + 7);
  uint32_t crc = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop idiom
    crc = extend(crc, data);
    benchmark::DoNotOptimize(crc);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}
void BM_Crc32cExtend(benchmark::State& state) { CrcLoop(state, &Crc32cExtend); }
BENCHMARK(BM_Crc32cExtend)->Arg(64)->Arg(1024)->Arg(64 << 10);
void BM_Crc32cExtendPortable(benchmark::State& state) { CrcLoop(state, &Crc32cExtendPortable); }
BENCHMARK(BM_Crc32cExtendPortable)->Arg(64)->Arg(1024)->Arg(64 << 10);

}  // namespace
}  // namespace walsim::wal

BENCHMARK_MAIN();
