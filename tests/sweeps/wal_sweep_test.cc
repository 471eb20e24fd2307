// The WAL damage sweep: a small WAL on SimFs (three segments, a snapshot
// record, HardStates), then every single-byte damage of every file (a bit
// flipped, the byte zeroed, the byte set to 0xff), every truncation of every
// file, each file deleted, and each segment duplicated under the next name.
// After each: OpenForRead + ReadAll, Verify, Repair, and ReadAll again. Each
// outcome is classified:
//   correct view   ReadAll returns exactly what was written;
//   legal prefix   the view of a record prefix, and the damage is in the
//                  last record of the log (or past its data): tail damage;
//   clear error    a non-OK Status with a message;
//   defect         wrong data, a shorter view after damage before the last
//                  record (silent loss), Verify or Repair disagreeing with
//                  ReadAll, or Repair changing a readable view.
// The test fails on any defect and prints counts by outcome (quoted in
// docs/reliability.md). A crash or hang fails the test by itself.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/log.h"
#include "fs/path.h"
#include "sim/sim_fs.h"
#include "wal/internal.h"
#include "wal/reader.h"
#include "wal/wal.h"

namespace walsim::wal {
namespace {

constexpr char kDir[] = "/w";
constexpr uint64_t kSegmentSizeBytes = 2048;

using Files = std::map<std::string, std::string>;  // name -> bytes

// One record of the original WAL, where it lies.
struct RecordSpan {
  std::string file;
  uint64_t begin = 0;  // frame offset
  uint64_t end = 0;    // frame end
};

enum class Outcome : uint8_t { kCorrect, kLegalPrefix, kClearError, kDefect };
constexpr std::array<const char*, 4> kOutcomeNames = {"correct view", "legal prefix", "clear error",
                                                      "defect"};

WalOptions Quiet() {
  WalOptions options;
  options.logger = NullLogger();
  options.segment_size_bytes = kSegmentSizeBytes;
  return options;
}

std::string ReadFileBytes(fs::FileSystem& fs, const std::string& path) {
  auto file = fs.Open(path, {.read_only = true}).value();
  std::string bytes(file->Size().value(), '\0');
  WALSIM_ASSERT(
      file->ReadAt(0, std::span(reinterpret_cast<uint8_t*>(bytes.data()), bytes.size())).value() ==
      bytes.size());
  return bytes;
}

// Non-zero, varied entry data: no 512-byte chunk of zeros by accident.
std::string EntryData(uint64_t index) {
  std::string data(40, '\0');
  for (size_t i = 0; i < data.size(); i++) data[i] = static_cast<char>('a' + (index + i) % 26);
  return data;
}

Files BuildWal() {
  sim::SimFs fs(sim::SimOptions{.seed = 1});
  auto wal = Wal::Create(fs, kDir, "sweep-metadata", Quiet()).value();
  uint64_t index = 0;
  for (uint64_t save = 0; save < 30; save++) {
    std::vector<Entry> entries;
    for (int i = 0; i < 2; i++) {
      index++;
      entries.push_back(Entry{1 + save / 10, index, EntryType::kNormal, EntryData(index)});
    }
    WALSIM_ASSERT(wal->Save(HardState{1 + save / 10, 1, index - 1}, entries).ok());
    if (save == 12) WALSIM_ASSERT(wal->SaveSnapshot(Snapshot{index - 2, 1, {}}).ok());
  }
  WALSIM_ASSERT(wal->Close().ok());
  Files files;
  const std::vector<std::string> names = fs.List(kDir).value();
  for (const std::string& name : names) {
    files[name] = ReadFileBytes(fs, fs::Join(kDir, name));
  }
  return files;
}

void WriteFiles(sim::SimFs& fs, const Files& files) {
  WALSIM_ASSERT(fs.MkDir(kDir).ok());
  for (const auto& [name, bytes] : files) {
    auto file = fs.Open(fs::Join(kDir, name), {.create = true}).value();
    WALSIM_ASSERT(file->WriteAt(0, AsBytes(bytes)).ok());
    WALSIM_ASSERT(file->Close().ok());
  }
}

Result<ReadAllResult> ReadView(fs::FileSystem& fs) {
  WALSIM_ASSIGN_OR_RETURN(auto wal, Wal::OpenForRead(fs, kDir, {}, Quiet()));
  return wal->ReadAll();
}

bool SameView(const ReadAllResult& a, const ReadAllResult& b) {
  return a.metadata == b.metadata && a.hard_state == b.hard_state && a.entries == b.entries;
}

class WalSweep {
 public:
  WalSweep() : original_(BuildWal()) { IndexRecords(); }

  const Files& original() const { return original_; }
  size_t record_count() const { return spans_.size(); }

  // The record whose frame holds offset of file; nullopt past the data.
  std::optional<size_t> RecordAt(const std::string& file, uint64_t offset) const {
    for (size_t r = 0; r < spans_.size(); r++) {
      if (spans_[r].file == file && offset >= spans_[r].begin && offset < spans_[r].end) return r;
    }
    return std::nullopt;
  }
  // Records wholly before offset in file, plus every record of earlier files.
  size_t RecordsBefore(const std::string& file, uint64_t offset) const {
    size_t count = 0;
    for (const RecordSpan& span : spans_) {
      if (span.file < file || (span.file == file && span.end <= offset)) count++;
    }
    return count;
  }

