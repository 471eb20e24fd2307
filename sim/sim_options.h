// SimOptions: every knob of the simulated disk, and its crash models.
//
// There are no hidden defaults: what SimFs does is a function of these fields
// (and of the operations issued). A value-initialized SimOptions is a perfect
// disk: 512-byte atomic sectors, unlimited capacity, no faults, and the
// `clean` crash model, which keeps exactly the synced state. Units are in the
// names. Plain value type; thread-safety as any struct.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace walsim::sim {

// What unsynced state a crash may keep (see sim/sim_fs.h, "Crash").
enum class CrashModel : uint8_t {
  kClean,    // exactly the durable state
  kPrefix,   // per file, unsynced operations persist in issue order up to a seeded point
  kReorder,  // per file, each unsynced sector of each write persists independently
};
inline constexpr uint32_t kCrashModelCount = 3;

// "clean", "prefix", "reorder".
std::string_view CrashModelName(CrashModel model);
// The inverse of CrashModelName; std::nullopt for any other text.
std::optional<CrashModel> ParseCrashModel(std::string_view name);

struct SimOptions {
  // Every random decision of the disk derives from this seed (named Rng streams).
  uint64_t seed = 0;
  // The unit of tearing, reordering, misdirection and latent errors.
  // REQUIRES: a power of two in [kSectorSizeBytesMin, kSectorSizeBytesMax].
  uint32_t sector_size_bytes = 512;
  // false: a partially persisted sector may be torn (old, zero or random bytes).
  bool atomic_sector = true;
  // With atomic_sector false: whether a torn sector's unwritten part may read
  // as random bytes, or only as its old bytes or zeros (what many drives
  // return). Random bytes are the adversarial case that etcd's WAL format
  // cannot tell from rot (docs/wal-format.md, "Known limitation").
  bool random_tear_fill = true;
  // kNoSpace when the allocated bytes of all reachable or open files would exceed this.
  uint64_t capacity_bytes = UINT64_MAX;
  // The model Crash() uses.
  CrashModel crash_model = CrashModel::kClean;
  // An append's size increase may persist while its data does not (it reads as zeros).
  bool size_before_data = false;
  // Early write-back under a failed fsync. false: a failed sync (fsync EIO)
  // marks every pending write clean and none becomes durable. true: the page
  // cache had written a seeded prefix of them back before the one that failed
  // (0 to all but one, in issue order), and those are durable: on Linux an
  // fsync reports EIO when any page's write-back failed, while others may
  // have reached the disk long before.
  bool sync_eio_writes_back = false;
  // Probabilistic device faults, each decided from its own Rng stream; 0 = off.
  // REQUIRES: each in [0, 1].
  double write_eio_probability = 0;
  double read_eio_probability = 0;
  double short_write_probability = 0;
  double sync_eio_probability = 0;
  double sync_lie_probability = 0;
};

inline constexpr uint32_t kSectorSizeBytesMin = 1;
inline constexpr uint32_t kSectorSizeBytesMax = 64 * 1024;
static_assert(kSectorSizeBytesMin <= 512 && 512 <= kSectorSizeBytesMax);

}  // namespace walsim::sim
