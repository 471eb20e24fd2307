#include "tools/soak_powerloss.h"

#include <fcntl.h>
#include <linux/falloc.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "base/assert.h"
#include "base/rng.h"
#include "fs/fs.h"
#include "fs/path.h"
#include "tools/soak_check.h"
#include "tools/soak_child.h"

namespace walsim::tools {
namespace {

constexpr uint64_t kTreeNodeCountMax = 100'000;
constexpr uint64_t kTreeDepthMax = 16;

struct TreeNode {
  std::string path;  // absolute
  bool is_directory = false;
  std::string data;
};

// The real directory's tree below root (parents before children).
Result<std::vector<TreeNode>> CaptureTree(const std::string& root) {
  std::vector<TreeNode> nodes;
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(root, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (nodes.size() >= kTreeNodeCountMax)
      return Status::NotSupported(root + ": more than " + std::to_string(kTreeNodeCountMax) +
                                  " files");
    TreeNode node;
    node.path = it->path().string();
    node.is_directory = it->is_directory(error);
    if (!node.is_directory) {
      std::ifstream in(node.path, std::ios::binary);
      if (!in) return Status::IoError(node.path + ": cannot read");
      node.data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    nodes.push_back(std::move(node));
  }
  if (error) return Status::IoError(root + ": " + error.message());
  return nodes;
}

Status WriteSimFile(sim::SimFs& sim, const std::string& path, const std::string& data) {
  WALSIM_ASSIGN_OR_RETURN(std::unique_ptr<fs::File> file,
                          sim.Open(path, {.create = true, .exclusive = true}));
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  WALSIM_RETURN_IF_ERROR(file->WriteAt(0, {bytes, data.size()}));
  WALSIM_RETURN_IF_ERROR(file->Sync());
  return file->Close();
}

// Makes root's ancestors, root and nodes durable on sim: the state before the
// cycle's first call, as if the machine had just booted.
Status LoadTree(sim::SimFs& sim, const std::string& root, const std::vector<TreeNode>& nodes) {
  std::vector<std::string> dirs;
  for (std::string dir = root; dir != "/"; dir = std::string(fs::Dirname(dir))) {
    dirs.push_back(dir);
  }
  std::reverse(dirs.begin(), dirs.end());
  for (const std::string& dir : dirs) WALSIM_RETURN_IF_ERROR(sim.MkDir(dir));
  for (const TreeNode& node : nodes) {
    if (node.is_directory) {
      WALSIM_RETURN_IF_ERROR(sim.MkDir(node.path));
      dirs.push_back(node.path);
    } else {
      WALSIM_RETURN_IF_ERROR(WriteSimFile(sim, node.path, node.data));
    }
  }
  WALSIM_RETURN_IF_ERROR(sim.SyncDir("/"));
  for (const std::string& dir : dirs) WALSIM_RETURN_IF_ERROR(sim.SyncDir(dir));
  return Status::Ok();
}

Result<std::string> ReadSimFile(sim::SimFs& sim, const std::string& path) {
  WALSIM_ASSIGN_OR_RETURN(std::unique_ptr<fs::File> file, sim.Open(path, {.read_only = true}));
  WALSIM_ASSIGN_OR_RETURN(uint64_t size_bytes, file->Size());
  std::string data(size_bytes, '\0');
  WALSIM_ASSIGN_OR_RETURN(size_t read_bytes,
                          file->ReadAt(0, {reinterpret_cast<uint8_t*>(data.data()), data.size()}));
  if (read_bytes != size_bytes) return Status::IoError(path + ": short read on the simulated disk");
  WALSIM_RETURN_IF_ERROR(file->Close());
  return data;
}

// Copies sim's tree below dir into the real dir (which exists and is empty).
Status CopyOut(sim::SimFs& sim, const std::string& dir, uint64_t depth) {
  if (depth > kTreeDepthMax)
    return Status::NotSupported(dir + ": deeper than " + std::to_string(kTreeDepthMax) + " levels");
  WALSIM_ASSIGN_OR_RETURN(std::vector<std::string> names, sim.List(dir));
  for (const std::string& name : names) {
    const std::string path = fs::Join(dir, name);
    WALSIM_ASSIGN_OR_RETURN(fs::FileInfo info, sim.Stat(path));
    std::error_code error;
    if (info.is_directory) {
      std::filesystem::create_directory(path, error);
      if (error) return Status::IoError(path + ": " + error.message());
      WALSIM_RETURN_IF_ERROR(CopyOut(sim, path, depth + 1));
      continue;
    }
    WALSIM_ASSIGN_OR_RETURN(std::string data, ReadSimFile(sim, path));
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out) return Status::IoError(path + ": cannot write");
  }
  return Status::Ok();
}

// Replaces the real root's contents by sim's (the recovered power-loss state).
Status WriteBackTree(sim::SimFs& sim, const std::string& root) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(root, error)) {
    std::filesystem::remove_all(entry.path(), error);
    if (error) return Status::IoError(entry.path().string() + ": " + error.message());
  }
  if (error) return Status::IoError(root + ": " + error.message());
  return CopyOut(sim, root, 0);
}

