// Inode and EntryOp: the simulated disk's internal records (sim/sim_fs.h).
//
// An Inode is a file or a directory with an identity that survives renames,
// so an open handle keeps writing to its file wherever the file is named.
// A file has live contents (what reads see) and durable contents (what a
// crash keeps) plus the PendingLog between them. A directory has live and
// durable entries plus, in issue order, the ids of the EntryOps (create,
// remove, rename) not yet durable. Invariant: a directory's durable entries
// equal its live entries as they were after its last durable EntryOp.
// Internal to sim/; not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "sim/pending_log.h"
#include "sim/sparse_bytes.h"

namespace walsim::sim {

// One-shot device faults armed on a file; each count is how many of the next
// matching operations fail.
enum class FaultArm : uint8_t {
  kWriteEio,
  kReadEio,
  kShortWrite,
  kNoSpace,
  kSyncEio,
  kSyncLie,
  kMisdirect,
};
inline constexpr size_t kFaultArmCount = 7;
using FaultArms = std::array<uint32_t, kFaultArmCount>;

inline constexpr uint64_t kRootInodeId = 1;

struct Inode {
  uint64_t id = 0;
  bool is_directory = false;
  // Regular files.
  SparseBytes live;
  SparseBytes durable;
  PendingLog pending;
  uint64_t reserved_bytes = 0;        // fallocate(KEEP_SIZE) reservation, live only
  std::set<uint64_t> latent_sectors;  // sector indexes whose reads fail, stickily
  // Write-unit audit: the end of the last write since the last sync, when it
  // ended inside a write unit (SimFs::set_write_unit_audit).
  std::optional<uint64_t> split_unit_end;
  // Directories.
  std::map<std::string, uint64_t> live_entries;     // name -> inode id
  std::map<std::string, uint64_t> durable_entries;  // name -> inode id
  std::deque<uint64_t> pending_entry_ops;           // EntryOp ids, issue order
  // Both.
  FaultArms arms{};
  uint32_t live_link_count = 0;
  uint32_t open_handle_count = 0;
};

// A directory-entry change not yet durable. A rename between two directories
// is one EntryOp listed in both, so it persists atomically.
struct EntryOp {
  enum class Kind : uint8_t { kLink, kUnlink, kRename };
  Kind kind = Kind::kLink;
  uint64_t from_dir = 0;  // kUnlink, kRename
  std::string from_name;
  uint64_t to_dir = 0;  // kLink, kRename
  std::string to_name;
  uint64_t inode = 0;  // kLink, kRename
};

}  // namespace walsim::sim
