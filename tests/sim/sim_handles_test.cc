// Handles and locks across crashes, bad input, the trace and determinism.
#include <set>

#include "base/hash.h"
#include "sim/sim_demo.h"
#include "sim/trace.h"
#include "tests/sim/sim_test_util.h"

namespace walsim::sim::testing {
namespace {

TEST_F(SimFsTest, HandlesAreDeadAfterCrash) {
  SimFs disk(Perfect());
  WriteDurable(disk, "/f", "abc");
  auto file = OpenExisting(disk, "/f");
  disk.Crash();
  uint8_t byte = 0;
  auto read = file->ReadAt(0, {&byte, 1});
  EXPECT_EQ(read.status().code(), StatusCode::kClosed);
  EXPECT_NE(read.status().message().find("crashed"), std::string::npos);
  EXPECT_EQ(file->WriteAt(0, Bytes("x")).code(), StatusCode::kClosed);
  EXPECT_EQ(file->Append(Bytes("x")).code(), StatusCode::kClosed);
  EXPECT_EQ(file->Truncate(0).code(), StatusCode::kClosed);
  EXPECT_EQ(file->Allocate(0, 10, fs::AllocateMode::kExtendSize).code(), StatusCode::kClosed);
  EXPECT_EQ(file->Sync().code(), StatusCode::kClosed);
  EXPECT_EQ(file->SyncData().code(), StatusCode::kClosed);
  EXPECT_EQ(file->Size().status().code(), StatusCode::kClosed);
  EXPECT_EQ(file->Close().code(), StatusCode::kClosed);
  EXPECT_EQ(Contents(disk, "/f"), "abc");  // a new handle works
}

TEST_F(SimFsTest, LocksAreReleasedByCrash) {
  SimFs disk(Perfect());
  WriteDurable(disk, "/lock", "");
  auto held = disk.Lock("/lock");
  ASSERT_TRUE(held.ok());
  auto second = disk.Lock("/lock");
  EXPECT_EQ(second.status().code(), StatusCode::kBusy);
  disk.Crash();
  auto after = disk.Lock("/lock");
  EXPECT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ((*held)->Unlock().code(), StatusCode::kClosed);
  EXPECT_EQ(disk.Lock("/lock").status().code(), StatusCode::kBusy);  // `after` still holds it
  EXPECT_TRUE((*after)->Unlock().ok());
  EXPECT_TRUE((*after)->Unlock().ok());  // idempotent
  EXPECT_TRUE(disk.Lock("/lock").ok());
}

TEST_F(SimFsTest, HandlesOutliveTheDisk) {
  std::unique_ptr<fs::File> file;
  std::unique_ptr<fs::FileLock> lock;
  {
    SimFs disk(Perfect());
    file = Create(disk, "/f");
    lock = std::move(disk.Lock("/f")).value();
  }
  EXPECT_EQ(file->Append(Bytes("x")).code(), StatusCode::kClosed);
  EXPECT_EQ(lock->Unlock().code(), StatusCode::kClosed);
}

TEST_F(SimFsTest, BadPathsAreInvalidArgument) {
  SimFs disk(Perfect());
  const std::vector<std::string> paths = {
      "", "relative", "/a/../b", "/./a", "//a", "/a/", std::string("/a\0b", 4)};
  for (const std::string& shown : paths) {
    EXPECT_EQ(disk.Open(shown, {.create = true}).status().code(), StatusCode::kInvalidArgument)
        << shown;
    EXPECT_EQ(disk.Remove(shown).code(), StatusCode::kInvalidArgument) << shown;
    EXPECT_EQ(disk.Rename(shown, "/x").code(), StatusCode::kInvalidArgument) << shown;
    EXPECT_EQ(disk.Rename("/x", shown).code(), StatusCode::kInvalidArgument) << shown;
    EXPECT_EQ(disk.List(shown).status().code(), StatusCode::kInvalidArgument) << shown;
    EXPECT_EQ(disk.MkDir(shown).code(), StatusCode::kInvalidArgument) << shown;
    EXPECT_EQ(disk.Stat(shown).status().code(), StatusCode::kInvalidArgument) << shown;
    EXPECT_EQ(disk.SyncDir(shown).code(), StatusCode::kInvalidArgument) << shown;
    EXPECT_EQ(disk.Lock(shown).status().code(), StatusCode::kInvalidArgument) << shown;
  }
  EXPECT_TRUE(disk.List("/").value().empty());
}

TEST_F(SimFsTest, ClosedHandleIsClosed) {
  SimFs disk(Perfect());
  auto file = Create(disk, "/f");
  ASSERT_TRUE(file->Close().ok());
  Status again = file->Close();
  EXPECT_EQ(again.code(), StatusCode::kClosed);
  EXPECT_NE(again.message().find("/f"), std::string::npos);
  EXPECT_EQ(file->Append(Bytes("x")).code(), StatusCode::kClosed);
  EXPECT_EQ(file->Size().status().code(), StatusCode::kClosed);
}

TEST_F(SimFsTest, ReadPastEndIsShort) {
  SimFs disk(Perfect());
  WriteDurable(disk, "/f", "abc");
  auto file = OpenExisting(disk, "/f");
  std::string buffer(8, '-');
  std::span<uint8_t> dst{reinterpret_cast<uint8_t*>(buffer.data()), buffer.size()};
  EXPECT_EQ(file->ReadAt(1, dst).value(), 2u);
  EXPECT_EQ(buffer.substr(0, 2), "bc");
  EXPECT_EQ(file->ReadAt(3, dst).value(), 0u);
  EXPECT_EQ(file->ReadAt(1000, dst).value(), 0u);
  EXPECT_EQ(file->ReadAt(UINT64_MAX, dst).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SimFsTest, NamespaceErrorsAreClear) {
  SimFs disk(Perfect());
  ASSERT_TRUE(disk.MkDir("/d").ok());
  WriteDurable(disk, "/d/f", "x", "/d");
  Status rename_missing = disk.Rename("/nope", "/x");
  EXPECT_EQ(rename_missing.code(), StatusCode::kNotFound);
  EXPECT_NE(rename_missing.message().find("/nope"), std::string::npos);
  Status remove_full = disk.Remove("/d");
  EXPECT_EQ(remove_full.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(remove_full.message().find("not empty"), std::string::npos);
  EXPECT_EQ(disk.Remove("/nope").code(), StatusCode::kNotFound);
  EXPECT_EQ(disk.Open("/d", {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(disk.Open("/nope/f", {.create = true}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(disk.Open("/d/f/g", {.create = true}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(disk.Open("/d/f", {.create = true, .exclusive = true}).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(disk.Open("/d/f", {.truncate = true, .read_only = true}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(disk.MkDir("/d").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(disk.MkDir("/").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(disk.SyncDir("/d/f").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(disk.List("/d/f").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(disk.Rename("/d", "/d/sub").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(disk.Rename("/d/f", "/d").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(disk.Remove("/").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(disk.Lock("/d").status().code(), StatusCode::kInvalidArgument);
  auto read_only = disk.Open("/d/f", {.read_only = true});
  ASSERT_TRUE(read_only.ok());
  EXPECT_EQ((*read_only)->Append(Bytes("x")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Contents(disk, "/d/f"), "x");
}

TEST_F(SimFsTest, TraceLinesNameOperationsAndFaults) {
  SimFs disk(Perfect());
  disk.set_trace_enabled(true);
  auto file = Create(disk, "/w.wal");
  ASSERT_TRUE(file->WriteAt(4096, Bytes(std::string(128, 'x'))).ok());
  disk.InjectWriteEio("/w.wal");
  EXPECT_FALSE(file->Append(Bytes("y")).ok());
  const std::vector<std::string>& trace = disk.trace();
  ASSERT_GE(trace.size(), 5u);
  EXPECT_EQ(trace[0], "op=1 open path=/w.wal flags=cw inode=2 -> ok");
  EXPECT_EQ(trace[1], "op=2 write path=/w.wal offset=4096 bytes=128 -> ok");
  EXPECT_EQ(trace[2], "inject kind=write_eio path=/w.wal armed=file -> ok");
  EXPECT_EQ(trace[3], "op=3 fault kind=write_eio path=/w.wal source=injected");
  EXPECT_EQ(trace[4].rfind("op=3 append path=/w.wal offset=4224 bytes=1 -> I/O error:", 0), 0u)
      << trace[4];
  EXPECT_EQ(disk.op_count(), 3u);
}

TEST_F(SimFsTest, TraceHashCoversLinesWhetherKeptOrNot) {
  auto run = [](bool keep) {
    SimFs disk({.seed = 3, .crash_model = CrashModel::kReorder});
    disk.set_trace_enabled(keep);
    auto file = disk.Open("/f", {.create = true});
    EXPECT_TRUE((*file)->Append(Bytes(std::string(3000, 'z'))).ok());
    disk.Crash();
    return std::pair(disk.trace_hash(), disk.trace().size());
  };
  auto [kept_hash, kept_lines] = run(true);
  auto [dropped_hash, dropped_lines] = run(false);
  EXPECT_EQ(kept_hash, dropped_hash);
  EXPECT_GT(kept_lines, 0u);
  EXPECT_EQ(dropped_lines, 0u);
}

TEST_F(SimFsTest, TraceKeepsAtMostItsLimitAndCountsTheLinesItDrops) {
  Trace limited(2);
  Trace unlimited;
  for (Trace* trace : {&limited, &unlimited}) {
    trace->set_enabled(true);
    for (uint64_t op = 1; op <= 5; op++) {
      trace->Begin(op, "write");
      trace->Field("bytes", op);
      trace->End(Status::Ok());
    }
  }
  ASSERT_EQ(limited.lines().size(), 2u);
  EXPECT_EQ(limited.lines()[1], "op=2 write bytes=2 -> ok");
  EXPECT_EQ(limited.lines_dropped(), 3u);
  EXPECT_EQ(unlimited.lines().size(), 5u);
  EXPECT_EQ(unlimited.lines_dropped(), 0u);
  EXPECT_EQ(limited.hash(), unlimited.hash());  // the hash covers dropped lines
}

// A fixed workload over every crash model: writes, syncs, renames, crashes.
std::pair<uint64_t, std::string> RunWorkload(uint64_t seed) {
  SimFs disk({.seed = seed,
              .atomic_sector = false,
              .crash_model = CrashModel::kReorder,
              .size_before_data = true});
  std::string outcome;
  for (CrashModel model : {CrashModel::kPrefix, CrashModel::kReorder, CrashModel::kClean}) {
    auto file = disk.Open("/data", {.create = true});
    EXPECT_TRUE(file.ok());
    for (int index = 0; index < 6; index++) {
      EXPECT_TRUE((*file)->Append(Bytes(std::string(700, static_cast<char>('a' + index)))).ok());
      if (index == 2) {
        EXPECT_TRUE((*file)->SyncData().ok());
      }
    }
    EXPECT_TRUE(disk.Rename("/data", "/renamed").ok());
    disk.Crash(model);
    outcome += std::string(CrashModelName(model)) + ":";
    auto after = disk.Open("/renamed", {.read_only = true});
    if (!after.ok()) after = disk.Open("/data", {.read_only = true});
    if (after.ok()) {
      uint64_t size = (*after)->Size().value();
      std::string bytes(size, '\0');
      EXPECT_TRUE((*after)->ReadAt(0, {reinterpret_cast<uint8_t*>(bytes.data()), size}).ok());
      outcome += std::to_string(size) + "/" + std::to_string(Fnv1a64(bytes));
    }
    outcome += ";";
  }
  return {disk.trace_hash(), outcome};
}

TEST_F(SimFsTest, SameSeedGivesSameTraceHash) {
  for (uint64_t seed = 0; seed < 5; seed++) {
    EXPECT_EQ(RunWorkload(seed), RunWorkload(seed)) << "seed " << seed;
  }
}

TEST_F(SimFsTest, DifferentSeedsGiveDifferentCrashOutcomes) {
  std::set<std::string> outcomes;
  std::set<uint64_t> hashes;
  for (uint64_t seed = 0; seed < 10; seed++) {
    auto [hash, outcome] = RunWorkload(seed);
    outcomes.insert(outcome);
    hashes.insert(hash);
  }
  EXPECT_GE(outcomes.size(), 5u);
  EXPECT_EQ(hashes.size(), 10u);
}

}  // namespace
}  // namespace walsim::sim::testing

namespace walsim::sim::testing {
namespace {

TEST_F(SimFsTest, DemoOutputIsAFunctionOfTheSeed) {
  std::string first = RunCrashDemo({.seed = 7});
  EXPECT_EQ(first, RunCrashDemo({.seed = 7}));
  EXPECT_NE(first, RunCrashDemo({.seed = 8}));
  // The perfect-disk facts hold under every model: synced data with a synced
  // entry survives intact, the orphan never does under the clean model.
  EXPECT_NE(first.find("crash model clean:\n"), std::string::npos);
  EXPECT_NE(first.find("  synced.log     size=1000  intact"), std::string::npos);
  EXPECT_NE(first.find("  nodirsync.log  lost"), std::string::npos);
  EXPECT_EQ(first.rfind("trace hash: 0x", std::string::npos), first.size() - 31) << first;
  std::string traced = RunCrashDemo({.seed = 7, .show_trace = true});
  EXPECT_NE(traced.find("    | op=1 mkdir path=/demo -> ok"), std::string::npos) << traced;
}

}  // namespace
}  // namespace walsim::sim::testing
