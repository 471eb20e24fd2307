// The libfiu fault points of FaultFs: "walsim/fs/<operation kind>".
//
// Before each operation, FaultFs calls CheckFaultPoint, which calls
// fiu_fail("walsim/fs/<kind>"). When the point is enabled (fiu_enable in a
// test, fiu-ctrl from an operator, FiuPlan for a seeded plan) the operation
// fails with the effect carried in the point's failinfo: 0 (none) is eio,
// otherwise an Effect value (faults/effect.h). While fiu_fail runs, the
// operation is published (thread-locally) for FiuPlan's callback, which needs
// the path and the operation number to decide.
//
// Invariant: FaultPointName(kind) is "walsim/fs/" + OpKindName(kind), checked
// at compile time. Thread-safe (libfiu is; the published operation is
// thread-local).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "faults/effect.h"
#include "faults/op_context.h"
#include "faults/op_kind.h"

namespace walsim::faults {

inline constexpr std::string_view kFaultPointPrefix = "walsim/fs/";

// NUL-terminated point names, indexed by OpKind.
inline constexpr std::array<const char*, kOpKindCount> kFaultPointNames = {
    "walsim/fs/open",     "walsim/fs/remove", "walsim/fs/rename",   "walsim/fs/list",
    "walsim/fs/mkdir",    "walsim/fs/stat",   "walsim/fs/syncdir",  "walsim/fs/lock",
    "walsim/fs/read",     "walsim/fs/write",  "walsim/fs/append",   "walsim/fs/truncate",
    "walsim/fs/allocate", "walsim/fs/sync",   "walsim/fs/syncdata", "walsim/fs/size",
    "walsim/fs/close",    "walsim/fs/unlock",
};

namespace detail {
constexpr bool FaultPointNamesMatchKinds() {
  for (size_t i = 0; i < kOpKindCount; i++) {
    const std::string_view name = kFaultPointNames[i];
    if (!name.starts_with(kFaultPointPrefix)) return false;
    if (name.substr(kFaultPointPrefix.size()) != kOpKindTable[i].name) return false;
  }
  return true;
}
}  // namespace detail
static_assert(detail::FaultPointNamesMatchKinds(),
              "kFaultPointNames[k] must be \"walsim/fs/\" + OpKindName(k)");

constexpr const char* FaultPointName(OpKind kind) {
  return kFaultPointNames[static_cast<size_t>(kind)];
}

// effect as a libfiu failinfo: the effect's number in a pointer, which is
// what fiu-ctrl's "failinfo=<n>" passes and what CheckFaultPoint decodes.
inline void* FailinfoOf(Effect effect) {
  // NOLINTNEXTLINE(performance-no-int-to-ptr): libfiu's failinfo is an integer here.
  return reinterpret_cast<void*>(static_cast<uintptr_t>(effect));
}

// Calls fiu_fail on op's point with op published to FiuPlan's callback.
// Returns nullopt when the point does not fail, else its failinfo as an
// integer (see EffectFromFailinfo). REQUIRES: op.op_number > 0.
std::optional<uintptr_t> CheckFaultPoint(const OpContext& op);

// The operation being checked by CheckFaultPoint on this thread, or null when
// fiu_fail was called from elsewhere (FiuPlan's callback then does not fire).
const OpContext* PublishedOperation();

}  // namespace walsim::faults
