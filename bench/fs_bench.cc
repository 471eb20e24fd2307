// fs_bench: what PosixFs costs on the WAL's hot path, next to the raw floor.
//
// One cycle is a 128-byte write at an advancing offset followed by fdatasync,
// on a file preallocated with fallocate (as a WAL segment is):
//   BM_RawFloor_AppendSync128/<place>  plain pwrite + fdatasync, no walsim code;
//   BM_PosixFs_AppendSync128/<place>   PosixFs File::WriteAt + File::SyncData.
// Each runs on two places:
//   disk  $WALSIM_BENCH_DIR, or a fresh directory under the current working
//         directory (run it from the work disk);
//   shm   a fresh directory under /dev/shm (tmpfs: fdatasync is nearly free,
//         so the wrapper's own overhead shows).
// Wall-clock time per cycle is reported (fdatasync blocks without using CPU),
// and the PosixFs / raw-floor ratio per place is printed after the table.
// Every benchmark runs kRepetitionCount times for a bounded time
// (kMinTimeSeconds) each, so a full run takes about 15 s. Usage:
//   fs_bench [--benchmark_filter=...] [--benchmark_enable_random_interleaving=true]
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "fs/fs.h"
#include "fs/posix_fs.h"

namespace walsim::bench {
namespace {

constexpr size_t kRecordSizeBytes = 128;
// Preallocated size; the write offset wraps inside it, so the file never grows.
constexpr uint64_t kFileSizeBytes = uint64_t{64} << 20;
static_assert(kFileSizeBytes % kRecordSizeBytes == 0, "records must tile the file");
constexpr double kMinTimeSeconds = 1.0;
// Repetitions are reported as mean/median/stddev; the ratio uses medians,
// which a neighbour's burst of I/O on a shared machine moves least.
constexpr int kRepetitionCount = 3;

constexpr const char* kRawPrefix = "BM_RawFloor_AppendSync128/";
constexpr const char* kPosixPrefix = "BM_PosixFs_AppendSync128/";

enum class Place : uint8_t { kDisk, kShm };
constexpr size_t kPlaceCount = 2;
constexpr std::array<const char*, kPlaceCount> kPlaceNames = {"disk", "shm"};
// Each place's directory, set by main before any benchmark runs; empty when
// it could not be made (the benchmark then reports an error).
std::array<std::string, kPlaceCount> g_place_dirs;

// The directory of place, or "" after reporting why there is none.
std::string DirOf(benchmark::State& state, Place place) {
  const std::string& dir = g_place_dirs[static_cast<size_t>(place)];
  if (dir.empty()) state.SkipWithError("no directory for this place");
  return dir;
}

uint64_t NextOffset(uint64_t offset) { return (offset + kRecordSizeBytes) % kFileSizeBytes; }

// The floor: the same bytes with nothing but the syscalls a WAL cannot avoid.
void BM_RawFloor_AppendSync128(benchmark::State& state, Place place) {
  const std::string dir = DirOf(state, place);
  if (dir.empty()) return;
  const std::string path = dir + "/raw-floor.bin";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || ::fallocate(fd, 0, 0, static_cast<off_t>(kFileSizeBytes)) != 0 ||
      ::fdatasync(fd) != 0) {
    state.SkipWithError(("preparing " + path + ": " + std::strerror(errno)).c_str());
    if (fd >= 0) ::close(fd);
    return;
  }
  std::array<uint8_t, kRecordSizeBytes> record;
  record.fill('r');
  uint64_t offset = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop idiom
    if (::pwrite(fd, record.data(), record.size(), static_cast<off_t>(offset)) !=
            static_cast<ssize_t>(record.size()) ||
        ::fdatasync(fd) != 0) {
      state.SkipWithError(("pwrite/fdatasync " + path + ": " + std::strerror(errno)).c_str());
      break;
    }
    offset = NextOffset(offset);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kRecordSizeBytes));
  ::close(fd);
  ::unlink(path.c_str());
}

