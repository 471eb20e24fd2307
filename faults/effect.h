// Effects: what an injected fault does to the operation it hits.
//
// The closed set of effects of the fault plan language, with, for each, the
// operation kinds it is valid on, whether the fault is legal (something POSIX
// and a working disk may do; DESIGN.md "Device faults") and whether FaultFs
// can produce it by itself on any filesystem or needs a simulated disk
// (faults::DeviceFaults). Validity is strict: a rule whose operation selector
// covers a kind the effect is not valid on is rejected when the plan is built
// (`short` on a read, `fsync-eio` on a write).
//
//   effect     valid on                         legal  FaultFs alone
//   eio        every kind                       yes    yes: fail with kIoError, do nothing
//   enospc     write class, open, mkdir,        yes    yes: fail with kNoSpace, do nothing
//              rename, sync class
//   short      write, append                    yes    yes: write a seeded strict prefix, kIoError
//   fsync-eio  sync class                       yes    yes (no page-clean semantics: the data
//                                                      is simply not synced); a device adds them
//   crash      every kind                       yes    yes: a process crash (the disk keeps what
//                                                      the kernel has); a device crashes the disk
//   fsync-lie  sync class                       no     no: the device returns OK, syncs nothing
//   bitrot     file-handle kinds                no     no: the device flips a durable bit
//   latent     file-handle kinds                no     no: the device fails one sector's reads
//   misdirect  write, append                    no     no: the device writes at another sector
//
// The numeric values are stable: they are what an operator passes as libfiu
// failinfo (`fiu-ctrl -c 'enable name=walsim/fs/write,failinfo=2'` is enospc);
// 0 (no failinfo) means eio.
// Pure constants; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "faults/op_kind.h"

namespace walsim::faults {

enum class Effect : uint8_t {
  kEio = 1,
  kNoSpace = 2,
  kShort = 3,
  kFsyncEio = 4,
  kFsyncLie = 5,
  kBitrot = 6,
  kLatent = 7,
  kMisdirect = 8,
  kCrash = 9,
};
inline constexpr size_t kEffectCount = 9;

struct EffectInfo {
  Effect effect;
  std::string_view name;
  uint32_t valid_kinds_mask;  // KindBit()s of the kinds this effect may hit
  bool legal;                 // a working disk and kernel may do this
  bool fault_fs_can_emulate;  // FaultFs produces it without a DeviceFaults
};

namespace detail {
constexpr uint32_t FileHandleMask() {
  uint32_t mask = 0;
  for (const OpKindInfo& info : kOpKindTable) {
    if (info.on_file_handle) mask |= KindBit(info.kind);
  }
  return mask;
}
inline constexpr uint32_t kWriteAppendMask = KindBit(OpKind::kWrite) | KindBit(OpKind::kAppend);
inline constexpr uint32_t kNoSpaceMask = ClassMask(OpClass::kWrite) | ClassMask(OpClass::kSync) |
                                         KindBit(OpKind::kOpen) | KindBit(OpKind::kMkDir) |
                                         KindBit(OpKind::kRename);
}  // namespace detail

inline constexpr std::array<EffectInfo, kEffectCount> kEffectTable = {{
    {Effect::kEio, "eio", kAllKindsMask, true, true},
    {Effect::kNoSpace, "enospc", detail::kNoSpaceMask, true, true},
    {Effect::kShort, "short", detail::kWriteAppendMask, true, true},
    {Effect::kFsyncEio, "fsync-eio", ClassMask(OpClass::kSync), true, true},
    {Effect::kFsyncLie, "fsync-lie", ClassMask(OpClass::kSync), false, false},
    {Effect::kBitrot, "bitrot", detail::FileHandleMask(), false, false},
    {Effect::kLatent, "latent", detail::FileHandleMask(), false, false},
    {Effect::kMisdirect, "misdirect", detail::kWriteAppendMask, false, false},
    {Effect::kCrash, "crash", kAllKindsMask, true, true},
}};

namespace detail {
constexpr bool EffectTableIsComplete() {
  for (size_t i = 0; i < kEffectCount; i++) {
    const EffectInfo& info = kEffectTable[i];
    if (static_cast<size_t>(info.effect) != i + 1) return false;  // values 1..N, in order
    if (info.name.empty() || info.valid_kinds_mask == 0) return false;
    if ((info.valid_kinds_mask & ~kAllKindsMask) != 0) return false;
    if (!info.legal && info.fault_fs_can_emulate) return false;  // illegal faults need a device
    for (size_t j = 0; j < i; j++) {
      if (kEffectTable[j].name == info.name) return false;
    }
  }
  return true;
}
}  // namespace detail
static_assert(detail::EffectTableIsComplete(),
              "kEffectTable must list every Effect once, in value order, with a unique name");
static_assert(static_cast<size_t>(Effect::kCrash) == kEffectCount);

// REQUIRES: effect is one of the enumerators.
constexpr const EffectInfo& Info(Effect effect) {
  return kEffectTable[static_cast<size_t>(effect) - 1];
}
constexpr std::string_view EffectName(Effect effect) { return Info(effect).name; }
constexpr bool EffectValidOn(Effect effect, OpKind kind) {
  return (Info(effect).valid_kinds_mask & KindBit(kind)) != 0;
}

constexpr std::optional<Effect> ParseEffect(std::string_view name) {
  for (const EffectInfo& info : kEffectTable) {
    if (info.name == name) return info.effect;
  }
  return std::nullopt;
}

// A libfiu failinfo value (0 or an Effect value) as an Effect; 0 is eio;
// nullopt for anything else.
constexpr std::optional<Effect> EffectFromFailinfo(uintptr_t failinfo) {
  if (failinfo == 0) return Effect::kEio;
  if (failinfo > kEffectCount) return std::nullopt;
  return static_cast<Effect>(failinfo);
}

static_assert(!EffectValidOn(Effect::kFsyncEio, OpKind::kWrite));
static_assert(EffectValidOn(Effect::kShort, OpKind::kAppend));
static_assert(EffectFromFailinfo(2) == Effect::kNoSpace);

}  // namespace walsim::faults
