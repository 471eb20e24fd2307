// Test environments and byte-level damage helpers for the WAL tests.
//
// An Env owns a FileSystem and a root directory on it: PosixEnv a fresh
// temporary directory on the real disk (removed afterwards), SimEnv a SimFs
// with a clean crash model. The WAL tests are typed over both, so every
// behaviour is checked on the real and the simulated disk. The damage helpers
// (FlipByte, TruncateAt, ZeroSector, ...) go through the FileSystem
// interface, so they work the same on both.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/log.h"
#include "fs/fs.h"
#include "fs/path.h"
#include "fs/posix_fs.h"
#include "wal/wal.h"
#ifdef WALSIM_HAVE_SIM
#include "sim/sim_fs.h"
#endif

namespace walsim::wal::testing {

class PosixEnv {
 public:
  PosixEnv() {
    std::string pattern = (std::filesystem::temp_directory_path() / "walsim-wal-XXXXXX").string();
    WALSIM_ASSERT(mkdtemp(pattern.data()) != nullptr);
    root_ = pattern;
  }
  ~PosixEnv() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  fs::FileSystem& fs() { return fs_; }
  const std::string& Root() const { return root_; }
  static constexpr const char* kName = "Posix";

 private:
  fs::PosixFs fs_;
  std::string root_;
};

#ifdef WALSIM_HAVE_SIM
class SimEnv {
 public:
  SimEnv() : fs_(sim::SimOptions{.seed = 7}) {
    WALSIM_ASSERT(fs_.MkDir("/walsim").ok());
    WALSIM_ASSERT(fs_.SyncDir("/").ok());
  }
  fs::FileSystem& fs() { return fs_; }
  sim::SimFs& sim() { return fs_; }
  const std::string& Root() const { return root_; }
  static constexpr const char* kName = "Sim";

 private:
  sim::SimFs fs_;
  std::string root_ = "/walsim";
};
#endif

// Every typed WAL test runs on each filesystem; names "Posix" and "Sim".
#ifdef WALSIM_HAVE_SIM
using Envs = ::testing::Types<PosixEnv, SimEnv>;
#else
using Envs = ::testing::Types<PosixEnv>;
#endif
class EnvNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};

// Tests write a few KiB per WAL. Segments of 1 MiB instead of the 64 MB
// default keep the zero-filled preallocation (written and synced by Create,
// a reopen and every Cut) from dominating the suite's time on the real disk;
// tests about cutting set smaller sizes still.
inline constexpr uint64_t kTestSegmentSizeBytes = uint64_t{1} << 20;

inline WalOptions QuietOptions() {
  WalOptions options;
  options.logger = NullLogger();
  options.sync_warn_threshold_us = 0;
  options.segment_size_bytes = kTestSegmentSizeBytes;
  return options;
}

inline std::string ReadWhole(fs::FileSystem& fs, const std::string& path) {
  auto file = fs.Open(path, {.read_only = true});
  WALSIM_ASSERT(file.ok());
  auto size = (*file)->Size();
  WALSIM_ASSERT(size.ok());
  std::string bytes(*size, '\0');
  auto count =
      (*file)->ReadAt(0, std::span(reinterpret_cast<uint8_t*>(bytes.data()), bytes.size()));
  WALSIM_ASSERT(count.ok() && *count == bytes.size());
  return bytes;
}

inline void WriteAt(fs::FileSystem& fs, const std::string& path, uint64_t offset,
                    const std::string& bytes) {
  auto file = fs.Open(path, {.create = true});
  WALSIM_ASSERT(file.ok());
  WALSIM_ASSERT((*file)->WriteAt(offset, AsBytes(bytes)).ok());
  WALSIM_ASSERT((*file)->Sync().ok());
}

inline void FlipByte(fs::FileSystem& fs, const std::string& path, uint64_t offset,
                     uint8_t mask = 0x01) {
  std::string bytes = ReadWhole(fs, path);
  WALSIM_ASSERT(offset < bytes.size());
  WriteAt(fs, path, offset, std::string(1, static_cast<char>(bytes[offset] ^ mask)));
}

inline void ZeroRange(fs::FileSystem& fs, const std::string& path, uint64_t offset,
                      uint64_t length) {
  WriteAt(fs, path, offset, std::string(length, '\0'));
}

// Zeros the 512-byte sector holding offset.
inline void ZeroSector(fs::FileSystem& fs, const std::string& path, uint64_t offset) {
  ZeroRange(fs, path, offset - offset % kSectorBytes, kSectorBytes);
}

inline void TruncateAt(fs::FileSystem& fs, const std::string& path, uint64_t size_bytes) {
  auto file = fs.Open(path, {});
  WALSIM_ASSERT(file.ok());
  WALSIM_ASSERT((*file)->Truncate(size_bytes).ok());
  WALSIM_ASSERT((*file)->Sync().ok());
}

inline std::vector<std::string> WalFiles(fs::FileSystem& fs, const std::string& dir) {
  auto names = fs.List(dir);
  WALSIM_ASSERT(names.ok());
  std::vector<std::string> wal_names;
  for (const auto& name : *names) {
    if (ParseSegmentName(name)) wal_names.push_back(name);
  }
  return wal_names;
}

inline Entry MakeEntry(uint64_t index, uint64_t term, std::string data = {}) {
  return Entry{term, index, EntryType::kNormal, std::move(data)};
}

}  // namespace walsim::wal::testing
