// The filesystem conformance suite (tests/fs/conformance.h) on SimFs: with no
// crash and no fault, the simulated disk behaves like a real POSIX one.
#include "sim/sim_fs.h"
#include "tests/fs/conformance.h"

namespace walsim::sim {
namespace {

// A fresh, perfect simulated disk; the suite works in "/root".
class SimEnv {
 public:
  SimEnv() : disk_(SimOptions{.seed = 1}) {
    Status made = disk_.MkDir("/root");
    EXPECT_TRUE(made.ok()) << made.ToString();
  }
  fs::FileSystem& fs() { return disk_; }
  std::string Root() const { return "/root"; }

 private:
  SimFs disk_;
};

}  // namespace
}  // namespace walsim::sim

namespace walsim::fs {
namespace {
INSTANTIATE_TYPED_TEST_SUITE_P(Sim, FileSystemConformanceTest,
                               ::testing::Types<walsim::sim::SimEnv>);
}  // namespace
}  // namespace walsim::fs
