// `walsim wal ...`: dump, verify, repair and load an etcd-compatible WAL on
// the real disk (PosixFs). Thin: parses flags, calls wal/, prints.
#include <bit>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/log.h"
#include "base/rng.h"
#include "fs/path.h"
#include "fs/posix_fs.h"
#include "tools/commands.h"
#include "wal/decoder.h"
#include "wal/names.h"
#include "wal/wal.h"

namespace walsim::tools {
namespace {

// Limits of `wal load` (each loop and buffer bounded): entries, the batch of
// one Save (WalOptions::save_entries_max), a segment.
constexpr uint64_t kLoadEntriesMax = uint64_t{1} << 40;
constexpr uint64_t kLoadBatchEntriesMax = 1'000'000;
constexpr uint64_t kLoadSegmentBytesMax = uint64_t{1} << 40;

struct WalFlags {
  std::string dir;
  uint64_t snapshot_index = 0;
  uint64_t snapshot_term = 0;
  bool raw = false;
  bool jsonl = false;
  bool summary = false;
  uint64_t entries = 0;
  uint64_t entry_bytes = 0;
  uint64_t batch = 1;
  uint64_t segment_bytes = wal::kSegmentSizeBytesDefault;
  uint64_t snapshot_every = 0;
  bool no_sync = false;
  uint64_t seed = 1;
};

// Printable data for the table: like etcd-dump-logs, short and escaped.
std::string Printable(std::string_view data) {
  constexpr size_t kShownBytesMax = 48;
  std::string out = "\"";
  for (size_t i = 0; i < data.size() && i < kShownBytesMax; i++) {
    const auto c = static_cast<unsigned char>(data[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", c);
      out += escaped;
    }
  }
  out += data.size() > kShownBytesMax ? "\"..." : "\"";
  return out;
}

wal::WalOptions CliOptions() {
  wal::WalOptions options;
  options.logger = DefaultLogger();
  return options;
}

int DumpTable(const wal::Snapshot& snap, const wal::ReadAllResult& result) {
  std::printf("Snapshot:\nterm=%" PRIu64 " index=%" PRIu64 "\n", snap.term, snap.index);
  std::printf("Metadata: %s (%zu bytes)\n", Printable(result.metadata).c_str(),
              result.metadata.size());
  std::printf("Start dumping log entries from snapshot.\nWAL metadata:\nterm=%" PRIu64
              " vote=%" PRIu64 " commit=%" PRIu64 "\n",
              result.hard_state.term, result.hard_state.vote, result.hard_state.commit);
  std::printf("WAL entries:\nlastIndex=%" PRIu64 "\n",
              result.entries.empty() ? snap.index : result.entries.back().index);
  std::printf("%10s\t%10s\t%s\t%s\n", "term", "index", "type", "data");
  static constexpr const char* kTypeNames[] = {"norm", "conf", "confv2"};
  for (const wal::Entry& e : result.entries) {
    std::printf("%10" PRIu64 "\t%10" PRIu64 "\t%s\t%s\n", e.term, e.index,
                kTypeNames[static_cast<int>(e.type)], Printable(e.data).c_str());
  }
  std::printf("\nEntry types () count is : %zu\n", result.entries.size());
  return kExitOk;
}

// One JSON object per line, keys in this order (nlohmann's ordered_json):
// the metadata, the HardState, then each entry.
void PrintJsonLine(const nlohmann::ordered_json& line) {
  const std::string text = line.dump() + "\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
}

int DumpJsonl(const wal::ReadAllResult& result) {
  PrintJsonLine({{"kind", "metadata"}, {"data", Base64Encode(result.metadata)}});
  PrintJsonLine({{"kind", "hardstate"},
                 {"term", result.hard_state.term},
                 {"vote", result.hard_state.vote},
                 {"commit", result.hard_state.commit}});
  for (const wal::Entry& e : result.entries) {
    PrintJsonLine({{"kind", "entry"},
                   {"term", e.term},
                   {"index", e.index},
                   {"type", static_cast<int>(e.type)},
                   {"data", Base64Encode(e.data)}});
  }
  return kExitOk;
}

// Every frame of one file; a bad frame of known size is reported and skipped.
bool DumpRawFile(fs::FileSystem& fs, const std::string& path, uint32_t* crc) {
  static constexpr const char* kTypeNames[] = {"?",     "metadata", "entry",
                                               "state", "crc",      "snapshot"};
  auto file = fs.Open(path, {.read_only = true});
  if (!file.ok()) return ReportError(path, file.status()) == kExitOk;
  auto size_bytes = (*file)->Size();
  if (!size_bytes.ok()) return ReportError(path, size_bytes.status()) == kExitOk;
  fs::FileByteSource source(**file, *size_bytes);
  wal::FrameDecoder decoder(&source, *crc, wal::DecoderOptions{});
  bool sound = true;
  std::printf("file %s (%" PRIu64 " bytes)\n", path.c_str(), *size_bytes);
  for (uint64_t round = 0; round <= *size_bytes / wal::kFrameAlignBytes; round++) {
    wal::Frame frame;
    Status status = decoder.Next(&frame);
    if (!status.ok()) return ReportError(path, status) == kExitOk;
    const int64_t type = frame.record.type;
    const char* name = type >= 1 && type <= 5 ? kTypeNames[type] : "?";
    if (frame.kind == wal::FrameKind::kEnd) {
      std::printf("  end of data at offset %" PRIu64 "\n", frame.offset);
      break;
    }
    if (frame.kind == wal::FrameKind::kRecord) {
      if (type == static_cast<int64_t>(wal::RecordType::kCrc)) decoder.set_crc(frame.record.crc);
      std::printf("  offset=%" PRIu64 " type=%s crc=%08x data_bytes=%zu ok\n", frame.offset, name,
                  frame.record.crc, frame.record.data.size());
      continue;
    }
    sound = false;
    std::printf("  offset=%" PRIu64 " type=%s %s: %s\n", frame.offset,
                frame.record_decoded ? name : "?",
                frame.kind == wal::FrameKind::kTorn ? "TORN" : "CORRUPT", frame.reason.c_str());
    if (frame.kind == wal::FrameKind::kTorn || frame.size_bytes == 0) break;
    decoder.SkipCorrupt(frame);
  }
  *crc = decoder.crc();
  return sound;
}

int DumpRaw(fs::FileSystem& fs, const std::string& dir) {
  auto logger = DefaultLogger();
  auto segments = wal::ListSegments(fs, dir, logger.get());
  if (!segments.ok()) return ReportError("wal dump " + dir, segments.status());
  uint32_t crc = 0;
  bool sound = true;
  for (const wal::SegmentName& segment : *segments) {
    sound = DumpRawFile(fs, fs::Join(dir, segment.name), &crc) && sound;
  }
  return sound ? kExitOk : kExitFailure;
}

// One line about a ReadAll (its entries kept, as a caller would): what it
// returned and how fast, from OpenForRead to the last entry. The benchmark's
// counterpart of etcdwal-load --readall.
int DumpSummary(const wal::ReadAllResult& result, double seconds) {
  uint64_t bytes = 0;
  for (const wal::Entry& e : result.entries) bytes += e.data.size();
  std::printf("entries=%zu bytes=%" PRIu64 " seconds=%.6f mb_per_sec=%.3f\n", result.entries.size(),
              bytes, seconds, static_cast<double>(bytes) / seconds / 1e6);
  return kExitOk;
}

void RunDump(const WalFlags& flags) {
  auto dir = NormalizeUserPath(flags.dir);
  if (!dir.ok()) return SetExitCode(ReportError("wal dump", dir.status()));
  fs::PosixFs fs;
  if (flags.raw) return SetExitCode(DumpRaw(fs, *dir));
  const wal::Snapshot snap{flags.snapshot_index, flags.snapshot_term, {}};
  const auto start = std::chrono::steady_clock::now();
  auto wal = wal::Wal::OpenForRead(fs, *dir, snap, CliOptions());
  if (!wal.ok()) return SetExitCode(ReportError("wal dump " + *dir, wal.status()));
  auto result = (*wal)->ReadAll();
  if (!result.ok()) return SetExitCode(ReportError("wal dump " + *dir, result.status()));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (flags.summary) return SetExitCode(DumpSummary(*result, seconds));
  SetExitCode(flags.jsonl ? DumpJsonl(*result) : DumpTable(snap, *result));
}

void RunVerify(const WalFlags& flags) {
  auto dir = NormalizeUserPath(flags.dir);
  if (!dir.ok()) return SetExitCode(ReportError("wal verify", dir.status()));
  fs::PosixFs fs;
  const wal::Snapshot snap{flags.snapshot_index, flags.snapshot_term, {}};
  auto state = wal::Verify(fs, *dir, snap, CliOptions());
  if (!state.ok()) return SetExitCode(ReportError("wal verify " + *dir, state.status()));
  std::printf("ok: %s hardstate term=%" PRIu64 " vote=%" PRIu64 " commit=%" PRIu64 "\n",
              dir->c_str(), state->term, state->vote, state->commit);
  SetExitCode(kExitOk);
}

void RunRepair(const WalFlags& flags) {
  auto dir = NormalizeUserPath(flags.dir);
  if (!dir.ok()) return SetExitCode(ReportError("wal repair", dir.status()));
  fs::PosixFs fs;
  auto repaired = wal::Repair(fs, *dir, CliOptions());
  if (!repaired.ok()) return SetExitCode(ReportError("wal repair " + *dir, repaired.status()));
  std::printf("%s: %s\n", dir->c_str(),
              *repaired ? "repaired a torn tail" : "sound, nothing to repair");
  SetExitCode(kExitOk);
}

// The bytes of Rng::Fill (little-endian words; a partial last word is used
// up), a word per store: the load's data must stay byte-identical to
// etcdwal-load's, which fills the same way.
void FillSeeded(Rng& rng, std::span<uint8_t> out) {
  size_t filled = 0;
  for (; out.size() - filled >= sizeof(uint64_t); filled += sizeof(uint64_t)) {
    const uint64_t word = rng.Next();
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(out.data() + filled, &word, sizeof(word));
    } else {
      EncodeFixed64(out.data() + filled, word);
    }
  }
  if (filled == out.size()) return;
  const uint64_t word = rng.Next();
  for (size_t b = 0; filled < out.size(); b++, filled++) {
    out[filled] = static_cast<uint8_t>(word >> (8 * b));
  }
}

Status Load(fs::FileSystem& fs, const std::string& dir, const WalFlags& flags) {
  if (flags.entries == 0 || flags.batch == 0) {
    return Status::InvalidArgument("--entries and --batch must be positive");
  }
  if (wal::Exists(fs, dir)) return Status::AlreadyExists(dir + " already holds a WAL");
  // The WAL is built in "<dir>.tmp", which Create would remove first: it is
  // the user's when it exists before we start.
  const std::string tmp_dir = dir + std::string(wal::kTmpSuffix);
  if (fs.Stat(tmp_dir).ok()) {
    return Status::AlreadyExists(tmp_dir +
                                 " exists; wal load builds the WAL there and would "
                                 "delete it: remove it or choose another directory");
  }
  wal::WalOptions options = CliOptions();
  options.segment_size_bytes = flags.segment_bytes;
  options.no_sync = flags.no_sync;
  WALSIM_ASSIGN_OR_RETURN(auto wal, wal::Wal::Create(fs, dir, "walsim-load", options));
  // The same sequence as bench/peers/etcdwal-load (stream "wal/load", term 1,
  // vote 1, commit = last index, a snapshot at the last index of the save
  // that crosses a multiple of --snapshot-every), so the two WALs are
  // byte-for-byte comparable.
  Rng rng = Rng(flags.seed).Stream("wal/load");
  const uint64_t batch_count = (flags.entries + flags.batch - 1) / flags.batch;
  std::vector<wal::Entry> batch(flags.batch);
  for (wal::Entry& e : batch) e.data.resize(flags.entry_bytes);
  uint64_t index = 0;
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t b = 0; b < batch_count; b++) {
    const uint64_t count = std::min(flags.batch, flags.entries - index);
    for (uint64_t i = 0; i < count; i++) {
      wal::Entry& e = batch[i];
      e.term = 1;
      e.index = ++index;
      FillSeeded(rng, std::span(reinterpret_cast<uint8_t*>(e.data.data()), e.data.size()));
    }
    WALSIM_RETURN_IF_ERROR(
        wal->Save(wal::HardState{1, 1, index}, std::span<const wal::Entry>(batch.data(), count)));
    if (flags.snapshot_every > 0 &&
        index / flags.snapshot_every != (index - count) / flags.snapshot_every) {
      WALSIM_RETURN_IF_ERROR(wal->SaveSnapshot(wal::Snapshot{index, 1, {}}));
    }
  }
  WALSIM_RETURN_IF_ERROR(wal->Close());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const uint64_t bytes = flags.entries * flags.entry_bytes;
  std::printf("saves=%" PRIu64 " entries=%" PRIu64 " bytes=%" PRIu64
              " seconds=%.6f saves_per_sec=%.1f us_per_save=%.3f mb_per_sec=%.3f\n",
              batch_count, flags.entries, bytes, seconds, batch_count / seconds,
              seconds * 1e6 / static_cast<double>(batch_count), bytes / seconds / 1e6);
  return Status::Ok();
}

void RunLoad(const WalFlags& flags) {
  auto dir = NormalizeUserPath(flags.dir);
  if (!dir.ok()) return SetExitCode(ReportError("wal load", dir.status()));
  fs::PosixFs fs;
  Status loaded = Load(fs, *dir, flags);
  SetExitCode(loaded.ok() ? kExitOk : ReportError("wal load " + *dir, loaded));
}

}  // namespace

