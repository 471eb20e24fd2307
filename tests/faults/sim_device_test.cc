// SimDevice (scenarios/world/sim_device.h): FaultFs over the simulated disk, with
// the disk-only effects produced by SimFs itself.
#include "scenarios/world/sim_device.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <string>
#include <vector>

#include "faults/fault_fs.h"
#include "faults/plan_text.h"
#include "sim/sim_fs.h"

namespace walsim::scenarios {
namespace {

using faults::FaultFs;

std::span<const uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

class SimDeviceTest : public ::testing::Test {
 protected:
  // A fresh SimFs, its SimDevice and a FaultFs over both applying plan_text.
  void Build(std::string_view plan_text, uint64_t seed = 1) {
    fault_fs_.reset();
    device_.reset();
    sim::SimOptions options;
    options.seed = seed;
    sim_ = std::make_unique<sim::SimFs>(options);
    sim_->set_trace_enabled(true);
    const Rng rng(seed);
    device_ = std::make_unique<SimDevice>(*sim_, rng);
    Result<faults::FaultPlan> plan = faults::ParsePlan(plan_text);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    Result<std::unique_ptr<FaultFs>> fault_fs =
        FaultFs::Create(*sim_, std::move(plan).value(), rng, device_.get());
    ASSERT_TRUE(fault_fs.ok()) << fault_fs.status().ToString();
    fault_fs_ = std::move(fault_fs).value();
  }

  std::unique_ptr<fs::File> OpenNew(std::string_view path) {
    Result<std::unique_ptr<fs::File>> file = fault_fs_->Open(path, {.create = true});
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    return file.ok() ? std::move(file).value() : nullptr;
  }

  // Writes data to /f through the inner SimFs and makes it durable.
  void WriteDurable(std::string_view data) {
    Result<std::unique_ptr<fs::File>> file = sim_->Open("/f", {.create = true});
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->WriteAt(0, Bytes(data)).ok());
    ASSERT_TRUE((*file)->Sync().ok());
    ASSERT_TRUE(sim_->SyncDir("/").ok());
  }

  std::string Durable(std::string_view path) {
    Result<std::string> durable = sim_->ReadDurable(path);
    EXPECT_TRUE(durable.ok()) << durable.status().ToString();
    return durable.ok() ? *durable : "";
  }

