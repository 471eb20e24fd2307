// Properties of the simulated disk that must hold for every input:
//  - without crashes and faults, SimFs and PosixFs (a temporary directory)
//    give the same results and contents for any sequence of operations;
//  - after any crash (any model, any seed), every byte of every file is a
//    value the rules allow, and a seed replays to the same trace hash.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <array>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "fs/path.h"
#include "sim/sim_fs.h"
#include "tests/fs/posix_env.h"
#include "tests/sim/sim_test_util.h"

namespace walsim::sim::testing {
namespace {

// ---- SimFs vs PosixFs -------------------------------------------------------

enum class OpKind : uint8_t {
  kOpen,
  kWrite,
  kAppend,
  kTruncate,
  kAllocate,
  kRead,
  kSize,
  kSync,
  kClose,
  kRename,
  kRemove,
  kMkDir,
  kList,
  kStat,
  kSyncDir,
};
constexpr int kOpKindCount = 15;
constexpr std::array<std::string_view, 8> kNames = {"a",   "b", "d",   "d/a",
                                                    "d/b", "e", "d/e", "d/e/a"};
constexpr int kSlotCount = 3;
constexpr uint64_t kOffsetBytesMax = 3000;
constexpr uint32_t kLengthBytesMax = 700;

struct Op {
  OpKind kind = OpKind::kOpen;
  int path_index = 0;
  int other_path_index = 0;
  int slot = 0;
  uint64_t offset = 0;
  uint32_t length = 0;
  uint8_t flags = 0;
};

// How rapidcheck prints a failing case.
void showValue(const Op& op, std::ostream& out) {
  out << "{kind=" << static_cast<int>(op.kind) << " path=" << kNames[op.path_index]
      << " other=" << kNames[op.other_path_index] << " slot=" << op.slot << " offset=" << op.offset
      << " length=" << op.length << " flags=" << static_cast<int>(op.flags) << "}";
}

rc::Gen<Op> GenOp() {
  return rc::gen::map(
      rc::gen::tuple(rc::gen::inRange(0, kOpKindCount), rc::gen::inRange<int>(0, kNames.size()),
                     rc::gen::inRange<int>(0, kNames.size()), rc::gen::inRange(0, kSlotCount),
                     rc::gen::inRange<uint64_t>(0, kOffsetBytesMax),
                     rc::gen::inRange<uint32_t>(0, kLengthBytesMax), rc::gen::arbitrary<uint8_t>()),
      [](const auto& t) {
        return Op{static_cast<OpKind>(std::get<0>(t)),
                  std::get<1>(t),
                  std::get<2>(t),
                  std::get<3>(t),
                  std::get<4>(t),
                  std::get<5>(t),
                  std::get<6>(t)};
      });
}

// One filesystem under test with its open handles.
struct Side {
  fs::FileSystem* fs = nullptr;
  std::string root;
  std::array<std::unique_ptr<fs::File>, kSlotCount> slots;
  std::string Path(int index) const { return root + "/" + std::string(kNames[index]); }
};

// What one operation returned, in a form comparable across implementations.
std::string Outcome(const Status& status) { return std::string(StatusCodeName(status.code())); }

std::string Apply(Side& side, const Op& op, uint64_t op_index) {
  std::unique_ptr<fs::File>& file = side.slots[op.slot];
  std::string data(op.length, static_cast<char>('A' + op_index % 26));
  std::span<const uint8_t> bytes = Bytes(data);
  switch (op.kind) {
    case OpKind::kOpen: {
      fs::OpenOptions options{.create = (op.flags & 1) != 0,
                              .exclusive = (op.flags & 2) != 0,
                              .truncate = (op.flags & 4) != 0,
                              .read_only = (op.flags & 8) != 0};
      auto opened = side.fs->Open(side.Path(op.path_index), options);
      if (!opened.ok()) return Outcome(opened.status());
      file = std::move(opened).value();
      return "ok";
    }
    case OpKind::kRename:
      return Outcome(side.fs->Rename(side.Path(op.path_index), side.Path(op.other_path_index)));
    case OpKind::kRemove:
      return Outcome(side.fs->Remove(side.Path(op.path_index)));
    case OpKind::kMkDir:
      return Outcome(side.fs->MkDir(side.Path(op.path_index)));
    case OpKind::kSyncDir:
      return Outcome(side.fs->SyncDir(side.Path(op.path_index)));
    case OpKind::kList: {
      auto names = side.fs->List(side.Path(op.path_index));
      if (!names.ok()) return Outcome(names.status());
      std::string out = "ok";
      for (const std::string& name : *names) out += " " + name;
      return out;
    }
    case OpKind::kStat: {
      auto info = side.fs->Stat(side.Path(op.path_index));
      if (!info.ok()) return Outcome(info.status());
      // A directory's size is the implementation's business.
      return info->is_directory ? "ok dir" : "ok file " + std::to_string(info->size_bytes);
    }
    default:
      break;
  }
  if (file == nullptr) return "no handle";
  switch (op.kind) {
    case OpKind::kWrite:
      return Outcome(file->WriteAt(op.offset, bytes));
    case OpKind::kAppend:
      return Outcome(file->Append(bytes));
    case OpKind::kTruncate:
      return Outcome(file->Truncate(op.offset));
    case OpKind::kAllocate:
      return Outcome(file->Allocate(
          op.offset, op.length,
          (op.flags & 1) != 0 ? fs::AllocateMode::kKeepSize : fs::AllocateMode::kExtendSize));
    case OpKind::kRead: {
      std::string buffer(op.length, '\0');
      auto read = file->ReadAt(op.offset, {reinterpret_cast<uint8_t*>(buffer.data()), op.length});
      if (!read.ok()) return Outcome(read.status());
      return "ok " + buffer.substr(0, *read);
    }
    case OpKind::kSize: {
      auto size = file->Size();
      return size.ok() ? "ok " + std::to_string(*size) : Outcome(size.status());
    }
    case OpKind::kSync:
      return Outcome((op.flags & 1) != 0 ? file->Sync() : file->SyncData());
    case OpKind::kClose:
      return Outcome(file->Close());
    default:
      WALSIM_UNREACHABLE();
  }
}

// Every entry under dir with its kind and (files) contents, depth first.
std::string Tree(fs::FileSystem& filesystem, const std::string& dir, int depth) {
  RC_ASSERT(depth < 8);
  auto names = filesystem.List(dir);
  RC_ASSERT(names.ok());
  std::string out;
  for (const std::string& name : *names) {
    std::string path = fs::Join(dir, name);
    auto info = filesystem.Stat(path);
    RC_ASSERT(info.ok());
    if (info->is_directory) {
      out += name + "/{" + Tree(filesystem, path, depth + 1) + "}";
      continue;
    }
    auto file = filesystem.Open(path, {.read_only = true});
    RC_ASSERT(file.ok());
    std::string contents(info->size_bytes, '\0');
    auto read = (*file)->ReadAt(0, {reinterpret_cast<uint8_t*>(contents.data()), contents.size()});
    RC_ASSERT(read.ok());
    out += name + "=" + contents.substr(0, *read) + ";";
  }
  return out;
}

RC_GTEST_PROP(SimFsProperty, MatchesPosixFsWithoutCrashesOrFaults, ()) {
  const auto ops = *rc::gen::container<std::vector<Op>>(GenOp());
  fs::PosixEnv posix_env;
  RC_ASSERT(!posix_env.Root().empty());
  SimFs disk(SimOptions{.seed = 1});
  RC_ASSERT(disk.MkDir("/r").ok());
  Side posix{&posix_env.fs(), posix_env.Root(), {}};
  Side sim{&disk, "/r", {}};
  for (size_t index = 0; index < ops.size(); index++) {
    std::string posix_outcome = Apply(posix, ops[index], index);
    std::string sim_outcome = Apply(sim, ops[index], index);
    RC_ASSERT(sim_outcome == posix_outcome);
  }
  RC_ASSERT(Tree(disk, "/r", 0) == Tree(posix_env.fs(), posix_env.Root(), 0));
}

// ---- capacity accounting ----------------------------------------------------

// The sizes of every file under dir, summed, depth first.
uint64_t SumFileSizes(fs::FileSystem& filesystem, const std::string& dir, int depth) {
  RC_ASSERT(depth < 8);
  auto names = filesystem.List(dir);
  RC_ASSERT(names.ok());
  uint64_t sum_bytes = 0;
  for (const std::string& name : *names) {
    std::string path = fs::Join(dir, name);
    auto info = filesystem.Stat(path);
    RC_ASSERT(info.ok());
    sum_bytes += info->is_directory ? SumFileSizes(filesystem, path, depth + 1) : info->size_bytes;
  }
  return sum_bytes;
}

// The accounting rule of sim/sim_fs.h: once every handle is closed, the bytes
// charged against capacity are exactly the sizes of the files that have a
// name, whatever writes, truncates, allocations, renames and removes led there
// (KEEP_SIZE reservations are invisible to Stat, so allocations here extend).
RC_GTEST_PROP(SimFsProperty, UsedBytesAreTheSizesOfReachableFiles, ()) {
  auto ops = *rc::gen::container<std::vector<Op>>(GenOp());
  SimFs disk(SimOptions{.seed = 1});
  RC_ASSERT(disk.MkDir("/r").ok());
  RC_ASSERT(disk.SyncDir("/").ok());  // "/r" itself survives the crash below
  Side sim{&disk, "/r", {}};
  for (size_t index = 0; index < ops.size(); index++) {
    if (ops[index].kind == OpKind::kAllocate) ops[index].flags &= ~uint8_t{1};
    (void)Apply(sim, ops[index], index);
  }
  for (auto& slot : sim.slots) slot.reset();  // closes without syncing
  RC_ASSERT(disk.used_bytes() == SumFileSizes(disk, "/r", 0));
  disk.Crash(CrashModel::kClean);
  RC_ASSERT(disk.used_bytes() == SumFileSizes(disk, "/r", 0));
}

// ---- post-crash bytes --------------------------------------------------------

constexpr int kCrashFileCount = 2;

struct FileModel {
  std::vector<std::pair<uint64_t, std::string>> pending_writes;  // since the last sync
  uint64_t size_bytes_max = 0;  // the largest size any pending state could give
};

struct CrashRun {
  uint64_t trace_hash = 0;
  std::vector<std::string> contents;
};

// Random writes, appends, truncates and syncs on two durable files, then a
// crash; checks every byte of the result against what the rules allow.
CrashRun RunAndCheckCrash(const SimOptions& options, const std::vector<Op>& ops) {
  SimFs disk(options);
  std::vector<std::unique_ptr<fs::File>> files;
  files.reserve(kCrashFileCount);
  std::vector<FileModel> models(kCrashFileCount);
  for (int index = 0; index < kCrashFileCount; index++) {
    auto file = disk.Open("/f" + std::to_string(index), {.create = true});
    RC_ASSERT(file.ok());
    files.push_back(std::move(file).value());
  }
  RC_ASSERT(disk.SyncDir("/").ok());
  for (size_t op_index = 0; op_index < ops.size(); op_index++) {
    const Op& op = ops[op_index];
    int target = op.slot % kCrashFileCount;
    FileModel& model = models[target];
    fs::File& file = *files[target];
    uint64_t size_before = file.Size().value();
    std::string data(op.length + 1, static_cast<char>('a' + op_index % 26));
    switch (static_cast<int>(op.kind) % 4) {
      case 0:
        RC_ASSERT(file.WriteAt(op.offset, Bytes(data)).ok());
        model.pending_writes.emplace_back(op.offset, data);
        break;
      case 1:
        RC_ASSERT(file.Append(Bytes(data)).ok());
        model.pending_writes.emplace_back(size_before, data);
        break;
      case 2:
        RC_ASSERT(file.Truncate(op.offset).ok());
        break;
      default:
        RC_ASSERT(file.SyncData().ok());
        model.pending_writes.clear();
        model.size_bytes_max = 0;
        break;
    }
    model.size_bytes_max = std::max(model.size_bytes_max, file.Size().value());
  }
  std::vector<std::string> durable;
  durable.reserve(kCrashFileCount);
  for (int index = 0; index < kCrashFileCount; index++) {
    durable.push_back(disk.ReadDurable("/f" + std::to_string(index)).value());
  }
  disk.Crash();
  CrashRun run;
  run.contents.reserve(kCrashFileCount);
  for (int index = 0; index < kCrashFileCount; index++) {
    std::string after = ReadContents(disk, "/f" + std::to_string(index));
    const FileModel& model = models[index];
    RC_ASSERT(after.size() <= std::max<uint64_t>(durable[index].size(), model.size_bytes_max));
    for (uint64_t offset = 0; offset < after.size(); offset++) {
      char byte = after[offset];
      bool allowed =
          byte == '\0' || (offset < durable[index].size() && durable[index][offset] == byte);
      for (const auto& [write_offset, data] : model.pending_writes) {
        if (offset < write_offset || offset >= write_offset + data.size()) continue;
        // Inside a pending write: its byte, or anything where sectors tear.
        allowed |= data[offset - write_offset] == byte || !options.atomic_sector;
      }
      RC_ASSERT(allowed);
    }
    run.contents.push_back(after);
  }
  run.trace_hash = disk.trace_hash();
  return run;
}

RC_GTEST_PROP(SimFsProperty, EveryByteAfterACrashIsAllowedAndReplays, ()) {
  SimOptions options;
  options.seed = *rc::gen::arbitrary<uint64_t>();
  options.crash_model = static_cast<CrashModel>(*rc::gen::inRange<uint32_t>(0, kCrashModelCount));
  options.atomic_sector = *rc::gen::arbitrary<bool>();
  options.size_before_data = *rc::gen::arbitrary<bool>();
  options.sector_size_bytes = *rc::gen::element<uint32_t>(16, 512, 4096);
  const auto ops = *rc::gen::container<std::vector<Op>>(GenOp());
  CrashRun first = RunAndCheckCrash(options, ops);
  CrashRun replay = RunAndCheckCrash(options, ops);
  RC_ASSERT(first.trace_hash == replay.trace_hash);
  RC_ASSERT(first.contents == replay.contents);
}

}  // namespace
}  // namespace walsim::sim::testing
