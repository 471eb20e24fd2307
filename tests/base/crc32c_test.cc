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

// The hardware path switches between one stream and three interleaved lanes
// of 64 B, 256 B and 8 KiB at multiples of three lanes; lengths up to 64 KiB
// at every start alignment cross all of those boundaries and their tails.
RC_GTEST_FIXTURE_PROP(Crc32cTest, HardwareAndPortableAgreeOnLongBuffersAtAnyAlignment, ()) {
  if (!Crc32cHardwareAvailable()) RC_SUCCEED("CPU has no SSE4.2 crc32 instruction");
  constexpr size_t kLengthBytesMax = 64 * 1024 + 64;
  const size_t length_bytes = *rc::gen::oneOf(rc::gen::inRange<size_t>(0, kLengthBytesMax + 1),
                                              rc::gen::inRange<size_t>(0, 1024));
  const size_t start_index = *rc::gen::inRange<size_t>(0, 8);
  const uint32_t start_crc = *rc::gen::arbitrary<uint32_t>();
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  std::vector<uint8_t> buffer(start_index + length_bytes);
  uint64_t state = seed | 1;
  for (uint8_t& byte : buffer) {  // xorshift: rapidcheck is slow at 64 KiB vectors
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    byte = static_cast<uint8_t>(state >> 56);
  }
  const std::span<const uint8_t> data = std::span<const uint8_t>(buffer).subspan(start_index);
  RC_ASSERT(Crc32cExtendHardware(start_crc, data) == Crc32cExtendPortable(start_crc, data));
  RC_ASSERT(Crc32cExtend(start_crc, data) == Crc32cExtendPortable(start_crc, data));
}

// Lengths at and around every lane-round boundary, each on all-ones data
// (any combining error shows) and from a non-zero running value.
TEST_F(Crc32cTest, HardwareMatchesPortableAtEveryLaneBoundary) {
  if (!Crc32cHardwareAvailable()) GTEST_SKIP() << "CPU has no SSE4.2 crc32 instruction";
  const std::vector<uint8_t> ones = Filled(3 * 8192 * 2 + 3 * 256 + 3 * 64 + 16, 0xFF);
  size_t checked_count = 0;
  for (size_t lane_bytes : {size_t{64}, size_t{256}, size_t{8192}}) {
    for (size_t rounds = 1; rounds <= 2; rounds++) {
      for (size_t delta = 0; delta < 16; delta++) {
        const size_t length_bytes = 3 * lane_bytes * rounds + delta - 8;
        const auto data = std::span<const uint8_t>(ones).first(length_bytes);
        EXPECT_EQ(Crc32cExtendHardware(0x12345678u, data), Crc32cExtendPortable(0x12345678u, data))
            << "length " << length_bytes;
        checked_count++;
      }
    }
  }
  EXPECT_EQ(checked_count, 3u * 2u * 16u);
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