  std::unique_ptr<sim::SimFs> sim_;
  std::unique_ptr<SimDevice> device_;
  std::unique_ptr<FaultFs> fault_fs_;
};

TEST_F(SimDeviceTest, FsyncEioLeavesDataLiveButNotDurableAndTheRetryLies) {
  Build("sync /f nth=1 fsync-eio");
  auto file = OpenNew("/f");
  ASSERT_TRUE(file->WriteAt(0, Bytes("acknowledged?")).ok());
  EXPECT_EQ(file->Sync().code(), StatusCode::kIoError);
  EXPECT_EQ(fault_fs_->fired_counts()[0], 1u);
  // Linux semantics: the pages were marked clean; the retry returns OK.
  EXPECT_TRUE(file->Sync().ok());
  std::vector<uint8_t> buffer(13);
  ASSERT_EQ(file->ReadAt(0, buffer).value(), 13u);  // still live
  EXPECT_EQ(Durable("/f"), "");                     // never durable
}

TEST_F(SimDeviceTest, FsyncLieReturnsOkAndMakesNothingDurable) {
  Build("syncdata * fsync-lie");
  auto file = OpenNew("/f");
  ASSERT_TRUE(file->WriteAt(0, Bytes("lost")).ok());
  EXPECT_TRUE(file->SyncData().ok());
  EXPECT_EQ(fault_fs_->fired_counts()[0], 1u);
  EXPECT_EQ(Durable("/f"), "");
}

TEST_F(SimDeviceTest, BitrotFlipsOneDurableBitInsideTheReadRange) {
  Build("read /f nth=1 bitrot");
  const std::string data(4096, 'a');
  WriteDurable(data);
  Result<std::unique_ptr<fs::File>> file = fault_fs_->Open("/f", {});
  ASSERT_TRUE(file.ok());
  std::vector<uint8_t> buffer(100);
  ASSERT_EQ((*file)->ReadAt(1000, buffer).value(), 100u);
  EXPECT_EQ(fault_fs_->fired_counts()[0], 1u);
  const std::string durable = Durable("/f");
  ASSERT_EQ(durable.size(), data.size());
  int flipped_bits = 0;
  size_t flipped_index = 0;
  for (size_t i = 0; i < data.size(); i++) {
    const int bits =
        std::popcount(static_cast<unsigned>(static_cast<uint8_t>(durable[i] ^ data[i])));
    if (bits != 0) flipped_index = i;
    flipped_bits += bits;
  }
  EXPECT_EQ(flipped_bits, 1);
  EXPECT_GE(flipped_index, 1000u);
  EXPECT_LT(flipped_index, 1100u);
  // The read saw the rot.
  EXPECT_NE(std::string(buffer.begin(), buffer.end()), std::string(100, 'a'));
}

TEST_F(SimDeviceTest, BitrotWithoutARangeMostlyHitsTheDataOfAPreallocatedFile) {
  // 1000 bytes of records at the front of a 64 KiB zero-filled segment: a
  // uniform flip would land in the data 1.5% of the time.
  constexpr size_t kDataBytes = 1000;
  constexpr uint64_t kSeedCount = 40;
  size_t in_data = 0;
  for (uint64_t seed = 1; seed <= kSeedCount; seed++) {
    Build("size /f nth=1 bitrot", seed);
    const std::string data(kDataBytes, 'r');
    WriteDurable(data + std::string(64 * 1024 - kDataBytes, '\0'));
    Result<std::unique_ptr<fs::File>> file = fault_fs_->Open("/f", {});
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Size().ok());
    ASSERT_EQ(fault_fs_->fired_counts()[0], 1u);
    const std::string durable = Durable("/f");
    const size_t changed = durable.find_first_not_of(std::string_view("r", 1), 0);
    if (changed < kDataBytes) in_data++;
  }
  // 7 in 8 aim at the data extent: 35 of 40 expected.
  EXPECT_GE(in_data, 28u);
  EXPECT_LT(in_data, kSeedCount) << "some flips still land anywhere in the file";
}

TEST_F(SimDeviceTest, BitrotOnAFileWithNothingDurableDoesNotFire) {
  Build("size * bitrot");
  auto file = OpenNew("/f");
  ASSERT_TRUE(file->WriteAt(0, Bytes("live only")).ok());
  EXPECT_EQ(file->Size().value(), 9u);
  EXPECT_EQ(fault_fs_->fired_counts()[0], 0u);
  EXPECT_EQ(fault_fs_->matched_counts()[0], 1u);
}

TEST_F(SimDeviceTest, LatentSectorErrorFailsTheReadAndStaysSticky) {
  Build("read /f nth=1 latent");
  WriteDurable(std::string(2048, 'z'));
  Result<std::unique_ptr<fs::File>> file = fault_fs_->Open("/f", {});
  ASSERT_TRUE(file.ok());
  std::vector<uint8_t> buffer(10);
  const Status first = (*file)->ReadAt(1030, buffer).status();  // sector 2 of 512-byte sectors
  EXPECT_EQ(first.code(), StatusCode::kIoError) << first.ToString();
  EXPECT_EQ(fault_fs_->fired_counts()[0], 1u);
  EXPECT_EQ((*file)->ReadAt(1030, buffer).status().code(), StatusCode::kIoError);
  EXPECT_TRUE((*file)->ReadAt(0, buffer).ok());  // other sectors read fine
}

TEST_F(SimDeviceTest, MisdirectedWriteReturnsOkButLandsElsewhere) {
  Build("write /f nth=2 misdirect", /*seed=*/3);
  auto file = OpenNew("/f");
  ASSERT_TRUE(file->WriteAt(0, Bytes(std::string(4096, '.'))).ok());
  ASSERT_TRUE(file->WriteAt(0, Bytes(std::string(512, 'M'))).ok());
  EXPECT_EQ(fault_fs_->fired_counts()[0], 1u);
  std::vector<uint8_t> buffer(512);
  ASSERT_EQ(file->ReadAt(0, buffer).value(), 512u);
  EXPECT_NE(std::string(buffer.begin(), buffer.end()), std::string(512, 'M'));
}