Result<fs::AllocateMode> AllocateModeOf(const SyscallEvent& event) {
  if (event.flags == 0) return fs::AllocateMode::kExtendSize;
  if (event.flags == FALLOC_FL_KEEP_SIZE) return fs::AllocateMode::kKeepSize;
  return Status::InvalidArgument("unsupported fallocate mode " + std::to_string(event.flags));
}

class Replayer {
 public:
  explicit Replayer(sim::SimFs& sim) : sim_(sim) {}

  Status Apply(const SyscallEvent& event) {
    switch (event.kind) {
      case SyscallKind::kMarker:
        return Status::Ok();
      case SyscallKind::kOpen:
        return Open(event);
      case SyscallKind::kClose: {
        dirs_.erase(event.fd);
        auto it = files_.find(event.fd);
        if (it == files_.end()) return Status::Ok();
        Status closed = it->second->Close();
        files_.erase(it);
        return closed;
      }
      case SyscallKind::kFsync:
        if (event.is_directory) return sim_.SyncDir(event.path);
        return WithFile(event, [](fs::File& file) { return file.Sync(); });
      case SyscallKind::kFdatasync:
        if (event.is_directory) return sim_.SyncDir(event.path);
        return WithFile(event, [](fs::File& file) { return file.SyncData(); });
      case SyscallKind::kPwrite:
        return WithFile(event, [&](fs::File& file) {
          const auto* bytes = reinterpret_cast<const uint8_t*>(event.data.data());
          return file.WriteAt(event.offset_bytes, {bytes, event.data.size()});
        });
      case SyscallKind::kFtruncate:
        return WithFile(event, [&](fs::File& file) { return file.Truncate(event.length_bytes); });
      case SyscallKind::kFallocate: {
        WALSIM_ASSIGN_OR_RETURN(fs::AllocateMode mode, AllocateModeOf(event));
        return WithFile(event, [&](fs::File& file) -> Status {
          // fallocate(2) mode 0 never shrinks: inside the size it only reserves.
          WALSIM_ASSIGN_OR_RETURN(uint64_t size_bytes, file.Size());
          if (mode == fs::AllocateMode::kExtendSize &&
              event.offset_bytes + event.length_bytes <= size_bytes) {
            mode = fs::AllocateMode::kKeepSize;
          }
          return file.Allocate(event.offset_bytes, event.length_bytes, mode);
        });
      }
      case SyscallKind::kRename:
        return sim_.Rename(event.path, event.path_to);
      case SyscallKind::kUnlink:
      case SyscallKind::kRmdir:
        return sim_.Remove(event.path);
      case SyscallKind::kMkdir:
        return sim_.MkDir(event.path);
    }
    WALSIM_ASSERT(false);
    return Status::Ok();
  }

 private:
  Status Open(const SyscallEvent& event) {
    if (event.is_directory) {
      dirs_[event.fd] = event.path;
      return Status::Ok();
    }
    // Every handle may write on the simulated disk: a sync through a
    // read-only descriptor still syncs the file (fsync(2)).
    fs::OpenOptions options{.create = (event.flags & O_CREAT) != 0,
                            .exclusive = (event.flags & O_EXCL) != 0,
                            .truncate = (event.flags & O_TRUNC) != 0};
    WALSIM_ASSIGN_OR_RETURN(files_[event.fd], sim_.Open(event.path, options));
    return Status::Ok();
  }

