// base/assert.h: each tier fires exactly when its build setting says so, and a
// compiled-out condition is never evaluated.
#include "base/assert.h"

#include <gtest/gtest.h>

namespace walsim {
namespace {

bool FalseAndCount(int* calls) {
  ++*calls;
  return false;
}

TEST(AssertTest, CheapAssertAbortsWithConditionAndPlace) {
#ifdef WALSIM_ASSERTS_OFF
  GTEST_SKIP() << "cheap asserts compiled out (WALSIM_ASSERTS=OFF)";
#else
  EXPECT_DEATH(WALSIM_ASSERT(1 + 1 == 3), "assertion failed: 1 \\+ 1 == 3 at .*assert_test.cc");
#endif
}

TEST(AssertTest, SlowAssertFiresOnlyWhenSlowAssertsAreOn) {
  int calls = 0;
  if constexpr (kSlowAssertsOn) {
    EXPECT_DEATH(WALSIM_ASSERT_SLOW(FalseAndCount(&calls)), "FalseAndCount.*slow check");
  } else {
    WALSIM_ASSERT_SLOW(FalseAndCount(&calls));
    EXPECT_EQ(calls, 0);  // not evaluated, not only not checked
  }
}

TEST(AssertTest, PassingAssertsDoNothing) {
  int calls = 0;
  WALSIM_ASSERT(!FalseAndCount(&calls));
  WALSIM_ASSERT_SLOW(true);
#ifdef WALSIM_ASSERTS_OFF
  EXPECT_EQ(calls, 0);
#else
  EXPECT_EQ(calls, 1);
#endif
}

}  // namespace
}  // namespace walsim
