// paired_sync_bench: walsim's synced appends next to their floors, op by op.
//
// The work disk's fdatasync swings from 80 to 300 us between runs and
// drifts within one, so timing a contender and its floor one after the other
// (even in alternating processes) mostly measures the drift. This program
// interleaves them: each round performs one op of every contender, in an
// order that rotates from round to round, so every contender sees the same
// disk. It reports each contender's median and quartiles and, for each
// walsim contender, the median of the per-round ratios to its floor.
//
// Contenders, each on its own file in the work dir:
//   wal-save         wal::Wal::Save of HardState + 1 x 128 B entry (synced)
//   floor-wal        pwrite of the same number of bytes at the same offsets
//                    + fdatasync, on a file preallocated by writing zeros
//   logstore-store   SegmentStore::StoreLog of 128 B (synced)
//   floor-logstore   pwrite of the same aligned batch bytes + fdatasync
// Both walsim files are zero-filled at creation, as the floors are.
//
// Usage: paired_sync_bench [--ops N] [--warmup N]; the work dir is
// $WALSIM_BENCH_DIR/paired-sync (else ./paired-sync-bench). One line per
// contender and per ratio on stdout; exit 1 with a message on any error.
// Results and commands: docs/performance.md.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/status.h"
#include "fs/posix_fs.h"
#include "logstore/segment_format.h"
#include "logstore/segment_store.h"
#include "wal/wal.h"

namespace walsim {
namespace {

constexpr size_t kEntryBytes = 128;
constexpr uint64_t kOpsMax = 1'000'000;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "paired_sync_bench: %s\n", what.c_str());
  std::exit(1);
}

void Check(const Status& status, const char* what) {
  if (!status.ok()) Die(std::string(what) + ": " + status.ToString());
}

// A file preallocated by writing zeros and syncing (as bench/peers/floor),
// appended to with pwrite + fdatasync.
class FloorFile {
 public:
  FloorFile(const std::string& path, uint64_t size_bytes) : path_(path) {
    fd_ = ::open(path.c_str(), O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0644);
    if (fd_ < 0) Die("open " + path + ": " + std::strerror(errno));
    std::vector<uint8_t> zeros(size_t{1} << 20, 0);
    for (uint64_t offset = 0; offset < size_bytes; offset += zeros.size()) {
      if (::pwrite(fd_, zeros.data(), zeros.size(), static_cast<off_t>(offset)) !=
          static_cast<ssize_t>(zeros.size())) {
        Die("preallocate " + path + ": " + std::strerror(errno));
      }
    }
    if (::fsync(fd_) != 0) Die("fsync " + path + ": " + std::strerror(errno));
  }
  ~FloorFile() { ::close(fd_); }
  FloorFile(const FloorFile&) = delete;
  FloorFile& operator=(const FloorFile&) = delete;

  void Append(std::span<const uint8_t> bytes, uint64_t offset) {
    if (::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(offset)) !=
            static_cast<ssize_t>(bytes.size()) ||
        ::fdatasync(fd_) != 0) {
      Die("pwrite/fdatasync " + path_ + " at offset " + std::to_string(offset) + ": " +
          std::strerror(errno));
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
};

struct Contender {
  std::string name;
  std::function<void(uint64_t round)> op;
  std::vector<double> us;  // one sample per measured round
};

double Quantile(std::vector<double> samples, double q) {
  WALSIM_ASSERT(!samples.empty());
  const auto k = static_cast<size_t>(q * static_cast<double>(samples.size() - 1));
  std::nth_element(samples.begin(), samples.begin() + static_cast<ptrdiff_t>(k), samples.end());
  return samples[k];
}

void Report(const Contender& c) {
  std::printf("%-16s median_us=%.1f p25_us=%.1f p75_us=%.1f\n", c.name.c_str(), Quantile(c.us, 0.5),
              Quantile(c.us, 0.25), Quantile(c.us, 0.75));
}

void ReportRatio(const Contender& a, const Contender& floor) {
  std::vector<double> ratios(a.us.size());
  for (size_t i = 0; i < ratios.size(); i++) ratios[i] = a.us[i] / floor.us[i];
  std::printf("%s/%s median_of_ratios=%.3f p25=%.3f p75=%.3f ratio_of_medians=%.3f\n",
              a.name.c_str(), floor.name.c_str(), Quantile(ratios, 0.5), Quantile(ratios, 0.25),
              Quantile(ratios, 0.75), Quantile(a.us, 0.5) / Quantile(floor.us, 0.5));
}

uint64_t ParseCount(const char* text, const char* flag) {
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || value == 0 || value > kOpsMax) {
    Die(std::string(flag) + " wants a count in 1.." + std::to_string(kOpsMax));
  }
  return value;
}

