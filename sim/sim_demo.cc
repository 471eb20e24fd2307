#include "sim/sim_demo.h"

#include <array>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <span>
#include <string_view>

#include "base/hash.h"
#include "sim/sim_fs.h"

namespace walsim::sim {
namespace {

constexpr std::string_view kDir = "/demo";

std::span<const uint8_t> Bytes(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

std::string Pattern(char first, size_t size_bytes) {
  std::string out(size_bytes, '\0');
  for (size_t index = 0; index < size_bytes; index++) {
    out[index] = static_cast<char>(first + index % 23);
  }
  return out;
}

std::string Path(std::string_view name) { return std::string(kDir) + "/" + std::string(name); }

// The demo's own calls cannot fail on a perfect, empty disk: a failure is a
// bug, so it aborts.
void Must(const Status& status) { WALSIM_ASSERT_MSG(status.ok(), "demo step failed"); }

// Writes the story; returns the live contents of every file, by name, as
// they were just before the crash.
std::map<std::string, std::string> WriteStory(SimFs& disk) {
  std::map<std::string, std::string> live;
  Must(disk.MkDir(kDir));
  Must(disk.SyncDir("/"));
  auto create = [&](std::string_view name) {
    auto file = disk.Open(Path(name), {.create = true});
    Must(file.status());
    return std::move(file).value();
  };
  auto synced = create("synced.log");  // data and entry synced: must survive
  live["synced.log"] = Pattern('a', 1000);
  Must(synced->Append(Bytes(live["synced.log"])));
  Must(synced->SyncData());
  auto tail = create("tail.log");  // a synced head, then an unsynced tail
  std::string head = Pattern('A', 700), rest = Pattern('0', 1300);
  Must(tail->Append(Bytes(head)));
  Must(tail->SyncData());
  Must(disk.SyncDir(kDir));
  Must(tail->Append(Bytes(rest)));
  live["tail.log"] = head + rest;
  auto staged = create("next.tmp");  // entry synced, data synced, then renamed
  Must(disk.SyncDir(kDir));
  live["next.log"] = Pattern('r', 600);
  Must(staged->Append(Bytes(live["next.log"])));
  Must(staged->SyncData());
  Must(disk.Rename(Path("next.tmp"), Path("next.log")));
  auto orphan = create("nodirsync.log");  // data synced, entry never
  live["nodirsync.log"] = Pattern('n', 300);
  Must(orphan->Append(Bytes(live["nodirsync.log"])));
  Must(orphan->Sync());
  return live;
}

std::string Summarize(SimFs& disk, const std::string& name, const std::string& expected) {
  std::string prefix;
  auto file = disk.Open(Path(name), {.read_only = true});
  if (!file.ok() && name == "next.log") {
    // The rename did not reach the disk: the file must be under its old name.
    file = disk.Open(Path("next.tmp"), {.read_only = true});
    prefix = "(as next.tmp) ";
  }
  if (!file.ok()) return "lost";
  uint64_t size_bytes = (*file)->Size().value();
  std::string after(size_bytes, '\0');
  auto read = (*file)->ReadAt(0, {reinterpret_cast<uint8_t*>(after.data()), after.size()});
  WALSIM_ASSERT(read.ok() && *read == size_bytes);
  char line[160];
  if (after == expected) {
    std::snprintf(line, sizeof(line), "size=%-5" PRIu64 " intact", size_bytes);
    return prefix + line;
  }
  size_t match_bytes = 0;
  while (match_bytes < after.size() && match_bytes < expected.size() &&
         after[match_bytes] == expected[match_bytes]) {
    match_bytes++;
  }
  std::string hex;
  for (size_t index = match_bytes; index < after.size() && index < match_bytes + 8; index++) {
    char byte_hex[4];
    std::snprintf(byte_hex, sizeof(byte_hex), "%02x", static_cast<uint8_t>(after[index]));
    hex += byte_hex;
  }
  const char* kind = match_bytes == after.size() ? "prefix" : "torn";
  std::snprintf(line, sizeof(line), "size=%-5" PRIu64 " %s: first %zu of %zu bytes intact%s%s",
                size_bytes, kind, match_bytes, expected.size(), hex.empty() ? "" : ", then ",
                hex.c_str());
  return prefix + line;
}

}  // namespace

std::string RunCrashDemo(const DemoOptions& options) {
  std::string out;
  uint64_t combined_hash = kFnv1a64Offset;
  for (CrashModel model : {CrashModel::kClean, CrashModel::kPrefix, CrashModel::kReorder}) {
    SimFs disk({.seed = options.seed,
                .sector_size_bytes = 512,
                .atomic_sector = false,
                .crash_model = model,
                .size_before_data = true});
    disk.set_trace_enabled(options.show_trace);
    std::map<std::string, std::string> live = WriteStory(disk);
    disk.Crash();
    out += "crash model " + std::string(CrashModelName(model)) + ":\n";
    for (const auto& [name, expected] : live) {
      char line[240];
      std::snprintf(line, sizeof(line), "  %-14s %s\n", name.c_str(),
                    Summarize(disk, name, expected).c_str());
      out += line;
    }
    if (options.show_trace) {
      for (const std::string& trace_line : disk.trace()) out += "    | " + trace_line + "\n";
    }
    uint64_t hash = disk.trace_hash();
    combined_hash = Fnv1a64Extend(
        combined_hash, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(&hash), 8));
  }
  char last[48];
  std::snprintf(last, sizeof(last), "trace hash: 0x%016" PRIx64 "\n", combined_hash);
  return out + last;
}

}  // namespace walsim::sim
