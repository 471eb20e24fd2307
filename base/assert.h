// Assertions for bugs in walsim's own code.
//
// A broken invariant of our own code is a bug: it aborts with the file, line
// and condition, in every build type. Expected failures (bad input, I/O errors)
// are never asserted; they come back as a Status. Thread-safe.
//
// Two tiers (the rule and its measured cost: docs/performance.md, "Assertions"):
// - WALSIM_ASSERT / WALSIM_ASSERT_MSG: O(1) checks, on in every build,
//   release included. Compiled out only when WALSIM_ASSERTS_OFF is defined
//   (CMake -DWALSIM_ASSERTS=OFF), which exists only to measure what they cost.
// - WALSIM_ASSERT_SLOW: checks that cost as much as the work they guard
//   (decoding back every frame before it is written, scanning a whole index).
//   On when WALSIM_SLOW_ASSERTS is defined (CMake -DWALSIM_SLOW_ASSERTS=ON,
//   the default: tests, torture, asan); off in the `bench` preset.
// The condition of a compiled-out assertion is still parsed and type-checked
// but never evaluated, so it must have no side effects.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace walsim::detail {
[[noreturn]] inline void AssertFail(const char* condition, const char* file, int line,
                                    const char* message) {
  std::fprintf(stderr, "walsim: assertion failed: %s at %s:%d%s%s\n", condition, file, line,
               message[0] != '\0' ? ": " : "", message);
  std::fflush(stderr);
  std::abort();
}
}  // namespace walsim::detail

// WALSIM_ASSERT_ALWAYS(cond, msg): the check itself, whatever the tier.
#define WALSIM_ASSERT_ALWAYS(cond, msg)                               \
  do {                                                                \
    if (!(cond)) [[unlikely]] {                                       \
      ::walsim::detail::AssertFail(#cond, __FILE__, __LINE__, (msg)); \
    }                                                                 \
  } while (0)

// WALSIM_ASSERT_NEVER(cond): a compiled-out check; cond is not evaluated.
#define WALSIM_ASSERT_NEVER(cond)       \
  do {                                  \
    static_cast<void>(sizeof(!(cond))); \
  } while (0)

// WALSIM_ASSERT(cond): aborts when cond is false. On in every build.
// WALSIM_ASSERT_MSG(cond, msg): as WALSIM_ASSERT, with a fixed message.
#ifdef WALSIM_ASSERTS_OFF
#define WALSIM_ASSERT(cond) WALSIM_ASSERT_NEVER(cond)
#define WALSIM_ASSERT_MSG(cond, msg) WALSIM_ASSERT_NEVER(cond)
#else
#define WALSIM_ASSERT(cond) WALSIM_ASSERT_ALWAYS(cond, "")
#define WALSIM_ASSERT_MSG(cond, msg) WALSIM_ASSERT_ALWAYS(cond, (msg))
#endif

// WALSIM_ASSERT_SLOW(cond): an expensive check, on with WALSIM_SLOW_ASSERTS.
// kSlowAssertsOn lets a multi-statement slow check sit in `if constexpr`.
#ifdef WALSIM_SLOW_ASSERTS
#define WALSIM_ASSERT_SLOW(cond) WALSIM_ASSERT_ALWAYS(cond, "slow check")
namespace walsim {
inline constexpr bool kSlowAssertsOn = true;
}  // namespace walsim
#else
#define WALSIM_ASSERT_SLOW(cond) WALSIM_ASSERT_NEVER(cond)
namespace walsim {
inline constexpr bool kSlowAssertsOn = false;
}  // namespace walsim
#endif

// WALSIM_UNREACHABLE(): marks a point that correct code never reaches.
#define WALSIM_UNREACHABLE() ::walsim::detail::AssertFail("unreachable", __FILE__, __LINE__, "")
