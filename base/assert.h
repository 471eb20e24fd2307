// Assertions for bugs in walsim's own code.
//
// A broken invariant of our own code is a bug: it aborts with the file, line
// and condition, in every build type. Expected failures (bad input, I/O errors)
// are never asserted; they come back as a Status. Thread-safe.
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

// WALSIM_ASSERT(cond): aborts when cond is false. Always on.
#define WALSIM_ASSERT(cond)                                        \
  do {                                                             \
    if (!(cond)) [[unlikely]] {                                    \
      ::walsim::detail::AssertFail(#cond, __FILE__, __LINE__, ""); \
    }                                                              \
  } while (0)

// WALSIM_ASSERT_MSG(cond, msg): as WALSIM_ASSERT, with a fixed message.
#define WALSIM_ASSERT_MSG(cond, msg)                                  \
  do {                                                                \
    if (!(cond)) [[unlikely]] {                                       \
      ::walsim::detail::AssertFail(#cond, __FILE__, __LINE__, (msg)); \
    }                                                                 \
  } while (0)

// WALSIM_UNREACHABLE(): marks a point that correct code never reaches.
#define WALSIM_UNREACHABLE() ::walsim::detail::AssertFail("unreachable", __FILE__, __LINE__, "")
