// libfiu integration (faults/fiu_points.h, faults/fiu_plan.h): FaultFs's
// points "walsim/fs/<op>" switched by fiu_enable, and a seeded plan
// installed with fiu_enable_external.
#include <fiu-control.h>
#include <fiu.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "faults/fault_fs.h"
#include "faults/fiu_plan.h"
#include "faults/fiu_points.h"
#include "faults/plan_text.h"
#include "fs/posix_fs.h"

namespace walsim::faults {
namespace {

std::span<const uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

class FiuTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(fiu_init(0), 0);
    char pattern[] = "/tmp/walsim-fiu-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    root_ = pattern;
    Result<std::unique_ptr<FaultFs>> fault_fs = FaultFs::Create(posix_, FaultPlan(), Rng(1));
    ASSERT_TRUE(fault_fs.ok()) << fault_fs.status().ToString();
    fault_fs_ = std::move(fault_fs).value();
    Result<std::unique_ptr<fs::File>> file = fault_fs_->Open(root_ + "/f", {.create = true});
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    file_ = std::move(file).value();
  }
  void TearDown() override {
    // libfiu is process-global: leave no point enabled for the next test.
    for (const char* name : kFaultPointNames) (void)fiu_disable(name);
    (void)fiu_disable("walsim/fs/*");
    file_.reset();
    fault_fs_.reset();
    (void)posix_.Remove(root_ + "/f");
    (void)posix_.Remove(root_);
  }

  static FaultPlan MustParse(std::string_view text) {
    Result<FaultPlan> plan = ParsePlan(text);
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    return std::move(plan).value();
  }

  // Which of write_count writes fail (1-based), with the FiuPlan of seed.
  std::vector<uint64_t> FailingWrites(uint64_t seed, uint64_t write_count,
                                      std::vector<uint64_t>* fired_counts) {
    Result<std::unique_ptr<FiuPlan>> installed =
        FiuPlan::Install(MustParse("write * p=0.25 eio"), Rng(seed));
    EXPECT_TRUE(installed.ok()) << installed.status().ToString();
    std::vector<uint64_t> failing;
    for (uint64_t i = 1; i <= write_count; i++) {
      const Status status = file_->WriteAt(0, Bytes("x"));
      if (!status.ok()) {
        EXPECT_EQ(status.code(), StatusCode::kIoError);
        failing.push_back(i);
      }
    }
    *fired_counts = (*installed)->fired_counts();
    return failing;
  }

  fs::PosixFs posix_;
  std::string root_;
  std::unique_ptr<FaultFs> fault_fs_;
  std::unique_ptr<fs::File> file_;
};

TEST_F(FiuTest, FiuEnableFailsAFaultFsWriteUntilDisabled) {
  ASSERT_EQ(fiu_enable("walsim/fs/write", 1, nullptr, 0), 0);
  const Status status = file_->WriteAt(0, Bytes("x"));
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_NE(status.message().find("injected eio: write " + root_ +
                                  "/f at offset 0 (libfiu point "
                                  "walsim/fs/write"),
            std::string::npos)
      << status.message();
  EXPECT_EQ(fault_fs_->fiu_fired_count(), 1u);
  EXPECT_TRUE(file_->Sync().ok());  // other points are untouched

  ASSERT_EQ(fiu_disable("walsim/fs/write"), 0);
  EXPECT_TRUE(file_->WriteAt(0, Bytes("x")).ok());
  EXPECT_EQ(fault_fs_->fiu_fired_count(), 1u);
}

TEST_F(FiuTest, FailinfoCarriesTheEffect) {
  ASSERT_EQ(fiu_enable("walsim/fs/write", 1, FailinfoOf(Effect::kNoSpace), 0), 0);
  EXPECT_EQ(file_->WriteAt(0, Bytes("x")).code(), StatusCode::kNoSpace);
  // libfiu leaks the old entry's name when an enabled point is enabled again.
  ASSERT_EQ(fiu_disable("walsim/fs/write"), 0);
  ASSERT_EQ(fiu_enable("walsim/fs/write", 1, FailinfoOf(Effect::kCrash), 0), 0);
  EXPECT_EQ(file_->WriteAt(0, Bytes("x")).code(), StatusCode::kIoError);
  EXPECT_TRUE(fault_fs_->crashed());
}

TEST_F(FiuTest, FailinfoThatIsNoValidEffectIsReportedNotIgnored) {
  // NOLINTNEXTLINE(performance-no-int-to-ptr): failinfo 42, as `fiu-ctrl ... failinfo=42` sends.
  void* const bad_failinfo = reinterpret_cast<void*>(uintptr_t{42});
  ASSERT_EQ(fiu_enable("walsim/fs/sync", 1, bad_failinfo, 0), 0);
  const Status status = file_->Sync();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("failinfo 42"), std::string::npos) << status.message();
  // short is an effect, but not one a sync can have.
  ASSERT_EQ(fiu_disable("walsim/fs/sync"), 0);
  ASSERT_EQ(fiu_enable("walsim/fs/sync", 1, FailinfoOf(Effect::kShort), 0), 0);
  EXPECT_EQ(file_->Sync().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fault_fs_->fiu_fired_count(), 0u);
}

