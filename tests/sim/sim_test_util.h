// The SimFs test fixture: helpers that make the rule tests read like the
// rules (write a file, sync it, crash, look at what survived).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "sim/sim_fs.h"

namespace walsim::sim::testing {

inline std::span<const uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// The live contents of path, read through a fresh handle; "<missing>" when
// the file does not exist.
inline std::string ReadContents(SimFs& disk, std::string_view path) {
  auto file = disk.Open(path, {.read_only = true});
  if (!file.ok()) {
    EXPECT_TRUE(file.status().Is(StatusCode::kNotFound)) << file.status().ToString();
    return "<missing>";
  }
  auto size = (*file)->Size();
  EXPECT_TRUE(size.ok());
  std::string out(size.ok() ? *size : 0, '\0');
  auto read = (*file)->ReadAt(0, {reinterpret_cast<uint8_t*>(out.data()), out.size()});
  EXPECT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read.ok() ? *read : 0, out.size());
  return out;
}

class SimFsTest : public ::testing::Test {
 protected:
  // A perfect disk (the zero-value options) with the given seed.
  static SimOptions Perfect(uint64_t seed = 1) {
    SimOptions options;
    options.seed = seed;
    return options;
  }

  static std::unique_ptr<fs::File> Create(SimFs& disk, std::string_view path) {
    auto file = disk.Open(path, {.create = true});
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    return file.ok() ? std::move(file).value() : nullptr;
  }

  static std::unique_ptr<fs::File> OpenExisting(SimFs& disk, std::string_view path) {
    auto file = disk.Open(path, {});
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    return file.ok() ? std::move(file).value() : nullptr;
  }

  // Creates path with contents, SyncData's it and syncs its parent: durable.
  static void WriteDurable(SimFs& disk, std::string_view path, std::string_view contents,
                           std::string_view parent = "/") {
    auto file = Create(disk, path);
    ASSERT_NE(file, nullptr);
    if (!contents.empty()) {
      ASSERT_TRUE(file->WriteAt(0, Bytes(contents)).ok());
    }
    ASSERT_TRUE(file->SyncData().ok());
    ASSERT_TRUE(disk.SyncDir(parent).ok());
    ASSERT_TRUE(file->Close().ok());
  }

  static std::string Contents(SimFs& disk, std::string_view path) {
    return ReadContents(disk, path);
  }

  static bool Exists(SimFs& disk, std::string_view path) {
    auto info = disk.Stat(path);
    EXPECT_TRUE(info.ok() || info.status().Is(StatusCode::kNotFound)) << info.status().ToString();
    return info.ok();
  }
};

}  // namespace walsim::sim::testing
