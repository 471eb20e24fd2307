// FaultFs (faults/fault_fs.h) over the real disk (PosixFs in a temporary
// directory): each effect reaches the caller with the right Status, fired
// counts, crash state, and the hand-off of disk-only effects to a device.
#include "faults/fault_fs.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "faults/plan_text.h"
#include "fs/posix_fs.h"

namespace walsim::faults {
namespace {

std::span<const uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// A device that records what it is asked to do and fails as told.
class RecordingDevice final : public DeviceFaults {
 public:
  struct Call {
    Effect effect;
    OpKind kind;
    std::string path;
    uint64_t offset;
    uint64_t length_bytes;
  };
  bool Handles(Effect effect, OpKind /*kind*/) const override {
    return effect != Effect::kEio && effect != Effect::kNoSpace;
  }
  Status Apply(Effect effect, const OpContext& op) override {
    calls.push_back({effect, op.kind, std::string(op.path), op.offset, op.length_bytes});
    return next_status;
  }
  std::vector<Call> calls;
  Status next_status;
};

class FaultFsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::path base = std::filesystem::temp_directory_path();
    std::string pattern = (base / "walsim-faults-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = std::filesystem::path(pattern).lexically_normal().string();
  }
  void TearDown() override {
    std::error_code error;
    std::filesystem::remove_all(root_, error);
  }

  std::string Path(std::string_view name) const { return root_ + "/" + std::string(name); }

  // A FaultFs over the temporary directory with plan (whose "<root>" is
  // replaced by the directory).
  std::unique_ptr<FaultFs> Make(std::string plan_text, uint64_t seed = 1,
                                DeviceFaults* device = nullptr) {
    for (size_t at = plan_text.find("<root>"); at != std::string::npos;
         at = plan_text.find("<root>")) {
      plan_text.replace(at, 6, root_);
    }
    Result<FaultPlan> plan = ParsePlan(plan_text);
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    Result<std::unique_ptr<FaultFs>> fault_fs =
        FaultFs::Create(posix_, std::move(plan).value(), Rng(seed), device);
    EXPECT_TRUE(fault_fs.ok()) << fault_fs.status().ToString();
    return std::move(fault_fs).value();
  }

  std::unique_ptr<fs::File> OpenNew(fs::FileSystem& fs, std::string_view name) {
    Result<std::unique_ptr<fs::File>> file = fs.Open(Path(name), {.create = true});
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    return file.ok() ? std::move(file).value() : nullptr;
  }

  std::string ReadAll(std::string_view name) {
    Result<std::unique_ptr<fs::File>> file = posix_.Open(Path(name), {.read_only = true});
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    std::vector<uint8_t> buffer(4096);
    Result<size_t> read_bytes = (*file)->ReadAt(0, buffer);
    EXPECT_TRUE(read_bytes.ok());
    return {buffer.begin(), buffer.begin() + static_cast<ptrdiff_t>(*read_bytes)};
  }