  template <typename Call>
  Status WithFile(const SyscallEvent& event, Call call) {
    auto it = files_.find(event.fd);
    if (it == files_.end()) return Status::FailedPrecondition("no open file for the call");
    return call(*it->second);
  }

  sim::SimFs& sim_;
  std::map<int, std::unique_ptr<fs::File>> files_;
  std::map<int, std::string> dirs_;
};

// ---- one cycle ---------------------------------------------------------------

struct CrashPlan {
  size_t event_count = 0;  // the crash comes after this many events
  sim::SimOptions disk;
};

bool ChangesOrder(SyscallKind kind) {
  return kind == SyscallKind::kFsync || kind == SyscallKind::kFdatasync ||
         kind == SyscallKind::kRename || kind == SyscallKind::kUnlink ||
         kind == SyscallKind::kMkdir || kind == SyscallKind::kRmdir;
}

CrashPlan DrawCrashPlan(Rng& rng, const std::vector<SyscallEvent>& events) {
  CrashPlan plan;
  std::vector<size_t> boundaries;
  for (size_t i = 0; i < events.size(); i++) {
    if (ChangesOrder(events[i].kind)) boundaries.push_back(i);
  }
  if (!boundaries.empty() && rng.Chance(0.5)) {
    const size_t at = boundaries[rng.Below(boundaries.size())];
    plan.event_count = rng.Chance(0.5) ? at + 1 : at;
  } else {
    plan.event_count = rng.Below(events.size() + 1);
  }
  plan.disk.seed = rng.Next();
  plan.disk.sector_size_bytes = rng.Chance(0.25) ? 4096 : 512;
  // Sectors are atomic, as in torture's legal disk: a torn sector of random
  // bytes is indistinguishable from rot in etcd's format (docs/wal-format.md,
  // "Known limitation").
  plan.disk.atomic_sector = true;
  const uint64_t model = rng.Below(4);
  plan.disk.crash_model = model == 0   ? sim::CrashModel::kPrefix
                          : model == 1 ? sim::CrashModel::kReorder
                                       : sim::CrashModel::kClean;
  plan.disk.size_before_data = rng.Chance(0.25);
  return plan;
}

// The child's options for this cycle, from the checker's arguments (the same
// the kill soak passes on the command line).
SoakChildOptions ChildOptionsFor(const SoakOptions& options, const SoakChecker& checker,
                                 const std::string& store_dir, uint64_t cycle) {
  SoakChildOptions child;
  child.target = options.target;
  child.store_dir = store_dir;
  child.seed = options.seed;
  child.cycle = cycle;
  const std::vector<std::string> args = checker.ChildArgs();
  WALSIM_ASSERT(args.size() % 2 == 0);
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    const uint64_t value = std::stoull(args[i + 1]);
    if (args[i] == "--snapshot-index") child.snapshot_index = value;
    if (args[i] == "--snapshot-term") child.snapshot_term = value;
    if (args[i] == "--wal-exists") child.wal_exists = value != 0;
  }
  return child;
}

// What the whole cycle's lines say on their own: the store reopened the
// state the checker expects, and no operation failed (no fault is injected).
std::string CheckLines(const std::vector<SyscallEvent>& events, const SoakChecker& checker) {
  char expected[32];
  std::snprintf(expected, sizeof(expected), "%016" PRIx64, checker.ExpectedDigest());
  for (const SyscallEvent& event : events) {
    if (event.kind != SyscallKind::kMarker) continue;
    const std::string& line = event.data;
    if (line.starts_with("R! "))
      return "the store did not reopen on the real disk: " + line.substr(3);
    if (line.starts_with("R ") && line.substr(2) != expected) {
      return "the store reopened state " + line.substr(2) + " on the real disk, the check " +
             expected;
    }
    if (line.starts_with("A ") && !line.ends_with(" ok")) {
      return "an operation failed on the real disk with no injected fault: " + line.substr(2);
    }
  }
  return "";
}

