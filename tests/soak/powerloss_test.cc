// `walsim soak --power-loss` (tools/soak_powerloss.h): the recorder sees
// PosixFs's real calls in order, a replayed trace keeps exactly what those
// calls made durable, and power-loss cycles of the real stores pass.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "fs/path.h"
#include "fs/posix_fs.h"
#include "sim/sim_fs.h"
#include "tools/soak_powerloss.h"
#include "tools/syscall_trace.h"

namespace walsim::tools {
namespace {

std::string MakeTempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "walsim-powerloss-XXXXXX").string();
  const char* made = ::mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr);
  return pattern;
}

std::vector<SyscallKind> Kinds(const std::vector<SyscallEvent>& events) {
  std::vector<SyscallKind> kinds;
  kinds.reserve(events.size());
  for (const SyscallEvent& event : events) kinds.push_back(event.kind);
  return kinds;
}

const uint8_t kBytes[] = {'d', 'a', 't', 'a'};

TEST(SyscallTrace, RecordsPosixFsCallsBelowTheRootInTheOrderTheyReachedLibc) {
  const std::string root = MakeTempDir();
  fs::PosixFs posix;
  StartSyscallTrace(root + "/traced");
  ASSERT_TRUE(posix.MkDir(root + "/untraced").ok());
  ASSERT_TRUE(posix.MkDir(root + "/traced").ok());
  {
    auto file = posix.Open(root + "/traced/a.tmp", {.create = true});
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    ASSERT_TRUE((*file)->WriteAt(0, kBytes).ok());
    ASSERT_TRUE((*file)->SyncData().ok());
    ASSERT_TRUE((*file)->Close().ok());
  }
  ASSERT_TRUE(posix.Rename(root + "/traced/a.tmp", root + "/traced/a").ok());
  ASSERT_TRUE(posix.SyncDir(root + "/traced").ok());
  AddSyscallTraceMarker("end");
  const std::vector<SyscallEvent> events = StopSyscallTrace();
  std::filesystem::remove_all(root);

  const std::vector<SyscallKind> expected = {
      SyscallKind::kMkdir, SyscallKind::kOpen,   SyscallKind::kPwrite, SyscallKind::kFdatasync,
      SyscallKind::kClose, SyscallKind::kRename, SyscallKind::kOpen,   SyscallKind::kFsync,
      SyscallKind::kClose, SyscallKind::kMarker};
  ASSERT_EQ(Kinds(events), expected);
  EXPECT_EQ(events[2].data, "data");
  EXPECT_EQ(events[2].offset_bytes, 0u);
  EXPECT_TRUE(events[6].is_directory);
  EXPECT_TRUE(events[7].is_directory);
  EXPECT_EQ(events[7].path, root + "/traced");
  EXPECT_EQ(events[9].data, "end");
}

SyscallEvent Call(SyscallKind kind, int fd, std::string path) {
  SyscallEvent event;
  event.kind = kind;
  event.fd = fd;
  event.path = std::move(path);
  return event;
}

// The calls of: create /r/d/f, write "data", fdatasync, and (with_dir_sync)
// fsync /r/d.
std::vector<SyscallEvent> CreateTrace(bool with_dir_sync) {
  std::vector<SyscallEvent> events;
  events.push_back(Call(SyscallKind::kOpen, 7, "/r/d/f"));
  events.back().flags = O_CREAT | O_RDWR;
  events.push_back(Call(SyscallKind::kPwrite, 7, "/r/d/f"));
  events.back().data = "data";
  events.push_back(Call(SyscallKind::kFdatasync, 7, "/r/d/f"));
  if (with_dir_sync) {
    for (SyscallKind kind : {SyscallKind::kOpen, SyscallKind::kFsync, SyscallKind::kClose}) {
      events.push_back(Call(kind, 8, "/r/d"));
      events.back().is_directory = true;
    }
  }
  events.push_back(Call(SyscallKind::kClose, 7, "/r/d/f"));
  return events;
}

Result<std::string> PowerLossOf(const std::vector<SyscallEvent>& events) {
  sim::SimFs sim(sim::SimOptions{});  // clean crash: exactly the durable state
  for (const char* dir : {"/r", "/r/d"}) {
    WALSIM_RETURN_IF_ERROR(sim.MkDir(dir));
    WALSIM_RETURN_IF_ERROR(sim.SyncDir(fs::Dirname(dir)));
  }
  WALSIM_RETURN_IF_ERROR(ReplaySyscalls(sim, events));
  sim.Crash();
  return sim.ReadDurable("/r/d/f");
}

TEST(PowerLossReplay, AFileCreatedWithoutADirectorySyncVanishesAtPowerLoss) {
  Result<std::string> kept = PowerLossOf(CreateTrace(/*with_dir_sync=*/false));
  ASSERT_FALSE(kept.ok());
  EXPECT_TRUE(kept.status().Is(StatusCode::kNotFound)) << kept.status().ToString();
}

TEST(PowerLossReplay, AFileCreatedThenSyncedWithItsDirectoryKeepsItsData) {
  Result<std::string> kept = PowerLossOf(CreateTrace(/*with_dir_sync=*/true));
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(*kept, "data");
}

TEST(PowerLossReplay, ACallTheDiskRefusesIsAnErrorNamingTheCall) {
  std::vector<SyscallEvent> events = {Call(SyscallKind::kPwrite, 9, "/r/d/f")};
  events[0].data = "x";
  sim::SimFs sim(sim::SimOptions{});
  Status replayed = ReplaySyscalls(sim, events);
  ASSERT_FALSE(replayed.ok());
  EXPECT_NE(replayed.ToString().find("call 1 (pwrite fd=9"), std::string::npos)
      << replayed.ToString();
}

class PowerLossSoakTest : public ::testing::TestWithParam<SoakTarget> {};

TEST_P(PowerLossSoakTest, CyclesOfTheRealStorePassOnCorrectCode) {
  const std::string root = MakeTempDir();
  SoakOptions options;
  options.target = GetParam();
  options.dir = root + "/soak";
  options.seed = 3;
  options.minutes = 10;
  options.cycle_count_max = 12;
  options.power_loss = true;
  Result<SoakReport> report = RunPowerLossSoak(options);
  std::filesystem::remove_all(root);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->cycles, 12u);
  EXPECT_EQ(report->kills, 12u);
  EXPECT_GT(report->ops_acknowledged, 12u);
  ASSERT_TRUE(report->violations.empty()) << report->violations[0].detail;
}

INSTANTIATE_TEST_SUITE_P(EachStore, PowerLossSoakTest,
                         ::testing::Values(SoakTarget::kWal, SoakTarget::kLogstore),
                         [](const ::testing::TestParamInfo<SoakTarget>& param_info) {
                           return std::string(SoakTargetName(param_info.param));
                         });

}  // namespace
}  // namespace walsim::tools