  // Classifies the damaged directory: first_damaged is the first record the
  // damage touched (record_count() when only bytes past the data changed).
  // With tail_shape (the last file truncated or deleted), the view of the
  // records before the cut is a legal prefix: no evidence of the loss remains
  // (the shape of unsynced appends lost in a crash; invariant 5).
  Outcome Classify(const Files& damaged, size_t first_damaged, std::string* why,
                   bool tail_shape = false) const {
    sim::SimFs fs(sim::SimOptions{.seed = 2});
    WriteFiles(fs, damaged);
    Result<ReadAllResult> view = ReadView(fs);
    Result<HardState> verified = Verify(fs, kDir, {}, Quiet());
    if (view.ok() != verified.ok() || (view.ok() && *verified != view->hard_state)) {
      *why = "verify disagrees with ReadAll: " + verified.status().ToString() + " vs " +
             view.status().ToString();
      return Outcome::kDefect;
    }
    Outcome outcome = ClassifyView(view, first_damaged, why);
    if (outcome == Outcome::kDefect && tail_shape && view.ok() &&
        SameView(*view, prefix_views_[first_damaged])) {
      outcome = Outcome::kLegalPrefix;
    }
    if (outcome == Outcome::kDefect) return outcome;
    Result<bool> repaired = Repair(fs, kDir, Quiet());
    Result<ReadAllResult> after = ReadView(fs);
    if (view.ok()) {
      if (!repaired.ok() || !after.ok() || !SameView(*after, *view)) {
        *why = "repair changed a readable view: " + repaired.status().ToString() + " / " +
               after.status().ToString();
        return Outcome::kDefect;
      }
    } else if (repaired.ok() && *repaired && after.ok() &&
               ClassifyView(after, first_damaged, why) == Outcome::kDefect) {
      *why = "after repair: " + *why;
      return Outcome::kDefect;
    }
    return outcome;
  }

 private:
  Outcome ClassifyView(const Result<ReadAllResult>& view, size_t first_damaged,
                       std::string* why) const {
    if (!view.ok()) {
      if (view.status().message().empty()) {
        *why = "an error without a message";
        return Outcome::kDefect;
      }
      return Outcome::kClearError;
    }
    if (SameView(*view, prefix_views_.back())) return Outcome::kCorrect;
    for (size_t k = prefix_views_.size(); k-- > 0;) {
      if (!prefix_readable_[k] || !SameView(*view, prefix_views_[k])) continue;
      if (k >= first_damaged && first_damaged + 1 >= record_count()) return Outcome::kLegalPrefix;
      *why = "silent loss: the view of " + std::to_string(k) + " of " +
             std::to_string(record_count()) + " records, damage at record " +
             std::to_string(first_damaged);
      return Outcome::kDefect;
    }
    *why = "wrong data: the view is no record prefix";
    return Outcome::kDefect;
  }

  void IndexRecords() {
    sim::SimFs fs(sim::SimOptions{.seed = 3});
    WriteFiles(fs, original_);
    std::vector<SegmentName> names = ListSegments(fs, kDir, nullptr).value();
    internal::OpenedFiles opened = internal::OpenForReading(fs, kDir, names, 0).value();
    internal::Replay replay;
    prefix_views_.push_back(replay.result);
    prefix_readable_.push_back(false);
    ReadEnd end;
    Status read = ReadRecords(
        opened.files, DecoderOptions{},
        [&](const RecordView& record, const RecordPosition& position) -> Status {
          if (!spans_.empty() && spans_.back().file == names[position.file_position].name) {
            spans_.back().end = position.offset;
          }
          spans_.push_back(RecordSpan{names[position.file_position].name, position.offset,
                                      position.file_size_bytes});
          WALSIM_RETURN_IF_ERROR(replay.Visit(record, position));
          prefix_views_.push_back(replay.result);
          prefix_readable_.push_back(replay.snapshot_matched);
          return Status::Ok();
        },
        &end);
    WALSIM_ASSERT(read.ok() && !end.torn);
    spans_.back().end = end.last_valid_offset;
    WALSIM_ASSERT(prefix_views_.size() == spans_.size() + 1);
  }

