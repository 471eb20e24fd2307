#include "sim/crash_image.h"

#include <algorithm>
#include <vector>

#include "base/assert.h"

namespace walsim::sim {
namespace {

// A write split at sector boundaries: pieces [0, count) of
// [offset, offset + data.size()).
struct SectorPieces {
  uint64_t offset;
  std::span<const uint8_t> data;
  uint64_t sector_size_bytes;

  uint64_t count() const {
    uint64_t first_sector = offset / sector_size_bytes;
    uint64_t last_sector = (offset + data.size() - 1) / sector_size_bytes;
    return last_sector - first_sector + 1;
  }
  uint64_t begin(uint64_t index) const {
    return index == 0 ? offset : (offset / sector_size_bytes + index) * sector_size_bytes;
  }
  std::span<const uint8_t> bytes(uint64_t index) const {
    uint64_t piece_begin = begin(index);
    uint64_t piece_end = std::min<uint64_t>(
        offset + data.size(), (piece_begin / sector_size_bytes + 1) * sector_size_bytes);
    WALSIM_ASSERT(piece_begin < piece_end);
    return data.subspan(piece_begin - offset, piece_end - piece_begin);
  }
};

void AppendDecision(std::string* decisions, std::string_view key, uint64_t value) {
  *decisions += ' ';
  *decisions += key;
  *decisions += '=';
  *decisions += std::to_string(value);
}

std::string_view TearFillName(TearFill fill) {
  switch (fill) {
    case TearFill::kOld:
      return "old";
    case TearFill::kZero:
      return "zero";
    case TearFill::kRandom:
      return "random";
  }
  WALSIM_UNREACHABLE();
}

// Persists a seeded strict prefix of the piece's new bytes; the rest of the
// piece holds old bytes, zeros or random bytes (the sector was cut mid-write).
void TearPiece(uint64_t piece_begin, std::span<const uint8_t> piece, bool random_fill,
               CrashDecider* decider, SparseBytes* image, std::string* decisions) {
  WALSIM_ASSERT(!piece.empty());
  static_assert(static_cast<int>(TearFill::kRandom) == 2, "the last fill is the random one");
  uint64_t cut_bytes = decider->TearBelow(piece.size());
  auto fill = static_cast<TearFill>(decider->TearBelow(random_fill ? 3 : 2));
  image->Write(piece_begin, piece.first(cut_bytes));
  uint64_t rest_begin = piece_begin + cut_bytes;
  uint64_t rest_bytes = piece.size() - cut_bytes;
  if (fill != TearFill::kOld) {
    std::vector<uint8_t> filler(rest_bytes, 0);
    if (fill == TearFill::kRandom) decider->tear_rng()->Fill(filler);
    image->Write(rest_begin, filler);
  }
  *decisions += " tear=";
  *decisions += TearFillName(fill);
  *decisions += '@';
  *decisions += std::to_string(rest_begin);
}

// Prefix model: ops [0, kept) persist whole; op `kept`, if a write, persists
// a seeded strict prefix of its sectors, the next one possibly torn.
// Returns the index of the first op not fully persisted.
size_t ApplyPrefix(const PendingLog& pending, const CrashImageOptions& options,
                   CrashDecider* decider, SparseBytes* image, std::string* decisions) {
  size_t kept_count = decider->Between(0, pending.op_count());
  pending.ReplayInto(kept_count, image);
  AppendDecision(decisions, "kept_ops", kept_count);
  AppendDecision(decisions, "of", pending.op_count());
  if (kept_count == pending.op_count()) return kept_count;
  if (pending.op(kept_count).kind != PendingOp::Kind::kWrite) return kept_count;
  const PendingOp& op = pending.op(kept_count);
  SectorPieces pieces{op.offset, pending.data(kept_count), options.sector_size_bytes};
  uint64_t whole_count = decider->Below(pieces.count());
  for (uint64_t index = 0; index < whole_count; index++) {
    image->Write(pieces.begin(index), pieces.bytes(index));
  }
  AppendDecision(decisions, "next_op_sectors", whole_count);
  if (!options.atomic_sector && decider->Coin()) {
    TearPiece(pieces.begin(whole_count), pieces.bytes(whole_count), options.random_tear_fill,
              decider, image, decisions);
  }
  return kept_count;
}

// Reorder model: each size change persists or not, each sector of each write
// persists, does not, or (atomic_sector false) tears, independently; what
// persists is applied in issue order. Collects the ends of writes that did not
// wholly persist into *unpersisted_ends.
void ApplyReorder(const PendingLog& pending, const CrashImageOptions& options,
                  CrashDecider* decider, SparseBytes* image,
                  std::vector<uint64_t>* unpersisted_ends, std::string* decisions) {
  uint64_t sectors_total = 0, sectors_kept = 0, resizes_total = 0, resizes_kept = 0;
  for (size_t op_index = 0; op_index < pending.op_count(); op_index++) {
    const PendingOp& op = pending.op(op_index);
    if (op.kind == PendingOp::Kind::kResize) {
      resizes_total++;
      if (decider->Coin()) {
        image->Resize(op.size_bytes);
        resizes_kept++;
      }
      continue;
    }
    SectorPieces pieces{op.offset, pending.data(op_index), options.sector_size_bytes};
    bool whole = true;
    for (uint64_t index = 0; index < pieces.count(); index++) {
      uint64_t choice = decider->Below(options.atomic_sector ? 2 : 3);
      sectors_total++;
      if (choice == 1) {
        image->Write(pieces.begin(index), pieces.bytes(index));
        sectors_kept++;
      } else {
        whole = false;
        if (choice == 2)
          TearPiece(pieces.begin(index), pieces.bytes(index), options.random_tear_fill, decider,
                    image, decisions);
      }
    }
    if (!whole) unpersisted_ends->push_back(op.offset + op.size_bytes);
  }
  AppendDecision(decisions, "kept_sectors", sectors_kept);
  AppendDecision(decisions, "of", sectors_total);
  AppendDecision(decisions, "kept_resizes", resizes_kept);
  AppendDecision(decisions, "of", resizes_total);
}

// Size before data: the size increase of one write that did not wholly
// persist may still have reached the disk; its missing bytes read as zeros.
void MaybeGrowSize(const std::vector<uint64_t>& unpersisted_ends, CrashDecider* decider,
                   SparseBytes* image, std::string* decisions) {
  std::vector<uint64_t> growing;
  for (uint64_t end : unpersisted_ends) {
    if (end > image->size_bytes()) growing.push_back(end);
  }
  if (growing.empty() || !decider->Coin()) return;
  uint64_t size_bytes = growing[decider->Below(growing.size())];
  image->Resize(size_bytes);
  AppendDecision(decisions, "size_before_data", size_bytes);
}

}  // namespace

namespace {
// The largest size the file had: durable, or after any one pending op.
uint64_t MaxSizeBytes(const SparseBytes& durable, const PendingLog& pending) {
  uint64_t size_bytes_max = durable.size_bytes();
  for (size_t index = 0; index < pending.op_count(); index++) {
    const PendingOp& op = pending.op(index);
    const uint64_t end_bytes =
        op.kind == PendingOp::Kind::kWrite ? op.offset + op.size_bytes : op.size_bytes;
    size_bytes_max = std::max(size_bytes_max, end_bytes);
  }
  return size_bytes_max;
}
}  // namespace

SparseBytes BuildCrashImage(const SparseBytes& durable, const PendingLog& pending,
                            const CrashImageOptions& options, CrashDecider* decider,
                            std::string* decisions) {
  WALSIM_ASSERT(options.sector_size_bytes > 0);
  SparseBytes image = durable;
  if (options.model == CrashModel::kClean || pending.empty()) return image;
  std::vector<uint64_t> unpersisted_ends;
  if (options.model == CrashModel::kPrefix) {
    size_t first_lost = ApplyPrefix(pending, options, decider, &image, decisions);
    for (size_t index = first_lost; index < pending.op_count(); index++) {
      const PendingOp& op = pending.op(index);
      if (op.kind == PendingOp::Kind::kWrite) unpersisted_ends.push_back(op.offset + op.size_bytes);
    }
  } else {
    ApplyReorder(pending, options, decider, &image, &unpersisted_ends, decisions);
  }
  if (options.size_before_data) MaybeGrowSize(unpersisted_ends, decider, &image, decisions);
  // The image holds nothing the file never had: its size is the durable size
  // or a size some pending op gave the file.
  WALSIM_ASSERT(image.size_bytes() <= MaxSizeBytes(durable, pending));
  return image;
}

}  // namespace walsim::sim