// Feeds the model the operations begun and answered before the crash.
void FeedModel(std::span<const SyscallEvent> events, SoakChecker& checker, SoakReport& report,
               uint64_t* op_number) {
  bool open = false;
  bool recovered = false;
  for (const SyscallEvent& event : events) {
    if (event.kind != SyscallKind::kMarker) continue;
    recovered = recovered || event.data.starts_with("R ");
    if (event.data.starts_with("B ")) {
      (*op_number)++;
      (void)checker.Begin(*op_number);
      report.ops_begun++;
      open = true;
    } else if (event.data.starts_with("A ")) {
      checker.Acknowledge();
      report.ops_acknowledged++;
      open = false;
    }
  }
  if (open) report.ops_in_doubt++;
  // The power went while the store was still recovering on the real disk.
  if (!recovered) report.kills_before_first_op++;
}

// Returns the cycle's violation ("" for none).
Result<std::string> RunCycle(const SoakOptions& options, const std::string& store_dir,
                             SoakChecker& checker, uint64_t cycle, SoakReport& report,
                             uint64_t* op_number) {
  Rng rng = Rng(options.seed).Stream("soak/power-loss/" + std::to_string(cycle));
  WALSIM_ASSIGN_OR_RETURN(std::vector<TreeNode> start, CaptureTree(options.dir));
  SoakChildOptions child = ChildOptionsFor(options, checker, store_dir, cycle);
  child.op_count_max =
      rng.Chance(0.2) ? rng.Between(1, 5) : rng.Between(1, kPowerLossCycleOpCountMax);
  child.line_sink = [](std::string line) { AddSyscallTraceMarker(std::move(line)); };
  StartSyscallTrace(options.dir);
  (void)RunSoakChild(child);  // its lines say how it went
  const std::vector<SyscallEvent> events = StopSyscallTrace();
  const std::string lines_violation = CheckLines(events, checker);
  if (!lines_violation.empty()) return lines_violation;
  if (events.empty()) {
    return Status::FailedPrecondition(
        "the syscall trace is empty: this binary was not linked with the recorder's --wrap");
  }
  const CrashPlan plan = DrawCrashPlan(rng, events);
  sim::SimFs sim(plan.disk);
  WALSIM_RETURN_IF_ERROR(LoadTree(sim, options.dir, start));
  std::span<const SyscallEvent> before(events.data(), plan.event_count);
  Status replayed = ReplaySyscalls(sim, before);
  if (!replayed.ok()) {
    return "the trace does not replay on the simulated disk: " + replayed.ToString();
  }
  FeedModel(before, checker, report, op_number);
  sim.Crash();
  report.kills++;
  scenarios::Verdict verdict = checker.RecoverAndCheckOn(sim, *op_number);
  if (!verdict.ok()) {
    return verdict.ToString() + " (power loss after " + std::to_string(plan.event_count) + " of " +
           std::to_string(events.size()) + " calls" +
           (plan.event_count == 0
                ? ""
                : ", the last " + DescribeSyscallEvent(events[plan.event_count - 1])) +
           ")";
  }
  WALSIM_RETURN_IF_ERROR(WriteBackTree(sim, options.dir));
  return std::string();
}

}  // namespace

Status ReplaySyscalls(sim::SimFs& sim, std::span<const SyscallEvent> events) {
  Replayer replayer(sim);
  for (size_t i = 0; i < events.size(); i++) {
    Status applied = replayer.Apply(events[i]);
    if (!applied.ok()) {
      return applied.WithContext("call " + std::to_string(i + 1) + " (" +
                                 DescribeSyscallEvent(events[i]) + ")");
    }
  }
  return Status::Ok();
}

Result<SoakReport> RunPowerLossSoak(const SoakOptions& options) {
  WALSIM_ASSERT(!options.dir.empty() && options.dir.front() == '/');
  WALSIM_ASSERT(options.fiu_rules.empty());
  return RunSoakCycles(
      options,
      [&options](SoakChecker& checker, const std::string& store_dir, uint64_t cycle,
                 SoakReport& report, uint64_t* op_number) -> Result<std::string> {
        return RunCycle(options, store_dir, checker, cycle, report, op_number);
      });
}

}  // namespace walsim::tools
