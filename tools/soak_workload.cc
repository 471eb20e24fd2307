#include "tools/soak_workload.h"

#include <algorithm>

#include "base/assert.h"
#include "base/hash.h"

namespace walsim::tools {
namespace {

uint64_t HashU64(uint64_t hash, uint64_t value) {
  uint8_t bytes[8];
  for (int i = 0; i < 8; i++) bytes[i] = static_cast<uint8_t>(value >> (8 * i));
  return Fnv1a64Extend(hash, std::span<const uint8_t>(bytes, sizeof(bytes)));
}

std::string Payload(Rng& rng, uint64_t size_bytes_max) {
  std::string data(rng.Below(size_bytes_max + 1), '\0');
  rng.Fill(std::span(reinterpret_cast<uint8_t*>(data.data()), data.size()));
  return data;
}

Rng CycleRng(uint64_t seed, std::string_view target, uint64_t cycle) {
  return Rng(seed).Stream("soak/" + std::string(target) + "/workload/" + std::to_string(cycle));
}

}  // namespace

std::optional<SoakTarget> ParseSoakTarget(std::string_view text) {
  if (text == "wal") return SoakTarget::kWal;
  if (text == "logstore") return SoakTarget::kLogstore;
  return std::nullopt;
}

std::string_view SoakTargetName(SoakTarget target) {
  return target == SoakTarget::kWal ? "wal" : "logstore";
}

uint64_t WalSoakDigest(const WalSoakState& state) {
  uint64_t hash = HashU64(kFnv1a64Offset, state.created ? 1 : 0);
  hash = Fnv1a64Extend(hash, state.metadata);
  for (uint64_t value : {state.snapshot.index, state.snapshot.term, state.hard_state.term,
                         state.hard_state.vote, state.hard_state.commit}) {
    hash = HashU64(hash, value);
  }
  for (const wal::Entry& entry : state.entries) {
    hash = HashU64(HashU64(hash, entry.index), entry.term);
    hash = Fnv1a64Extend(hash, entry.data);
  }
  return hash;
}

std::string_view WalSoakOpName(WalSoakOpKind kind) {
  switch (kind) {
    case WalSoakOpKind::kCreate:
      return "create";
    case WalSoakOpKind::kSave:
      return "save";
    case WalSoakOpKind::kSnapshot:
      return "snapshot";
    case WalSoakOpKind::kCut:
      return "cut";
    case WalSoakOpKind::kPurge:
      return "purge";
  }
  return "?";
}

WalSoakWorkload::WalSoakWorkload(uint64_t seed, uint64_t cycle, const WalSoakState& state)
    : rng_(CycleRng(seed, "wal", cycle)),
      seed_(seed),
      created_(state.created),
      hard_state_(state.hard_state),
      snapshot_index_(state.snapshot.index),
      terms_base_index_(state.snapshot.index) {
  terms_.reserve(state.entries.size());
  for (const wal::Entry& entry : state.entries) {
    WALSIM_ASSERT(entry.index == terms_base_index_ + 1 + terms_.size());
    terms_.push_back(entry.term);
  }
}

uint64_t WalSoakWorkload::TermAt(uint64_t index) const {
  WALSIM_ASSERT(index > terms_base_index_ && index <= terms_base_index_ + terms_.size());
  return terms_[index - terms_base_index_ - 1];
}

WalSoakOp WalSoakWorkload::Next() {
  WalSoakOp op;
  if (!created_) {
    created_ = true;
    op.kind = WalSoakOpKind::kCreate;
    op.metadata = "walsim soak seed=" + std::to_string(seed_);
    return op;
  }
  const uint64_t last_index = terms_base_index_ + terms_.size();
  if (purge_pending_) {
    purge_pending_ = false;
    op.kind = WalSoakOpKind::kPurge;
    op.snapshot.index = snapshot_index_;
    return op;
  }
  const uint64_t draw = rng_.Below(1000);
  const bool snapshot_due = hard_state_.commit - snapshot_index_ > kSoakWalEntriesSinceSnapshotMax;
  if ((draw < 8 || snapshot_due) && hard_state_.commit > snapshot_index_ &&
      hard_state_.commit > terms_base_index_) {
    op.kind = WalSoakOpKind::kSnapshot;
    op.snapshot.index = hard_state_.commit;
    op.snapshot.term = TermAt(hard_state_.commit);
    snapshot_index_ = op.snapshot.index;
    purge_pending_ = rng_.Chance(0.5);
    return op;
  }
  if (draw < 16 && last_index > 0) {
    op.kind = WalSoakOpKind::kCut;
    return op;
  }
  return NextSave();
}

WalSoakOp WalSoakWorkload::NextSave() {
  WalSoakOp op;
  op.kind = WalSoakOpKind::kSave;
  const uint64_t last_index = terms_base_index_ + terms_.size();
  uint64_t first_new_index = last_index + 1;
  if (hard_state_.term == 0 || rng_.Chance(0.03)) {
    // A new term (an election): a new vote, and the new leader may overwrite
    // uncommitted entries (never below the commit or the newest snapshot).
    hard_state_.term++;
    hard_state_.vote = rng_.Between(1, 5);
    const uint64_t floor_index = std::max({hard_state_.commit, snapshot_index_, terms_base_index_});
    if (last_index > floor_index) {
      first_new_index =
          last_index + 1 - rng_.Below(std::min<uint64_t>(last_index - floor_index, 3) + 1);
    }
  }
  const uint64_t entry_count = rng_.Chance(0.1) ? 0 : rng_.Between(1, 4);
  if (entry_count > 0) {
    terms_.resize(first_new_index - 1 - terms_base_index_);
    for (uint64_t i = 0; i < entry_count; i++) {
      wal::Entry entry;
      entry.index = first_new_index + i;
      entry.term = hard_state_.term;
      entry.data = Payload(rng_, kSoakPayloadBytesMax);
      terms_.push_back(entry.term);
      op.entries.push_back(std::move(entry));
    }
  }
  const uint64_t new_last_index = terms_base_index_ + terms_.size();
  hard_state_.commit = std::min(new_last_index, hard_state_.commit + rng_.Below(7));
  op.hard_state = hard_state_;
  return op;
}

// ---- LogStore --------------------------------------------------------------

uint64_t LogSoakDigest(const scenarios::LogState& state) {
  uint64_t hash = HashU64(kFnv1a64Offset, state.size());
  for (const auto& [index, log] : state) {
    hash = HashU64(HashU64(hash, index), log.term);
    hash = HashU64(hash, static_cast<uint64_t>(log.type));
    hash = HashU64(hash, static_cast<uint64_t>(log.appended_at_unix_ns));
    hash = Fnv1a64Extend(Fnv1a64Extend(hash, log.data), log.extensions);
  }
  return hash;
}

LogSoakWorkload::LogSoakWorkload(uint64_t seed, uint64_t cycle, const scenarios::LogState& state)
    : rng_(CycleRng(seed, "logstore", cycle)),
      first_index_(state.empty() ? 0 : state.begin()->first),
      last_index_(state.empty() ? 0 : state.rbegin()->first),
      term_(state.empty() ? 1 : state.rbegin()->second.term) {}

LogSoakOp LogSoakWorkload::Next() {
  LogSoakOp op;
  const uint64_t entry_count = first_index_ == 0 ? 0 : last_index_ - first_index_ + 1;
  const uint64_t draw = rng_.Below(1000);
  if (entry_count > kSoakLogEntryCountMax || (draw < 20 && entry_count > 10)) {
    // Raft compaction: a prefix of the log goes.
    op.kind = scenarios::LogModelOp::Kind::kDelete;
    op.min_index = first_index_;
    op.max_index = first_index_ + rng_.Between(1, entry_count / 2);
    first_index_ = op.max_index + 1;
    return op;
  }
  if (draw < 40 && entry_count > 3) {
    // A new leader truncates a conflicting suffix; the term moves on.
    op.kind = scenarios::LogModelOp::Kind::kDelete;
    op.min_index = last_index_ - rng_.Below(3);
    op.max_index = last_index_;
    last_index_ = op.min_index - 1;
    term_++;
    return op;
  }
  op.kind = scenarios::LogModelOp::Kind::kStore;
  const uint64_t batch_count = rng_.Between(1, 8);
  for (uint64_t i = 0; i < batch_count; i++) {
    logstore::Log log;
    log.index = last_index_ + 1 + i;
    log.term = term_;
    log.type = rng_.Chance(0.05) ? logstore::LogType::kNoop : logstore::LogType::kCommand;
    log.data = Payload(rng_, kSoakPayloadBytesMax);
    if (rng_.Chance(0.1)) log.extensions = Payload(rng_, 16);
    log.appended_at_unix_ns = static_cast<int64_t>(rng_.Below(uint64_t{1} << 62));
    op.logs.push_back(std::move(log));
  }
  if (first_index_ == 0) first_index_ = last_index_ + 1;
  last_index_ += batch_count;
  return op;
}

}  // namespace walsim::tools
