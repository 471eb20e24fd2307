// The simulated disk's hot path: the 128-byte append + SyncData cycle a WAL
// or LogStore issues per acknowledged write, on SimFs with trace lines off
// (the trace hash is still computed). Compare with fs_bench's PosixFs and
// raw-floor numbers for the same cycle. Results: docs/simulated-disk.md.
#include <benchmark/benchmark.h>

#include <string>

#include "sim/sim_fs.h"

namespace walsim::sim {
namespace {

constexpr size_t kRecordBytes = 128;
constexpr uint64_t kPreallocateBytes = uint64_t{64} << 20;  // a WAL segment

// Append + SyncData of 128 bytes to a file preallocated like a WAL segment.
void BM_SimFs_AppendSync128(benchmark::State& state) {
  SimFs disk(SimOptions{.seed = 1});
  auto file = std::move(disk.Open("/bench.wal", {.create = true})).value();
  if (!file->Allocate(0, kPreallocateBytes, fs::AllocateMode::kKeepSize).ok()) {
    state.SkipWithError("allocate failed");
    return;
  }
  const std::string record(kRecordBytes, 'r');
  std::span<const uint8_t> bytes{reinterpret_cast<const uint8_t*>(record.data()), record.size()};
  uint64_t offset = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop idiom
    if (offset + kRecordBytes > kPreallocateBytes) offset = 0;  // stay inside the segment
    if (!file->WriteAt(offset, bytes).ok() || !file->SyncData().ok()) {
      state.SkipWithError("write or sync failed");
      return;
    }
    offset += kRecordBytes;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kRecordBytes));
  benchmark::DoNotOptimize(disk.trace_hash());
}
BENCHMARK(BM_SimFs_AppendSync128)->MinTime(1.0);

// The same through Append (the size is tracked by the simulator).
void BM_SimFs_AppendViaAppendSync128(benchmark::State& state) {
  SimFs disk(SimOptions{.seed = 1});
  auto file = std::move(disk.Open("/bench.wal", {.create = true})).value();
  const std::string record(kRecordBytes, 'r');
  std::span<const uint8_t> bytes{reinterpret_cast<const uint8_t*>(record.data()), record.size()};
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop idiom
    if (!file->Append(bytes).ok() || !file->SyncData().ok()) {
      state.SkipWithError("append or sync failed");
      return;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kRecordBytes));
}
BENCHMARK(BM_SimFs_AppendViaAppendSync128)->MinTime(1.0);

}  // namespace
}  // namespace walsim::sim

BENCHMARK_MAIN();
