// PosixEnv: a fresh temporary directory on the real disk with a PosixFs, the
// environment the conformance suite (tests/fs/conformance.h) and the
// Posix-only tests run in.
//
// The directory is made with mkdtemp under $TMPDIR (or /tmp), given in the
// absolute normal form fs/ requires, and removed with everything in it when
// the environment is destroyed. Not thread-safe.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

#include "fs/fs.h"
#include "fs/posix_fs.h"

namespace walsim::fs {

class PosixEnv {
 public:
  PosixEnv() {
    const char* tmpdir = std::getenv("TMPDIR");
    std::filesystem::path base = tmpdir != nullptr && tmpdir[0] != '\0' ? tmpdir : "/tmp";
    // An absolute, normal path without a trailing '/', as fs::ValidatePath wants.
    base = std::filesystem::absolute(base).lexically_normal();
    std::string pattern = (base / "walsim-fs-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp " << pattern << " failed";
      return;
    }
    root_ = pattern;
  }
  ~PosixEnv() {
    if (root_.empty()) return;
    std::error_code error;
    std::filesystem::remove_all(root_, error);
    EXPECT_FALSE(error) << "removing " << root_ << ": " << error.message();
  }
  PosixEnv(const PosixEnv&) = delete;
  PosixEnv& operator=(const PosixEnv&) = delete;

  FileSystem& fs() { return fs_; }
  PosixFs& posix_fs() { return fs_; }
  std::string Root() const { return root_; }

 private:
  PosixFs fs_;
  std::string root_;
};

}  // namespace walsim::fs
