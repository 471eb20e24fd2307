// The seeded workloads of `walsim soak`: what the child process does to the
// store, and what the parent replays into the reference model.
//
// Both processes build the same generator from (seed, cycle, the state the
// store recovered at the start of the cycle) and draw the same operations in
// the same order: the child sends only "about to call op n" and "op n
// returned", never the operation itself. The generator assumes every
// operation succeeds (the child stops at the first failure), so the n-th
// operation of a cycle is a pure function of those three inputs. The parent
// checks that the child recovered the same state it did (the digests below).
//
// Limits: the WAL keeps at most kSoakWalEntriesSinceSnapshotMax entries
// after its newest snapshot before it takes another; the LogStore at most
// kSoakLogEntryCountMax entries before it deletes a prefix.
//
// Plain values; single-threaded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/rng.h"
#include "logstore/log_store.h"
#include "scenarios/model/log_model.h"
#include "wal/types.h"

namespace walsim::tools {

enum class SoakTarget : uint8_t { kWal, kLogstore };
// "wal" / "logstore"; nullopt for anything else.
std::optional<SoakTarget> ParseSoakTarget(std::string_view text);
std::string_view SoakTargetName(SoakTarget target);

inline constexpr uint64_t kSoakWalSegmentSizeBytes = uint64_t{64} << 10;
inline constexpr uint64_t kSoakLogSegmentSizeBytes = uint64_t{128} << 10;
inline constexpr uint64_t kSoakWalEntriesSinceSnapshotMax = 400;
inline constexpr uint64_t kSoakLogEntryCountMax = 1500;
inline constexpr size_t kSoakWalKeepSegments = 4;
inline constexpr size_t kSoakPayloadBytesMax = 300;

// ---- WAL -------------------------------------------------------------------

// What a cycle starts from: nothing (the WAL does not exist yet), or the
// snapshot it was opened from and what ReadAll returned.
struct WalSoakState {
  bool created = false;
  std::string metadata;
  wal::Snapshot snapshot;  // opened from
  wal::HardState hard_state;
  std::vector<wal::Entry> entries;  // after snapshot.index, as ReadAll returned
};

// A hash of the state, equal in parent and child when they recovered the same.
uint64_t WalSoakDigest(const WalSoakState& state);

enum class WalSoakOpKind : uint8_t { kCreate, kSave, kSnapshot, kCut, kPurge };
std::string_view WalSoakOpName(WalSoakOpKind kind);

struct WalSoakOp {
  WalSoakOpKind kind = WalSoakOpKind::kSave;
  std::string metadata;  // kCreate
  wal::HardState hard_state;
  std::vector<wal::Entry> entries;  // kSave
  wal::Snapshot snapshot;           // kSnapshot; kPurge: release locks below snapshot.index
};

class WalSoakWorkload {
 public:
  WalSoakWorkload(uint64_t seed, uint64_t cycle, const WalSoakState& state);
  // The next operation; the generator's state moves on as if it succeeded.
  WalSoakOp Next();

 private:
  WalSoakOp NextSave();
  uint64_t TermAt(uint64_t index) const;

  Rng rng_;
  uint64_t seed_;
  bool created_;
  wal::HardState hard_state_;
  uint64_t snapshot_index_;    // newest snapshot saved or opened from
  uint64_t terms_base_index_;  // terms_[i] is the term of entry terms_base_index_ + 1 + i
  std::vector<uint64_t> terms_;
  bool purge_pending_ = false;
};

// ---- LogStore --------------------------------------------------------------

// A hash of a store's whole contents.
uint64_t LogSoakDigest(const scenarios::LogState& state);

struct LogSoakOp {
  scenarios::LogModelOp::Kind kind = scenarios::LogModelOp::Kind::kStore;
  std::vector<logstore::Log> logs;  // kStore
  uint64_t min_index = 0;           // kDelete
  uint64_t max_index = 0;
};

class LogSoakWorkload {
 public:
  LogSoakWorkload(uint64_t seed, uint64_t cycle, const scenarios::LogState& state);
  LogSoakOp Next();

 private:
  Rng rng_;
  uint64_t first_index_;  // 0: empty
  uint64_t last_index_;
  uint64_t term_;
};

}  // namespace walsim::tools