  fs::PosixFs posix_;
  std::string root_;
};

TEST_F(FaultFsTest, NoRuleMeansEveryOperationIsForwarded) {
  auto fault_fs = Make("");
  auto file = OpenNew(*fault_fs, "a");
  ASSERT_TRUE(file->WriteAt(0, Bytes("hello")).ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(file->Close().ok());
  EXPECT_EQ(ReadAll("a"), "hello");
  EXPECT_EQ(fault_fs->op_count(), 4u);  // open, write, sync, close
}

TEST_F(FaultFsTest, SuspendedFaultFsNeitherNumbersNorInjects) {
  auto fault_fs = Make("write <root>/a every=1 eio");
  auto file = OpenNew(*fault_fs, "a");
  fault_fs->set_suspended(true);
  ASSERT_TRUE(file->WriteAt(0, Bytes("kept")).ok()) << "no rule fires while suspended";
  EXPECT_EQ(fault_fs->op_count(), 1u) << "only the open was numbered";
  EXPECT_EQ(fault_fs->matched_counts()[0], 0u);
  fault_fs->set_suspended(false);
  EXPECT_EQ(file->WriteAt(4, Bytes("x")).code(), StatusCode::kIoError) << "resumed";
  EXPECT_EQ(ReadAll("a"), "kept");
}

TEST_F(FaultFsTest, EioFailsTheWriteWritesNothingAndNamesFileAndOffset) {
  auto fault_fs = Make("write <root>/a nth=2 eio");
  auto file = OpenNew(*fault_fs, "a");
  ASSERT_TRUE(file->WriteAt(0, Bytes("first")).ok());
  const Status status = file->WriteAt(5, Bytes("second"));
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_NE(status.message().find("injected eio: write " + Path("a") + " at offset 5"),
            std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("fault rule 0"), std::string::npos) << status.message();
  EXPECT_EQ(ReadAll("a"), "first");
  EXPECT_EQ(fault_fs->fired_counts()[0], 1u);
  EXPECT_TRUE(file->WriteAt(5, Bytes("third")).ok());  // nth fires once
}

TEST_F(FaultFsTest, EioReachesTheCallerOfEveryOperationKind) {
  // One rule per kind, each firing on its first operation of that kind.
  std::string plan_text;
  for (const OpKindInfo& info : kOpKindTable) {
    plan_text += std::string(info.name) + " * nth=1 eio\n";
  }
  auto fault_fs = Make(plan_text);
  // Set up through the inner filesystem, so only the operations below count.
  ASSERT_TRUE(posix_.MkDir(Path("d")).ok());
  { ASSERT_NE(OpenNew(posix_, "f"), nullptr); }

  auto expect_eio = [&](OpKind kind, const Status& status) {
    EXPECT_EQ(status.code(), StatusCode::kIoError) << OpKindName(kind) << ": " << status.ToString();
    EXPECT_EQ(fault_fs->fired_counts()[static_cast<size_t>(kind)], 1u) << OpKindName(kind);
  };
  expect_eio(OpKind::kOpen, fault_fs->Open(Path("f"), {}).status());
  expect_eio(OpKind::kRemove, fault_fs->Remove(Path("f")));
  expect_eio(OpKind::kRename, fault_fs->Rename(Path("f"), Path("g")));
  expect_eio(OpKind::kList, fault_fs->List(root_).status());
  expect_eio(OpKind::kMkDir, fault_fs->MkDir(Path("e")));
  expect_eio(OpKind::kStat, fault_fs->Stat(Path("f")).status());
  expect_eio(OpKind::kSyncDir, fault_fs->SyncDir(root_));
  expect_eio(OpKind::kLock, fault_fs->Lock(Path("f")).status());

  auto file = fault_fs->Open(Path("f"), {});
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  std::vector<uint8_t> buffer(8);
  expect_eio(OpKind::kRead, (*file)->ReadAt(0, buffer).status());
  expect_eio(OpKind::kWrite, (*file)->WriteAt(0, Bytes("x")));
  expect_eio(OpKind::kAppend, (*file)->Append(Bytes("x")));
  expect_eio(OpKind::kTruncate, (*file)->Truncate(10));
  expect_eio(OpKind::kAllocate, (*file)->Allocate(0, 10, fs::AllocateMode::kKeepSize));
  expect_eio(OpKind::kSync, (*file)->Sync());
  expect_eio(OpKind::kSyncData, (*file)->SyncData());
  expect_eio(OpKind::kSize, (*file)->Size().status());
  expect_eio(OpKind::kClose, (*file)->Close());

  auto lock = fault_fs->Lock(Path("f"));
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  expect_eio(OpKind::kUnlock, (*lock)->Unlock());
  EXPECT_TRUE((*lock)->Unlock().ok());
  // Nothing above reached the disk.
  EXPECT_EQ(ReadAll("f"), "");
  EXPECT_FALSE(std::filesystem::exists(Path("e")));
  EXPECT_FALSE(std::filesystem::exists(Path("g")));
}

TEST_F(FaultFsTest, EnospcFailsWithNoSpaceAndAllocatesNothing) {
  auto fault_fs = Make("allocate * enospc\nmkdir * enospc");
  auto file = OpenNew(*fault_fs, "a");
  const Status status = file->Allocate(0, 1 << 20, fs::AllocateMode::kExtendSize);
  EXPECT_EQ(status.code(), StatusCode::kNoSpace);
  EXPECT_NE(status.message().find("injected enospc: allocate " + Path("a") + " at offset 0"),
            std::string::npos)
      << status.message();
  EXPECT_EQ(file->Size().value(), 0u);
  EXPECT_EQ(fault_fs->MkDir(Path("d")).code(), StatusCode::kNoSpace);
  EXPECT_EQ(fault_fs->fired_counts()[0], 1u);
  EXPECT_EQ(fault_fs->fired_counts()[1], 1u);
}

TEST_F(FaultFsTest, ShortWriteWritesASeededStrictPrefixAndReportsIt) {
  const std::string data(1000, 'w');
  std::vector<size_t> written_sizes;
  for (int run = 0; run < 2; run++) {
    const std::string name = "short" + std::to_string(run);
    auto fault_fs = Make("write * nth=1 short", /*seed=*/77);
    auto file = OpenNew(*fault_fs, name);
    const Status status = file->WriteAt(0, Bytes(data));
    EXPECT_EQ(status.code(), StatusCode::kIoError);
    const std::string written = ReadAll(name);
    EXPECT_LT(written.size(), data.size());
    EXPECT_EQ(written, data.substr(0, written.size()));
    EXPECT_NE(
        status.message().find("injected short write: wrote " + std::to_string(written.size()) +
                              " of 1000 bytes: write " + Path(name) + " at offset 0"),
        std::string::npos)
        << status.message();
    EXPECT_EQ(fault_fs->fired_counts()[0], 1u);
    written_sizes.push_back(written.size());
  }
  EXPECT_EQ(written_sizes[0], written_sizes[1]);  // same seed, same prefix
}

TEST_F(FaultFsTest, ShortAppendAppendsAStrictPrefix) {
  auto fault_fs = Make("append * short", /*seed=*/5);
  auto file = OpenNew(*fault_fs, "a");
  const Status status = file->Append(Bytes("0123456789"));
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  const std::string written = ReadAll("a");
  EXPECT_LT(written.size(), 10u);
  EXPECT_EQ(written, std::string("0123456789").substr(0, written.size()));
}

TEST_F(FaultFsTest, FsyncEioWithoutADeviceFailsTheSyncOnly) {
  auto fault_fs = Make("syncdata * nth=1 fsync-eio");
  auto file = OpenNew(*fault_fs, "a");
  ASSERT_TRUE(file->WriteAt(0, Bytes("data")).ok());
  const Status status = file->SyncData();
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_NE(status.message().find("injected fsync-eio: syncdata " + Path("a")), std::string::npos)
      << status.message();
  EXPECT_TRUE(file->SyncData().ok());
  EXPECT_EQ(ReadAll("a"), "data");  // live data stays visible
}

TEST_F(FaultFsTest, CrashFailsTheOperationThenEverythingUntilReset) {
  auto fault_fs = Make("write * nth=2 crash");
  auto file = OpenNew(*fault_fs, "a");
  ASSERT_TRUE(file->WriteAt(0, Bytes("kept")).ok());
  const Status crash = file->WriteAt(4, Bytes("lost"));
  EXPECT_EQ(crash.code(), StatusCode::kIoError);
  EXPECT_NE(crash.message().find("crashed at write " + Path("a") + " at offset 4"),
            std::string::npos)
      << crash.message();
  EXPECT_TRUE(fault_fs->crashed());
  EXPECT_EQ(fault_fs->fired_counts()[0], 1u);
  const uint64_t op_count_at_crash = fault_fs->op_count();

  EXPECT_EQ(file->Sync().code(), StatusCode::kClosed);
  const Status refused = fault_fs->Stat(Path("a")).status();
  EXPECT_EQ(refused.code(), StatusCode::kClosed);
  EXPECT_NE(refused.message().find("crashed"), std::string::npos) << refused.message();
  EXPECT_EQ(fault_fs->op_count(), op_count_at_crash);  // refused operations are not numbered

  fault_fs->ResetAfterCrash();
  EXPECT_FALSE(fault_fs->crashed());
  // The old handle belongs to the crashed process: closed for good.
  const Status stale = file->WriteAt(0, Bytes("x"));
  EXPECT_EQ(stale.code(), StatusCode::kClosed);
  EXPECT_NE(stale.message().find("before a crash"), std::string::npos) << stale.message();
  auto reopened = fault_fs->Open(Path("a"), {});
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ(ReadAll("a"), "kept");  // a process crash keeps what the kernel has
}

TEST_F(FaultFsTest, EveryAppliedFaultIsTracedAndTheTraceIsAFunctionOfTheSeed) {
  std::vector<uint64_t> hashes;
  std::vector<std::vector<std::string>> traces;
  for (uint64_t seed : {5, 5, 6}) {
    auto fault_fs = Make("write * p=0.3 eio\nsync * nth=2 fsync-eio", seed);
    auto file = OpenNew(*fault_fs, "a");
    for (int i = 0; i < 40; i++) {
      (void)file->WriteAt(0, Bytes("x"));
      (void)file->Sync();
    }
    EXPECT_EQ(fault_fs->trace().size(), fault_fs->fired_counts()[0] + fault_fs->fired_counts()[1]);
    hashes.push_back(fault_fs->trace_hash());
    traces.push_back(fault_fs->trace());
  }
  ASSERT_FALSE(traces[0].empty());
  EXPECT_EQ(traces[0][0].rfind("fault eio emulated: write " + Path("a") + " at offset 0", 0), 0u)
      << traces[0][0];
  EXPECT_EQ(traces[0], traces[1]);
  EXPECT_EQ(hashes[0], hashes[1]);
  EXPECT_NE(hashes[0], hashes[2]);
}

TEST_F(FaultFsTest, OperationsAreNumberedAcrossTheFileSystemAndItsHandles) {
  auto fault_fs = Make("any * after=3 eio");
  auto file = OpenNew(*fault_fs, "a");                   // 1
  ASSERT_TRUE(file->WriteAt(0, Bytes("x")).ok());        // 2
  ASSERT_TRUE(fault_fs->Stat(Path("a")).ok());           // 3
  EXPECT_EQ(file->Sync().code(), StatusCode::kIoError);  // 4
  EXPECT_EQ(fault_fs->op_count(), 4u);
  EXPECT_EQ(fault_fs->matched_counts()[0], 1u);
}

TEST_F(FaultFsTest, AClosedFileAnswersClosedWithoutConsultingThePlan) {
  auto fault_fs = Make("write * eio");
  auto file = OpenNew(*fault_fs, "a");
  ASSERT_TRUE(file->Close().ok());
  EXPECT_EQ(file->WriteAt(0, Bytes("x")).code(), StatusCode::kClosed);
  EXPECT_EQ(file->Close().code(), StatusCode::kClosed);
  EXPECT_EQ(fault_fs->matched_counts()[0], 0u);
}

TEST_F(FaultFsTest, DiskOnlyEffectWithoutADeviceIsRefusedAtCreate) {
  Result<FaultPlan> plan = ParsePlan("write * eio\nread /x/* nth=1 bitrot\n");
  ASSERT_TRUE(plan.ok());
  Result<std::unique_ptr<FaultFs>> fault_fs = FaultFs::Create(posix_, *plan, Rng(1));
  ASSERT_FALSE(fault_fs.ok());
  EXPECT_EQ(fault_fs.status().code(), StatusCode::kNotSupported);
  EXPECT_EQ(fault_fs.status().message(),
            "fault rule 1 (\"read /x/* nth=1 bitrot\"): effect bitrot on read needs a simulated "
            "disk that produces it (DeviceFaults); none was given");
}

TEST_F(FaultFsTest, DiskOnlyEffectsGoToTheDeviceWithTheOperation) {
  RecordingDevice device;
  auto fault_fs = Make("read * nth=1 latent\nsync * fsync-lie\nwrite * misdirect", 1, &device);
  auto file = OpenNew(*fault_fs, "a");
  ASSERT_TRUE(file->WriteAt(512, Bytes("abc")).ok());  // armed, then issued
  std::vector<uint8_t> buffer(16);
  ASSERT_TRUE(file->ReadAt(500, buffer).ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_EQ(device.calls.size(), 3u);
  EXPECT_EQ(device.calls[0].effect, Effect::kMisdirect);
  EXPECT_EQ(device.calls[0].kind, OpKind::kWrite);
  EXPECT_EQ(device.calls[0].path, Path("a"));
  EXPECT_EQ(device.calls[0].offset, 512u);
  EXPECT_EQ(device.calls[0].length_bytes, 3u);
  EXPECT_EQ(device.calls[1].effect, Effect::kLatent);
  EXPECT_EQ(device.calls[1].offset, 500u);
  EXPECT_EQ(device.calls[1].length_bytes, 16u);
  EXPECT_EQ(device.calls[2].effect, Effect::kFsyncLie);
  EXPECT_EQ(fault_fs->fired_counts()[0], 1u);
  EXPECT_EQ(fault_fs->fired_counts()[1], 1u);
  EXPECT_EQ(fault_fs->fired_counts()[2], 1u);
  EXPECT_EQ(ReadAll("a").substr(512), "abc");  // the (recording) device changed nothing
}

TEST_F(FaultFsTest, DeviceThatCannotApplyLeavesTheOperationUnharmedAndUncounted) {
  RecordingDevice device;
  device.next_status = Status::FailedPrecondition("nothing to rot");
  auto fault_fs = Make("size * bitrot", 1, &device);
  auto file = OpenNew(*fault_fs, "a");
  EXPECT_TRUE(file->Size().ok());
  EXPECT_EQ(device.calls.size(), 1u);
  EXPECT_EQ(fault_fs->fired_counts()[0], 0u);
  EXPECT_EQ(fault_fs->matched_counts()[0], 1u);

  device.next_status = Status::IoError("device broke");
  const Status status = file->Size().status();
  EXPECT_EQ(status, Status::IoError("device broke"));
}

TEST_F(FaultFsTest, CrashWithADeviceCrashesTheDiskToo) {
  RecordingDevice device;
  auto fault_fs = Make("syncdir * crash", 1, &device);
  EXPECT_EQ(fault_fs->SyncDir(root_).code(), StatusCode::kIoError);
  ASSERT_EQ(device.calls.size(), 1u);
  EXPECT_EQ(device.calls[0].effect, Effect::kCrash);
  EXPECT_TRUE(fault_fs->crashed());
}

TEST_F(FaultFsTest, EmulatedEffectsStayInFaultFsWhenTheDeviceDeclinesThem) {
  RecordingDevice device;  // declines eio and enospc
  auto fault_fs = Make("stat * eio", 1, &device);
  EXPECT_EQ(fault_fs->Stat(root_).status().code(), StatusCode::kIoError);
  EXPECT_TRUE(device.calls.empty());
  EXPECT_EQ(fault_fs->fired_counts()[0], 1u);
}

}  // namespace
}  // namespace walsim::faults
