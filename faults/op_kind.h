// Operation kinds: the closed set of filesystem operations a fault can hit.
//
// Every method of fs::FileSystem, fs::File and fs::FileLock is exactly one
// OpKind, and every OpKind is exactly one OpClass, which says what the
// operation does to the disk:
//   read      observes state, changes nothing (ReadAt, Size, List, Stat);
//   write     changes a file's data or size (WriteAt, Append, Truncate, Allocate);
//   sync      makes live state durable (Sync, SyncData, SyncDir);
//   metadata  changes the namespace or a handle (Open, Close, Remove, Rename,
//             MkDir, Lock, Unlock).
// The table below is the single source of names and classes; static_asserts
// check at compile time that it lists every kind once, in enum order, with a
// class and a unique, non-empty name. The names are the words of the fault
// plan language (docs/fault-plans.md) and the suffixes of the libfiu points
// "walsim/fs/<name>".
//
// Pure constants and functions; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace walsim::faults {

enum class OpKind : uint8_t {
  // fs::FileSystem
  kOpen,
  kRemove,
  kRename,
  kList,
  kMkDir,
  kStat,
  kSyncDir,
  kLock,
  // fs::File
  kRead,
  kWrite,
  kAppend,
  kTruncate,
  kAllocate,
  kSync,
  kSyncData,
  kSize,
  kClose,
  // fs::FileLock
  kUnlock,
};
inline constexpr size_t kOpKindCount = 18;

enum class OpClass : uint8_t { kRead, kWrite, kSync, kMetadata };
inline constexpr size_t kOpClassCount = 4;

struct OpKindInfo {
  OpKind kind;
  OpClass op_class;
  std::string_view name;
  bool on_file_handle;  // a method of fs::File: the path names one open, existing file
};

inline constexpr std::array<OpKindInfo, kOpKindCount> kOpKindTable = {{
    {OpKind::kOpen, OpClass::kMetadata, "open", false},
    {OpKind::kRemove, OpClass::kMetadata, "remove", false},
    {OpKind::kRename, OpClass::kMetadata, "rename", false},
    {OpKind::kList, OpClass::kRead, "list", false},
    {OpKind::kMkDir, OpClass::kMetadata, "mkdir", false},
    {OpKind::kStat, OpClass::kRead, "stat", false},
    {OpKind::kSyncDir, OpClass::kSync, "syncdir", false},
    {OpKind::kLock, OpClass::kMetadata, "lock", false},
    {OpKind::kRead, OpClass::kRead, "read", true},
    {OpKind::kWrite, OpClass::kWrite, "write", true},
    {OpKind::kAppend, OpClass::kWrite, "append", true},
    {OpKind::kTruncate, OpClass::kWrite, "truncate", true},
    {OpKind::kAllocate, OpClass::kWrite, "allocate", true},
    {OpKind::kSync, OpClass::kSync, "sync", true},
    {OpKind::kSyncData, OpClass::kSync, "syncdata", true},
    {OpKind::kSize, OpClass::kRead, "size", true},
    {OpKind::kClose, OpClass::kMetadata, "close", true},
    {OpKind::kUnlock, OpClass::kMetadata, "unlock", false},
}};

inline constexpr std::array<std::string_view, kOpClassCount> kOpClassNames = {"read", "write",
                                                                              "sync", "metadata"};

namespace detail {
constexpr bool OpKindTableIsComplete() {
  for (size_t i = 0; i < kOpKindCount; i++) {
    const OpKindInfo& info = kOpKindTable[i];
    if (static_cast<size_t>(info.kind) != i) return false;  // in enum order, each once
    if (static_cast<size_t>(info.op_class) >= kOpClassCount) return false;
    if (info.name.empty()) return false;
    for (size_t j = 0; j < i; j++) {
      if (kOpKindTable[j].name == info.name) return false;
    }
  }
  return true;
}
constexpr bool EveryClassHasAKind() {
  for (size_t c = 0; c < kOpClassCount; c++) {
    bool found = false;
    for (const OpKindInfo& info : kOpKindTable)
      found = found || static_cast<size_t>(info.op_class) == c;
    if (!found) return false;
  }
  return true;
}
}  // namespace detail

static_assert(static_cast<size_t>(OpKind::kUnlock) + 1 == kOpKindCount);
static_assert(static_cast<size_t>(OpClass::kMetadata) + 1 == kOpClassCount);
static_assert(detail::OpKindTableIsComplete(),
              "kOpKindTable must list every OpKind once, in order, with a class and unique name");
static_assert(detail::EveryClassHasAKind());
// A kind set is a bit mask (see KindMask); every kind must fit.
static_assert(kOpKindCount <= 32);

constexpr const OpKindInfo& Info(OpKind kind) { return kOpKindTable[static_cast<size_t>(kind)]; }
constexpr std::string_view OpKindName(OpKind kind) { return Info(kind).name; }
constexpr OpClass ClassOf(OpKind kind) { return Info(kind).op_class; }
constexpr std::string_view OpClassName(OpClass op_class) {
  return kOpClassNames[static_cast<size_t>(op_class)];
}
constexpr uint32_t KindBit(OpKind kind) { return uint32_t{1} << static_cast<uint32_t>(kind); }
inline constexpr uint32_t kAllKindsMask = (uint32_t{1} << kOpKindCount) - 1;

// The kinds of one class, as a KindBit mask.
constexpr uint32_t ClassMask(OpClass op_class) {
  uint32_t mask = 0;
  for (const OpKindInfo& info : kOpKindTable) {
    if (info.op_class == op_class) mask |= KindBit(info.kind);
  }
  return mask;
}

// "write" -> kWrite; nullopt for an unknown name.
constexpr std::optional<OpKind> ParseOpKind(std::string_view name) {
  for (const OpKindInfo& info : kOpKindTable) {
    if (info.name == name) return info.kind;
  }
  return std::nullopt;
}
constexpr std::optional<OpClass> ParseOpClass(std::string_view name) {
  for (size_t c = 0; c < kOpClassCount; c++) {
    if (kOpClassNames[c] == name) return static_cast<OpClass>(c);
  }
  return std::nullopt;
}

static_assert(ParseOpKind("syncdata") == OpKind::kSyncData);
static_assert((ClassMask(OpClass::kRead) | ClassMask(OpClass::kWrite) | ClassMask(OpClass::kSync) |
               ClassMask(OpClass::kMetadata)) == kAllKindsMask);

}  // namespace walsim::faults