TEST_F(SimDeviceTest, WriteFaultsAreProducedByTheDisk) {
  // Each rule counts only the writes the rules before it let through.
  Build("write /f nth=1 eio\nwrite /f nth=1 enospc\nwrite /f nth=1 short");
  auto file = OpenNew("/f");
  EXPECT_EQ(file->WriteAt(0, Bytes("one")).code(), StatusCode::kIoError);
  EXPECT_EQ(file->WriteAt(0, Bytes("two")).code(), StatusCode::kNoSpace);
  EXPECT_EQ(file->WriteAt(0, Bytes("three")).code(), StatusCode::kIoError);
  EXPECT_LT(file->Size().value(), 5u);
  EXPECT_EQ(fault_fs_->fired_counts()[0], 1u);
  EXPECT_EQ(fault_fs_->fired_counts()[1], 1u);
  EXPECT_EQ(fault_fs_->fired_counts()[2], 1u);
  // The disk produced them, and its trace says so.
  for (std::string_view kind : {"write_eio", "no_space", "short_write"}) {
    const std::string wanted = "fault kind=" + std::string(kind) + " path=/f source=injected";
    EXPECT_TRUE(std::any_of(
        sim_->trace().begin(), sim_->trace().end(),
        [&](const std::string& line) { return line.find(wanted) != std::string::npos; }))
        << wanted;
  }
}

TEST_F(SimDeviceTest, CrashLosesUnsyncedDataAndFailsStopUntilReset) {
  Build("syncdir / nth=1 crash");
  WriteDurable("durable");
  auto file = OpenNew("/g");
  ASSERT_TRUE(file->WriteAt(0, Bytes("unsynced")).ok());
  EXPECT_EQ(fault_fs_->SyncDir("/").code(), StatusCode::kIoError);
  EXPECT_TRUE(fault_fs_->crashed());
  EXPECT_EQ(sim_->crash_count(), 1u);
  EXPECT_EQ(file->Sync().code(), StatusCode::kClosed);
  fault_fs_->ResetAfterCrash();
  // /g's entry never became durable: gone. /f survived.
  EXPECT_EQ(fault_fs_->Stat("/g").status().code(), StatusCode::kNotFound);
  Result<fs::FileInfo> kept = fault_fs_->Stat("/f");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->size_bytes, 7u);
}

TEST_F(SimDeviceTest, SameSeedGivesTheSameDamageAndTrace) {
  std::vector<std::string> durables;
  std::vector<uint64_t> hashes;
  for (int run = 0; run < 2; run++) {
    Build("read /f every=2 bitrot\nwrite /g p=0.5 short", /*seed=*/21);
    WriteDurable(std::string(8192, 'q'));
    Result<std::unique_ptr<fs::File>> file = fault_fs_->Open("/f", {});
    ASSERT_TRUE(file.ok());
    std::vector<uint8_t> buffer(512);
    for (uint64_t i = 0; i < 8; i++) ASSERT_TRUE((*file)->ReadAt(i * 1024, buffer).ok());
    auto g = OpenNew("/g");
    for (int i = 0; i < 8; i++) (void)g->Append(Bytes("append"));
    durables.push_back(Durable("/f"));
    hashes.push_back(sim_->trace_hash());
  }
  EXPECT_EQ(durables[0], durables[1]);
  EXPECT_NE(durables[0], std::string(8192, 'q'));
  EXPECT_EQ(hashes[0], hashes[1]);
}

TEST_F(SimDeviceTest, EffectsTheDiskDoesNotProduceAreEmulatedOrRefused) {
  // fsync-eio on a directory sync: FaultFs fails it itself.
  Build("syncdir * fsync-eio");
  EXPECT_EQ(fault_fs_->SyncDir("/").code(), StatusCode::kIoError);
  EXPECT_EQ(fault_fs_->fired_counts()[0], 1u);
  // A lying directory sync is not something this disk can do.
  Result<faults::FaultPlan> plan = faults::ParsePlan("syncdir * fsync-lie");
  ASSERT_TRUE(plan.ok());
  Result<std::unique_ptr<FaultFs>> refused = FaultFs::Create(*sim_, *plan, Rng(1), device_.get());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kNotSupported);
  EXPECT_NE(refused.status().message().find("the one given does not"), std::string::npos)
      << refused.status().message();
}

}  // namespace
}  // namespace walsim::scenarios
