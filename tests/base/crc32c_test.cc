// CRC-32C: published vectors, agreement of the two implementations, and the
// running-checksum (Extend) contract the etcd WAL depends on.
#include "base/crc32c.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "base/coding.h"

namespace walsim {
namespace {

class Crc32cTest : public ::testing::Test {
 protected:
  static std::vector<uint8_t> Filled(size_t size_bytes, uint8_t value) {
    return std::vector<uint8_t>(size_bytes, value);
  }
  static std::vector<uint8_t> Ascending() {
    std::vector<uint8_t> bytes(32);
    std::iota(bytes.begin(), bytes.end(), uint8_t{0});
    return bytes;
  }
  static std::vector<uint8_t> Descending() {
    std::vector<uint8_t> bytes = Ascending();
    std::reverse(bytes.begin(), bytes.end());
    return bytes;
  }
};

// RFC 3720 (iSCSI), appendix B.4, and the customary "123456789" check value.
TEST_F(Crc32cTest, MatchesPublishedVectors) {
  EXPECT_EQ(Crc32c(Filled(32, 0x00)), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(Filled(32, 0xFF)), 0x62A8AB43u);
  EXPECT_EQ(Crc32c(Ascending()), 0x46DD794Eu);
  EXPECT_EQ(Crc32c(Descending()), 0x113FDB5Cu);
  EXPECT_EQ(Crc32c(AsBytes(std::string("123456789"))), 0xE3069283u);
}

TEST_F(Crc32cTest, PortableImplementationMatchesPublishedVectors) {
  EXPECT_EQ(Crc32cExtendPortable(0, Filled(32, 0x00)), 0x8A9136AAu);
  EXPECT_EQ(Crc32cExtendPortable(0, Filled(32, 0xFF)), 0x62A8AB43u);
  EXPECT_EQ(Crc32cExtendPortable(0, Ascending()), 0x46DD794Eu);
  EXPECT_EQ(Crc32cExtendPortable(0, Descending()), 0x113FDB5Cu);
  EXPECT_EQ(Crc32cExtendPortable(0, AsBytes(std::string("123456789"))), 0xE3069283u);
}

TEST_F(Crc32cTest, HardwareImplementationMatchesPublishedVectors) {
  if (!Crc32cHardwareAvailable()) GTEST_SKIP() << "CPU has no SSE4.2 crc32 instruction";
  EXPECT_EQ(Crc32cExtendHardware(0, Filled(32, 0x00)), 0x8A9136AAu);
  EXPECT_EQ(Crc32cExtendHardware(0, Filled(32, 0xFF)), 0x62A8AB43u);
  EXPECT_EQ(Crc32cExtendHardware(0, Ascending()), 0x46DD794Eu);
  EXPECT_EQ(Crc32cExtendHardware(0, Descending()), 0x113FDB5Cu);
  EXPECT_EQ(Crc32cExtendHardware(0, AsBytes(std::string("123456789"))), 0xE3069283u);
}

TEST_F(Crc32cTest, EmptyInputLeavesTheRunningValueUnchanged) {
  EXPECT_EQ(Crc32c({}), 0u);
  EXPECT_EQ(Crc32cExtend(0xE3069283u, {}), 0xE3069283u);
}

TEST_F(Crc32cTest, HardwareAndPortableAgreeOnEveryInputAndStartValue) {
  if (!Crc32cHardwareAvailable()) GTEST_SKIP() << "CPU has no SSE4.2 crc32 instruction";
  EXPECT_TRUE(rc::check([](const std::vector<uint8_t>& data, uint32_t start) {
    // A split anywhere exercises the unaligned head and tail of both loops.
    const size_t split_index = *rc::gen::inRange<size_t>(0, data.size() + 1);
    std::span<const uint8_t> all(data);
    const uint32_t hardware = Crc32cExtendHardware(
        Crc32cExtendHardware(start, all.first(split_index)), all.subspan(split_index));
    RC_ASSERT(hardware == Crc32cExtendPortable(start, all));
  }));
}

RC_GTEST_FIXTURE_PROP(Crc32cTest, ExtendChainingEqualsOneShotAtEverySplitPoint,
                      (const std::vector<uint8_t>& data)) {
  const size_t split_index = *rc::gen::inRange<size_t>(0, data.size() + 1);
  std::span<const uint8_t> all(data);
  const uint32_t chained =
      Crc32cExtend(Crc32cExtend(0, all.first(split_index)), all.subspan(split_index));
  RC_ASSERT(chained == Crc32c(all));
  RC_ASSERT(Crc32cExtendPortable(Crc32cExtendPortable(0, all.first(split_index)),
                                 all.subspan(split_index)) == Crc32c(all));
}

RC_GTEST_FIXTURE_PROP(Crc32cTest, ChainingOverManyPiecesEqualsOneShot,
                      (const std::vector<std::vector<uint8_t>>& pieces)) {
  std::vector<uint8_t> joined;
  uint32_t running = 0;
  for (const auto& piece : pieces) {
    running = Crc32cExtend(running, piece);
    joined.insert(joined.end(), piece.begin(), piece.end());
  }
  RC_ASSERT(running == Crc32c(joined));
}

RC_GTEST_FIXTURE_PROP(Crc32cTest, AnySingleBitFlipChangesTheChecksum,
                      (const std::vector<uint8_t>& data)) {
  RC_PRE(!data.empty());
  std::vector<uint8_t> flipped = data;
  const size_t bit_index = *rc::gen::inRange<size_t>(0, data.size() * 8);
  flipped[bit_index / 8] ^= static_cast<uint8_t>(1u << (bit_index % 8));
  RC_ASSERT(Crc32c(flipped) != Crc32c(data));
}

}  // namespace
}  // namespace walsim
