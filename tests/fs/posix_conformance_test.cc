// The conformance suite (tests/fs/conformance.h) on PosixFs in a temporary
// directory of the real disk.
#include "tests/fs/conformance.h"
#include "tests/fs/posix_env.h"

namespace walsim::fs {
namespace {

INSTANTIATE_TYPED_TEST_SUITE_P(Posix, FileSystemConformanceTest, ::testing::Types<PosixEnv>);

}  // namespace
}  // namespace walsim::fs
