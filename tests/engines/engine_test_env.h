// The disks the engine adapter tests run on: a temporary directory on the
// real disk (PosixFs) or a fresh SimFs, each with a root directory the test
// owns. Tests are parameterized over Backend so that every behaviour is
// checked on both. Not thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "fs/fs.h"
#include "sim/sim_fs.h"
#include "tests/fs/posix_env.h"

namespace walsim::engines::testing {

enum class Backend { kPosix, kSim };

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kPosix ? "Posix" : "Sim";
}

class EngineDisk {
 public:
  explicit EngineDisk(Backend backend, sim::SimOptions sim_options = {}) {
    if (backend == Backend::kPosix) {
      posix_.emplace();
      root_ = posix_->Root();
      return;
    }
    sim_ = std::make_unique<sim::SimFs>(sim_options);
    root_ = "/disk";
    Status made = sim_->MkDir(root_);
    EXPECT_TRUE(made.ok()) << made.ToString();
    Status synced = sim_->SyncDir("/");
    EXPECT_TRUE(synced.ok()) << synced.ToString();
  }

  fs::FileSystem& fs() {
    if (sim_ != nullptr) return *sim_;
    return posix_->fs();
  }
  // nullptr on the Posix backend.
  sim::SimFs* sim() { return sim_.get(); }
  const std::string& root() const { return root_; }

 private:
  std::optional<fs::PosixEnv> posix_;
  std::unique_ptr<sim::SimFs> sim_;
  std::string root_;
};

}  // namespace walsim::engines::testing