void AddWalCommands(CLI::App& app) {
  auto flags = std::make_shared<WalFlags>();
  CLI::App* group = app.add_subcommand("wal", "etcd-compatible WAL: dump, verify, repair, load");
  group->require_subcommand(1);

  CLI::App* dump =
      group->add_subcommand("dump", "print what ReadAll returns (like etcd-dump-logs)");
  dump->add_option("dir", flags->dir, "WAL directory")->required();
  AddUnsignedOption(dump, "--snapshot-index", &flags->snapshot_index,
                    "read from this snapshot index");
  AddUnsignedOption(dump, "--snapshot-term", &flags->snapshot_term, "the snapshot's term");
  dump->add_flag("--raw", flags->raw, "list every record of every file, going on past errors");
  auto* jsonl =
      dump->add_flag("--jsonl", flags->jsonl, "metadata, hardstate and entries as JSON lines");
  dump->add_flag("--summary", flags->summary,
                 "run ReadAll and print one line: entries= bytes= seconds= mb_per_sec=")
      ->excludes(jsonl);
  dump->callback([flags] { RunDump(*flags); });

  CLI::App* verify = group->add_subcommand("verify", "check CRCs and framing; exit 0 when sound");
  verify->add_option("dir", flags->dir, "WAL directory")->required();
  AddUnsignedOption(verify, "--snapshot-index", &flags->snapshot_index,
                    "verify from this snapshot index");
  AddUnsignedOption(verify, "--snapshot-term", &flags->snapshot_term, "the snapshot's term");
  verify->callback([flags] { RunVerify(*flags); });

  CLI::App* repair = group->add_subcommand(
      "repair", "truncate a torn tail (keeps the cut bytes in <file>.<offset>.broken)");
  repair->add_option("dir", flags->dir, "WAL directory")->required();
  repair->callback([flags] { RunRepair(*flags); });

  CLI::App* load = group->add_subcommand("load", "write a new WAL and print its speed");
  load->add_option("dir", flags->dir, "WAL directory (must not hold a WAL)")->required();
  AddUnsignedOption(load, "--entries", &flags->entries, "entries to write", kLoadEntriesMax)
      ->required();
  AddUnsignedOption(
      load, "--entry-bytes", &flags->entry_bytes, "bytes of seeded data per entry",
      wal::kRecordSizeBytesMaxDefault - wal::kRecordHeaderBytesMax - wal::kEntryHeaderBytesMax)
      ->required();
  AddUnsignedOption(load, "--batch", &flags->batch, "entries per Save", kLoadBatchEntriesMax)
      ->required();
  AddUnsignedOption(load, "--segment-bytes", &flags->segment_bytes, "segment size",
                    kLoadSegmentBytesMax);
  AddUnsignedOption(load, "--snapshot-every", &flags->snapshot_every,
                    "save a snapshot record every M entries");
  load->add_flag("--no-sync", flags->no_sync, "UNSAFE: skip fdatasync");
  AddUnsignedOption(load, "--seed", &flags->seed, "seed of the entry data");
  load->callback([flags] { RunLoad(*flags); });
}

}  // namespace walsim::tools
