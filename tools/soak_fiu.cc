#include "tools/soak_fiu.h"

#include <dlfcn.h>
#include <fiu-control.h>
#include <fiu.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <optional>
#include <utility>

#include "base/assert.h"
#include "base/rng.h"

namespace walsim::tools {
namespace {

constexpr const char* kPosixPreloadPath = "/usr/lib/fiu/fiu_posix_preload.so";
constexpr const char* kRunPreloadPath = "/usr/lib/fiu/fiu_run_preload.so";

struct CallPoint {
  std::string_view call;
  std::string_view group;  // posix/io/<group>/<call>
  bool reducible;          // has a ".../reduce" point
};
constexpr std::array<CallPoint, 10> kCalls = {{
    {"write", "rw", true},
    {"pwrite", "rw", true},
    {"read", "rw", true},
    {"pread", "rw", true},
    {"ftruncate", "rw", false},
    {"fsync", "sync", false},
    {"fdatasync", "sync", false},
    {"open", "oc", false},
    {"rename", "dir", false},
    {"unlink", "dir", false},
}};

std::optional<SoakFaultKind> ParseKind(std::string_view text) {
  if (text == "eio") return SoakFaultKind::kEio;
  if (text == "enospc") return SoakFaultKind::kEnospc;
  if (text == "short") return SoakFaultKind::kShort;
  return std::nullopt;
}

Result<double> ParseProbability(std::string_view text) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !(value > 0 && value <= 1)) {
    return Status::InvalidArgument("probability '" + std::string(text) +
                                   "' is not a number in (0, 1]");
  }
  return value;
}

Result<SoakFiuRule> ParseRule(std::string_view text) {
  const std::string context = "--fiu rule '" + std::string(text) + "': ";
  const size_t equals = text.find('=');
  const size_t colon = text.find(':');
  if (equals == std::string_view::npos || colon == std::string_view::npos || colon < equals) {
    return Status::InvalidArgument(context + "expected CALL=KIND:PROBABILITY");
  }
  SoakFiuRule rule;
  rule.call = std::string(text.substr(0, equals));
  const CallPoint* call = nullptr;
  for (const CallPoint& candidate : kCalls) {
    if (candidate.call == rule.call) call = &candidate;
  }
  if (call == nullptr) {
    return Status::InvalidArgument(context +
                                   "unknown call (write, pwrite, read, pread, "
                                   "ftruncate, fsync, fdatasync, open, rename, unlink)");
  }
  std::optional<SoakFaultKind> kind = ParseKind(text.substr(equals + 1, colon - equals - 1));
  if (!kind) return Status::InvalidArgument(context + "unknown kind (eio, enospc, short)");
  if (*kind == SoakFaultKind::kShort && !call->reducible) {
    return Status::InvalidArgument(context + "short applies to write, pwrite, read, pread only");
  }
  Result<double> probability = ParseProbability(text.substr(colon + 1));
  if (!probability.ok()) return Status::InvalidArgument(context + probability.status().message());
  rule.kind = *kind;
  rule.probability = *probability;
  rule.point = "posix/io/" + std::string(call->group) + "/" + rule.call;
  if (rule.kind == SoakFaultKind::kShort) rule.point += "/reduce";
  return rule;
}

// The installed rules; libfiu's callback has no user pointer.
struct FiuState {
  std::vector<SoakFiuRule> rules;
  std::optional<Rng> rng;
  SoakFaultReporter reporter = nullptr;
  bool armed = false;
};
FiuState& State() {
  static FiuState state;
  return state;
}

int Decide(const char* name, int* failnum, void** failinfo, unsigned int* flags) {
  (void)failnum;
  (void)flags;
  FiuState& state = State();
  if (!state.armed) return 0;
  const std::string_view point(name);
  for (const SoakFiuRule& rule : state.rules) {
    if (rule.point != point || !state.rng->Chance(rule.probability)) continue;
    // The POSIX wrappers take failinfo as the errno to set (a random valid
    // one when null); reduce points ignore it.
    const intptr_t error_number = rule.kind == SoakFaultKind::kEnospc ? ENOSPC : EIO;
    // NOLINTNEXTLINE(performance-no-int-to-ptr): libfiu's failinfo carries the errno value
    *failinfo = reinterpret_cast<void*>(error_number);
    if (state.reporter != nullptr) state.reporter(rule);
    return 1;
  }
  return 0;
}

}  // namespace

std::string_view SoakFaultKindName(SoakFaultKind kind) {
  switch (kind) {
    case SoakFaultKind::kEio:
      return "eio";
    case SoakFaultKind::kEnospc:
      return "enospc";
    case SoakFaultKind::kShort:
      return "short";
  }
  return "?";
}

Result<std::vector<SoakFiuRule>> ParseSoakFiuRules(std::string_view text) {
  if (text == "default") text = kSoakFiuDefaultRules;
  if (text.empty()) return Status::InvalidArgument("--fiu: no rules (try --fiu default)");
  std::vector<SoakFiuRule> rules;
  size_t begin = 0;
  for (size_t count = 0; begin <= text.size(); count++) {
    if (count == kSoakFiuRuleCountMax) {
      return Status::InvalidArgument("--fiu: more than " + std::to_string(kSoakFiuRuleCountMax) +
                                     " rules");
    }
    size_t end = text.find(',', begin);
    if (end == std::string_view::npos) end = text.size();
    WALSIM_ASSIGN_OR_RETURN(SoakFiuRule rule, ParseRule(text.substr(begin, end - begin)));
    rules.push_back(std::move(rule));
    begin = end + 1;
  }
  return rules;
}

std::string SoakFiuPreloadPath() {
  if (::access(kPosixPreloadPath, R_OK) != 0 || ::access(kRunPreloadPath, R_OK) != 0) return "";
  return std::string(kRunPreloadPath) + ":" + kPosixPreloadPath;
}

Status InstallSoakFiu(std::vector<SoakFiuRule> rules, uint64_t seed, uint64_t cycle,
                      SoakFaultReporter reporter) {
  void* preload = ::dlopen(kPosixPreloadPath, RTLD_NOW | RTLD_NOLOAD);
  if (preload == nullptr) {
    return Status::NotSupported(std::string(kPosixPreloadPath) + " is not preloaded");
  }
  (void)::dlclose(preload);  // drops only the reference RTLD_NOLOAD took
  if (fiu_init(0) != 0) return Status::NotSupported("fiu_init failed");
  FiuState& state = State();
  state.rules = std::move(rules);
  state.rng.emplace(Rng(seed).Stream("soak/fiu/" + std::to_string(cycle)));
  state.reporter = reporter;
  for (size_t i = 0; i < state.rules.size(); i++) {
    const SoakFiuRule& rule = state.rules[i];
    // Once per point (Decide tries every rule of it): enabling an enabled
    // point again leaks libfiu's copy of its name.
    bool enabled_before = false;
    for (size_t j = 0; j < i; j++) enabled_before |= state.rules[j].point == rule.point;
    if (enabled_before) continue;
    if (fiu_enable_external(rule.point.c_str(), 1, nullptr, 0, &Decide) != 0) {
      return Status::NotSupported("fiu_enable_external " + rule.point + " failed");
    }
  }
  return Status::Ok();
}

void UninstallSoakFiu() {
  FiuState& state = State();
  // A point named by several rules is disabled once; later calls fail harmlessly.
  for (const SoakFiuRule& rule : state.rules) (void)fiu_disable(rule.point.c_str());
  state.rules.clear();
  state.armed = false;
}

void SetSoakFiuArmed(bool armed) { State().armed = armed; }

}  // namespace walsim::tools
