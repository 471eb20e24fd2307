// `walsim soak --fiu RULES`: real syscalls failing through libfiu's POSIX
// preload (fiu_posix_preload.so), decided by walsim's seeded Rng.
//
// RULES is a comma-separated list of CALL=KIND:PROBABILITY, for example
// "pwrite=eio:0.001,fdatasync=eio:0.01,pwrite=short:0.05", or "default"
// (kSoakFiuDefaultRules). CALL is one of write, pwrite, read, pread, fsync,
// fdatasync, open, rename, unlink, ftruncate (the libfiu points
// posix/io/<group>/<call>); KIND is eio or enospc (the call fails with that
// errno and does nothing) or short (write, pwrite, read, pread only: libfiu's
// ".../reduce" point shortens the count, so the call transfers less);
// PROBABILITY is in (0, 1]. Several rules may name one call; they are tried
// in the order given.
//
// Inside the child only the calls made while a store operation runs are
// eligible (SetSoakFiuArmed); each decision draws from one Rng stream, so
// the same sequence of eligible calls gets the same faults. Every injected
// fault is reported through the callback given to InstallSoakFiu, from inside
// the failing call (before it returns).
//
// Process-global state (libfiu's); used by one thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace walsim::tools {

inline constexpr std::string_view kSoakFiuDefaultRules =
    "pwrite=eio:0.0005,pwrite=enospc:0.0005,pwrite=short:0.02,fdatasync=eio:0.002,"
    "fsync=eio:0.002,open=eio:0.005,rename=eio:0.01,unlink=eio:0.01,ftruncate=eio:0.001,"
    "pread=eio:0.0002,pread=short:0.01";
inline constexpr size_t kSoakFiuRuleCountMax = 64;

enum class SoakFaultKind : uint8_t { kEio, kEnospc, kShort };
std::string_view SoakFaultKindName(SoakFaultKind kind);

struct SoakFiuRule {
  std::string call;   // "pwrite"
  std::string point;  // "posix/io/rw/pwrite" (kShort: ".../reduce")
  SoakFaultKind kind = SoakFaultKind::kEio;
  double probability = 0;
};

// Parses RULES ("default" included). Failure: kInvalidArgument naming the
// bad rule.
Result<std::vector<SoakFiuRule>> ParseSoakFiuRules(std::string_view text);

// The preload libraries the child is started with (LD_PRELOAD); empty when
// libfiu's POSIX preload is not installed.
std::string SoakFiuPreloadPath();

// Called from inside a failing call: the rule's call name and kind.
using SoakFaultReporter = void (*)(const SoakFiuRule& rule);

// In the child: initializes libfiu and enables an external point per rule,
// deciding with Rng(seed).Stream("soak/fiu/<cycle>"). Failure: kNotSupported
// when the POSIX preload is not loaded into this process (a rule would never fire).
Status InstallSoakFiu(std::vector<SoakFiuRule> rules, uint64_t seed, uint64_t cycle,
                      SoakFaultReporter reporter);

// Disables every point InstallSoakFiu enabled (libfiu then frees its copies
// of their names, which LeakSanitizer would report at exit).
void UninstallSoakFiu();

// Only while armed do the rules fire (the child arms around store calls).
void SetSoakFiuArmed(bool armed);

}  // namespace walsim::tools