// The same cycle through PosixFs, as the WAL issues it.
void BM_PosixFs_AppendSync128(benchmark::State& state, Place place) {
  const std::string dir = DirOf(state, place);
  if (dir.empty()) return;
  fs::PosixFs posix_fs;
  const std::string path = dir + "/posix-fs.bin";
  Result<std::unique_ptr<fs::File>> opened =
      posix_fs.Open(path, {.create = true, .truncate = true});
  Status prepared = opened.status();
  if (opened.ok()) {
    prepared = (*opened)->Allocate(0, kFileSizeBytes, fs::AllocateMode::kExtendSize);
    if (prepared.ok()) prepared = (*opened)->SyncData();
  }
  if (!prepared.ok()) {
    state.SkipWithError(("preparing: " + prepared.ToString()).c_str());
    return;
  }
  fs::File& file = **opened;
  std::array<uint8_t, kRecordSizeBytes> record;
  record.fill('p');
  uint64_t offset = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark loop idiom
    Status status = file.WriteAt(offset, record);
    if (status.ok()) status = file.SyncData();
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      break;
    }
    offset = NextOffset(offset);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kRecordSizeBytes));
  const Status closed = file.Close();
  if (!closed.ok()) state.SkipWithError(closed.ToString().c_str());
  (void)posix_fs.Remove(path);
}

// A directory made for this run with mkdtemp and removed at exit; or, when
// WALSIM_BENCH_DIR names one, that directory, used as it is.
class BenchDir {
 public:
  BenchDir(const std::string& parent, bool owned) : owned_(owned) {
    std::filesystem::path base = std::filesystem::absolute(parent).lexically_normal();
    if (!owned_) {
      path_ = base.string();
    } else {
      std::string pattern = (base / "walsim-fs-bench-XXXXXX").string();
      if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
    }
    while (path_.size() > 1 && path_.back() == '/') path_.pop_back();
  }
  ~BenchDir() {
    std::error_code error;
    if (owned_ && !path_.empty()) std::filesystem::remove_all(path_, error);
  }
  BenchDir(const BenchDir&) = delete;
  BenchDir& operator=(const BenchDir&) = delete;
  const std::string& path() const { return path_; }  // empty when it could not be made

 private:
  bool owned_;
  std::string path_;
};

// Settings shared by every benchmark here.
void Configure(benchmark::internal::Benchmark* benchmark) {
  benchmark->MinTime(kMinTimeSeconds)
      ->Repetitions(kRepetitionCount)
      ->DisplayAggregatesOnly(true)
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
}

BENCHMARK_CAPTURE(BM_RawFloor_AppendSync128, disk, Place::kDisk)->Apply(Configure);
BENCHMARK_CAPTURE(BM_PosixFs_AppendSync128, disk, Place::kDisk)->Apply(Configure);
BENCHMARK_CAPTURE(BM_RawFloor_AppendSync128, shm, Place::kShm)->Apply(Configure);
BENCHMARK_CAPTURE(BM_PosixFs_AppendSync128, shm, Place::kShm)->Apply(Configure);

// The console table, plus the PosixFs / raw-floor ratio of each place, from
// the median of the repetitions.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  explicit RatioReporter(OutputOptions options) : ConsoleReporter(options) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median") {
        median_real_time_by_name_[run.run_name.function_name] = run.GetAdjustedRealTime();
      }
    }
  }
  void PrintRatios(const std::vector<std::string>& places) const {
    for (const std::string& place : places) {
      auto raw = median_real_time_by_name_.find(kRawPrefix + place);
      auto posix = median_real_time_by_name_.find(kPosixPrefix + place);
      if (raw == median_real_time_by_name_.end() || posix == median_real_time_by_name_.end()) {
        continue;
      }
      std::printf("ratio PosixFs/raw floor (medians), %s: %.3f\n", place.c_str(),
                  posix->second / raw->second);
    }
  }

 private:
  std::map<std::string, double> median_real_time_by_name_;
};

}  // namespace
}  // namespace walsim::bench

int main(int argc, char** argv) {
  using namespace walsim::bench;  // NOLINT(google-build-using-namespace)
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const char* env_dir = std::getenv("WALSIM_BENCH_DIR");
  const bool env_given = env_dir != nullptr && env_dir[0] != '\0';
  BenchDir disk(env_given ? env_dir : ".", /*owned=*/!env_given);
  BenchDir shm("/dev/shm", /*owned=*/true);
  const std::array<const BenchDir*, kPlaceCount> dirs = {&disk, &shm};
  std::vector<std::string> places;
  for (size_t index = 0; index < kPlaceCount; index++) {
    g_place_dirs[index] = dirs[index]->path();
    std::fprintf(stderr, "fs_bench: %s = %s\n", kPlaceNames[index],
                 g_place_dirs[index].empty() ? "(could not be made)" : g_place_dirs[index].c_str());
    places.emplace_back(kPlaceNames[index]);
  }
  // A custom display reporter bypasses --benchmark_color: colour only a terminal.
  RatioReporter reporter(::isatty(STDOUT_FILENO) != 0 ? RatioReporter::OO_ColorTabular
                                                      : RatioReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios(places);
  benchmark::Shutdown();
  return 0;
}