  Files original_;
  std::vector<RecordSpan> spans_;
  std::vector<ReadAllResult> prefix_views_;  // [k]: the view of the first k records
  std::vector<bool> prefix_readable_;        // [k]: the snapshot record is among them
};

// With WALSIM_SWEEP_EXPORT=DIR set, every WALSIM_SWEEP_EXPORT_EVERY-th
// (default 50th) damaged directory is also written to DIR/<n> on the real
// disk, with its outcome in DIR/<n>.outcome, for tests/sweeps/etcd_compare.sh
// to run etcd's own wal package on.
class Exporter {
 public:
  Exporter() {
    const char* dir = std::getenv("WALSIM_SWEEP_EXPORT");
    if (dir != nullptr) root_ = dir;
    const char* every = std::getenv("WALSIM_SWEEP_EXPORT_EVERY");
    if (every != nullptr) every_ = std::max<uint64_t>(1, std::strtoull(every, nullptr, 10));
  }
  void Offer(const Files& damaged, Outcome outcome, const std::string& what) {
    if (root_.empty() || case_number_++ % every_ != 0) return;
    const std::string dir = root_ + "/" + std::to_string(case_number_ - 1);
    std::filesystem::create_directories(dir);
    for (const auto& [name, bytes] : damaged) {
      std::ofstream(fs::Join(dir, name), std::ios::binary) << bytes;
    }
    std::ofstream(dir + ".outcome")
        << kOutcomeNames[static_cast<size_t>(outcome)] << "\t" << what << "\n";
  }

 private:
  std::string root_;
  uint64_t every_ = 50;
  uint64_t case_number_ = 0;
};

Exporter& TheExporter() {
  static Exporter exporter;
  return exporter;
}

struct Tally {
  std::map<std::string, std::array<uint64_t, 4>> counts;  // by damage kind
  std::vector<std::string> defects;

  void Add(const std::string& kind, Outcome outcome, const std::string& what,
           const std::string& why, const Files& damaged) {
    TheExporter().Offer(damaged, outcome, what);
    counts[kind][static_cast<size_t>(outcome)]++;
    if (outcome == Outcome::kDefect && defects.size() < 20) defects.push_back(what + ": " + why);
  }
  void Print() const {
    for (const auto& [kind, row] : counts) {
      std::printf("wal sweep %-10s", kind.c_str());
      for (size_t i = 0; i < row.size(); i++) std::printf("  %s=%lu", kOutcomeNames[i], row[i]);
      std::printf("\n");
    }
  }
};

// Under ASan (~70x slower here) each byte gets one of the three damages, in
// turn, to stay well under two minutes; the default build sweeps all three.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSweepEveryDamage = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSweepEveryDamage = false;
#else
constexpr bool kSweepEveryDamage = true;
#endif
#else
constexpr bool kSweepEveryDamage = true;
#endif

bool DamageSwept(uint64_t offset, size_t damage) {
  return kSweepEveryDamage || offset % 3 == damage;
}

void SweepBytes(const WalSweep& sweep, Tally* tally) {
  for (const auto& [name, bytes] : sweep.original()) {
    for (uint64_t offset = 0; offset < bytes.size(); offset++) {
      const auto old_byte = static_cast<uint8_t>(bytes[offset]);
      const std::array<std::pair<const char*, uint8_t>, 3> damages = {
          {{"bitflip", static_cast<uint8_t>(old_byte ^ (1u << (offset % 8)))},
           {"zero", 0},
           {"0xff", 0xff}}};
      const size_t first = sweep.RecordAt(name, offset).value_or(sweep.record_count());
      for (size_t d = 0; d < damages.size(); d++) {
        const auto& [kind, new_byte] = damages[d];
        if (new_byte == old_byte || !DamageSwept(offset, d)) continue;
        Files damaged = sweep.original();
        damaged[name][offset] = static_cast<char>(new_byte);
        std::string why;
        tally->Add(kind, sweep.Classify(damaged, first, &why),
                   std::string(kind) + " " + name + "@" + std::to_string(offset), why, damaged);
      }
    }
  }
}

void SweepFiles(const WalSweep& sweep, Tally* tally) {
  uint64_t seq_max = 0;
  for (const auto& [name, bytes] : sweep.original()) {
    if (auto segment = ParseSegmentName(name)) seq_max = std::max(seq_max, segment->seq);
  }
  const std::string last_name = sweep.original().rbegin()->first;
  for (const auto& [name, bytes] : sweep.original()) {
    const bool last = name == last_name;
    for (uint64_t size = 0; size < bytes.size(); size++) {
      Files damaged = sweep.original();
      damaged[name].resize(size);
      std::string why;
      tally->Add("truncate", sweep.Classify(damaged, sweep.RecordsBefore(name, size), &why, last),
                 "truncate " + name + "@" + std::to_string(size), why, damaged);
    }
    Files deleted = sweep.original();
    deleted.erase(name);
    std::string why;
    tally->Add("delete", sweep.Classify(deleted, sweep.RecordsBefore(name, 0), &why, last),
               "delete " + name, why, deleted);
    Files duplicated = sweep.original();
    duplicated[FormatSegmentName(seq_max + 1, ParseSegmentName(name)->index)] = bytes;
    tally->Add("duplicate", sweep.Classify(duplicated, sweep.record_count(), &why),
               "duplicate " + name, why, duplicated);
  }
}

TEST(WalSweepTest, EveryDamageOfASmallWalIsCorrectALegalPrefixOrAClearError) {
  WalSweep sweep;
  ASSERT_GE(sweep.original().size(), 3u) << "three segments";
  Tally tally;
  SweepBytes(sweep, &tally);
  SweepFiles(sweep, &tally);
  tally.Print();
  for (const std::string& defect : tally.defects) ADD_FAILURE() << defect;
}

}  // namespace
}  // namespace walsim::wal