TEST_F(FiuTest, DiskOnlyEffectFromFiuWithoutADeviceIsNotSupported) {
  ASSERT_EQ(fiu_enable("walsim/fs/sync", 1, FailinfoOf(Effect::kFsyncLie), 0), 0);
  const Status status = file_->Sync();
  EXPECT_EQ(status.code(), StatusCode::kNotSupported);
  EXPECT_NE(status.message().find("fsync-lie needs a simulated disk"), std::string::npos)
      << status.message();
}

TEST_F(FiuTest, WildcardEnablesEveryPoint) {
  ASSERT_EQ(fiu_enable("walsim/fs/*", 1, nullptr, 0), 0);
  EXPECT_EQ(fault_fs_->Stat(root_).status().code(), StatusCode::kIoError);
  EXPECT_EQ(file_->Size().status().code(), StatusCode::kIoError);
  ASSERT_EQ(fiu_disable("walsim/fs/*"), 0);
  EXPECT_TRUE(fault_fs_->Stat(root_).ok());
}

TEST_F(FiuTest, InstalledPlanDecidesWithTheSeededRng) {
  std::vector<uint64_t> fired_counts;
  const std::vector<uint64_t> failing = FailingWrites(11, 200, &fired_counts);
  EXPECT_GT(failing.size(), 20u);
  EXPECT_LT(failing.size(), 80u);
  ASSERT_EQ(fired_counts.size(), 1u);
  EXPECT_EQ(fired_counts[0], failing.size());

  std::vector<uint64_t> fired_again;
  EXPECT_EQ(FailingWrites(11, 200, &fired_again), failing);  // same seed, same faults
  EXPECT_NE(FailingWrites(12, 200, &fired_again), failing);
  // Uninstalled: nothing fails any more.
  EXPECT_TRUE(file_->WriteAt(0, Bytes("x")).ok());
}

TEST_F(FiuTest, InstalledPlanMatchesAFaultFsBuiltWithThePlan) {
  // The same plan and seed fire on the same operations either way.
  const FaultPlan plan = MustParse("write * p=0.5 eio\nsync * every=3 fsync-eio");
  std::vector<bool> via_fiu;
  {
    Result<std::unique_ptr<FiuPlan>> installed = FiuPlan::Install(plan, Rng(3));
    ASSERT_TRUE(installed.ok());
    for (int i = 0; i < 50; i++) {
      via_fiu.push_back(file_->WriteAt(0, Bytes("x")).ok());
      via_fiu.push_back(file_->Sync().ok());
    }
  }
  Result<std::unique_ptr<FaultFs>> direct = FaultFs::Create(posix_, plan, Rng(3));
  ASSERT_TRUE(direct.ok());
  Result<std::unique_ptr<fs::File>> file = (*direct)->Open(root_ + "/f", {});
  ASSERT_TRUE(file.ok());
  std::vector<bool> via_plan;
  for (int i = 0; i < 50; i++) {
    via_plan.push_back((*file)->WriteAt(0, Bytes("x")).ok());
    via_plan.push_back((*file)->Sync().ok());
  }
  EXPECT_EQ(via_fiu, via_plan);
}

TEST_F(FiuTest, OnlyOnePlanIsInstalledAtATime) {
  Result<std::unique_ptr<FiuPlan>> first = FiuPlan::Install(MustParse("read * eio"), Rng(1));
  ASSERT_TRUE(first.ok());
  Result<std::unique_ptr<FiuPlan>> second = FiuPlan::Install(MustParse("read * eio"), Rng(1));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kBusy);
  EXPECT_NE(second.status().message().find("another fault plan is installed"), std::string::npos);
  first->reset();
  Result<std::unique_ptr<FiuPlan>> third = FiuPlan::Install(MustParse("read * eio"), Rng(1));
  EXPECT_TRUE(third.ok()) << third.status().ToString();
}

TEST_F(FiuTest, InstalledPlanIgnoresFiuFailFromOutsideFaultFs) {
  Result<std::unique_ptr<FiuPlan>> installed = FiuPlan::Install(MustParse("write * eio"), Rng(1));
  ASSERT_TRUE(installed.ok());
  EXPECT_EQ(fiu_fail("walsim/fs/write"), 0);  // no FaultFs operation is being checked
  EXPECT_EQ((*installed)->fired_counts()[0], 0u);
  EXPECT_EQ(file_->WriteAt(0, Bytes("x")).code(), StatusCode::kIoError);
  EXPECT_EQ((*installed)->fired_counts()[0], 1u);
}

}  // namespace
}  // namespace walsim::faults