int Run(uint64_t ops, uint64_t warmup) {
  const char* root = std::getenv("WALSIM_BENCH_DIR");
  const std::filesystem::path base = root != nullptr
                                         ? std::filesystem::path(root) / "paired-sync"
                                         : std::filesystem::current_path() / "paired-sync-bench";
  const std::filesystem::path dir = std::filesystem::absolute(base).lexically_normal();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  fs::PosixFs fs;
  const uint64_t rounds = warmup + ops;

  wal::WalOptions wal_options;
  wal_options.logger = NullLogger();
  auto wal_or = wal::Wal::Create(fs, (dir / "wal").string(), "paired-sync", wal_options);
  Check(wal_or.status(), "wal create");
  std::unique_ptr<wal::Wal> wal = std::move(*wal_or);
  logstore::SegmentStoreOptions store_options;
  store_options.logger = NullLogger();
  auto store_or = logstore::SegmentStore::Open(fs, (dir / "logstore").string(), store_options);
  Check(store_or.status(), "logstore open");
  std::unique_ptr<logstore::SegmentStore> store = std::move(*store_or);

  std::vector<wal::Entry> entry(1);
  entry[0].term = 1;
  entry[0].data.assign(kEntryBytes, 'w');
  std::vector<logstore::Log> log(1);
  log[0].term = 1;
  log[0].data.assign(kEntryBytes, 'l');
  // The first store creates the first segment: before the clock.
  log[0].index = 1;
  Check(store->StoreLog(log[0]), "logstore first store");

  // Floors: a Save of one entry writes ~200 bytes, a StoreLog one aligned
  // block; 4 KiB a round bounds both.
  const uint64_t floor_size_bytes = (rounds + 2) * 4096;
  FloorFile floor_wal((dir / "floor-wal.dat").string(), floor_size_bytes);
  FloorFile floor_logstore((dir / "floor-logstore.dat").string(), floor_size_bytes);
  std::vector<uint8_t> wal_bytes(4096, 0x5a);
  uint64_t wal_save_bytes = 0;  // bytes the last Save appended
  uint64_t floor_wal_offset = wal->TailOffset();
  const uint32_t alignment = store_options.write_alignment_bytes;
  std::vector<uint8_t> batch_bytes(logstore::format::BatchSizeBytes(log, alignment));
  std::vector<uint64_t> locations(1);
  uint64_t floor_logstore_offset = alignment;

  std::array<Contender, 4> contenders{
      Contender{"wal-save",
                [&](uint64_t round) {
                  entry[0].index = round + 1;
                  const uint64_t before = wal->TailOffset();
                  Check(wal->Save(wal::HardState{1, 1, round + 1}, entry), "wal save");
                  wal_save_bytes = wal->TailOffset() - before;
                },
                {}},
      Contender{"floor-wal",
                [&](uint64_t) {
                  // The size of the previous Save (the first round: the one
                  // about to happen is the same size give or take a byte).
                  const uint64_t n = std::clamp<uint64_t>(wal_save_bytes, 1, wal_bytes.size());
                  floor_wal.Append(std::span(wal_bytes.data(), n), floor_wal_offset);
                  floor_wal_offset += n;
                },
                {}},
      Contender{"logstore-store",
                [&](uint64_t round) {
                  log[0].index = round + 2;
                  Check(store->StoreLog(log[0]), "logstore store");
                },
                {}},
      Contender{"floor-logstore",
                [&](uint64_t round) {
                  log[0].index = round + 2;
                  logstore::format::EncodeBatch(log, {round + 2, alignment, floor_logstore_offset},
                                                batch_bytes, locations);
                  floor_logstore.Append(batch_bytes, floor_logstore_offset);
                  floor_logstore_offset += batch_bytes.size();
                },
                {}},
  };
  for (Contender& c : contenders) c.us.reserve(ops);
  for (uint64_t round = 0; round < rounds; round++) {
    for (size_t k = 0; k < contenders.size(); k++) {
      Contender& c = contenders[(round + k) % contenders.size()];
      const auto start = std::chrono::steady_clock::now();
      c.op(round);
      const auto end = std::chrono::steady_clock::now();
      if (round >= warmup)
        c.us.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
  }
  Check(wal->Close(), "wal close");
  Check(store->Close(), "logstore close");

  std::printf("ops=%" PRIu64 " warmup=%" PRIu64 " dir=%s\n", ops, warmup, dir.c_str());
  for (const Contender& c : contenders) Report(c);
  ReportRatio(contenders[0], contenders[1]);
  ReportRatio(contenders[2], contenders[3]);
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace walsim

int main(int argc, char** argv) {
  uint64_t ops = 3000;
  uint64_t warmup = 100;
  for (int i = 1; i < argc; i++) {
    const std::string arg = argv[i];
    if (arg == "--ops" && i + 1 < argc) {
      ops = walsim::ParseCount(argv[++i], "--ops");
    } else if (arg == "--warmup" && i + 1 < argc) {
      warmup = walsim::ParseCount(argv[++i], "--warmup");
    } else {
      std::fprintf(stderr, "usage: paired_sync_bench [--ops N] [--warmup N]\n");
      return 2;
    }
  }
  return walsim::Run(ops, warmup);
}
