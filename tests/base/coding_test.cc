// Byte coding: fixed-width little-endian integers and protobuf varints
// round-trip, and decoding refuses truncated or over-long input without
// reading past its span.
#include "base/coding.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace walsim {
namespace {

class CodingTest : public ::testing::Test {
 protected:
  static std::vector<uint8_t> Varint(uint64_t value) {
    std::string out;
    PutVarint64(&out, value);
    return {out.begin(), out.end()};
  }
};

TEST_F(CodingTest, FixedWidthIsLittleEndian) {
  std::string out;
  PutFixed32(&out, 0x04030201u);
  PutFixed64(&out, 0x0C0B0A0908070605ull);
  const std::vector<uint8_t> expected = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.end()), expected);
}

TEST_F(CodingTest, VarintMatchesTheProtobufWireEncoding) {
  EXPECT_EQ(Varint(0), std::vector<uint8_t>({0x00}));
  EXPECT_EQ(Varint(1), std::vector<uint8_t>({0x01}));
  EXPECT_EQ(Varint(127), std::vector<uint8_t>({0x7F}));
  EXPECT_EQ(Varint(300), std::vector<uint8_t>({0xAC, 0x02}));
  std::vector<uint8_t> max(9, 0xFF);
  max.push_back(0x01);
  EXPECT_EQ(Varint(UINT64_MAX), max);
  EXPECT_EQ(VarintLength(UINT64_MAX), kVarint64LengthMax);
}

RC_GTEST_FIXTURE_PROP(CodingTest, FixedWidthRoundTrips, (uint32_t small, uint64_t large)) {
  uint8_t buffer[12];
  EncodeFixed32(buffer, small);
  EncodeFixed64(buffer + 4, large);
  RC_ASSERT(DecodeFixed32(buffer) == small);
  RC_ASSERT(DecodeFixed64(buffer + 4) == large);
}

RC_GTEST_FIXTURE_PROP(CodingTest, VarintRoundTripsAndAdvancesTheOffset,
                      (uint64_t value, const std::vector<uint8_t>& prefix)) {
  std::string encoded(prefix.begin(), prefix.end());
  PutVarint64(&encoded, value);
  RC_ASSERT(encoded.size() == prefix.size() + VarintLength(value));
  size_t offset = prefix.size();
  const std::optional<uint64_t> decoded = DecodeVarint64(AsBytes(encoded), &offset);
  RC_ASSERT(decoded.has_value());
  RC_ASSERT(*decoded == value);
  RC_ASSERT(offset == encoded.size());
}

RC_GTEST_FIXTURE_PROP(CodingTest, TruncatedVarintIsRejectedAndOffsetUnchanged, (uint64_t value)) {
  const std::vector<uint8_t> encoded = Varint(value);
  const size_t cut_size = *rc::gen::inRange<size_t>(0, encoded.size());
  std::span<const uint8_t> truncated(encoded.data(), cut_size);
  size_t offset = 0;
  RC_ASSERT(!DecodeVarint64(truncated, &offset).has_value());
  RC_ASSERT(offset == 0u);
}

RC_GTEST_FIXTURE_PROP(CodingTest, VarintLongerThanTenBytesIsRejected, (uint8_t last)) {
  // Ten continuation bytes: no valid 64-bit varint is that long.
  std::vector<uint8_t> overlong(kVarint64LengthMax, 0x80);
  overlong.push_back(last);
  size_t offset = 0;
  RC_ASSERT(!DecodeVarint64(overlong, &offset).has_value());
  RC_ASSERT(offset == 0u);
}

TEST_F(CodingTest, VarintOverflowingSixtyFourBitsIsRejected) {
  // Ten bytes whose last carries more than the one bit left after 63.
  std::vector<uint8_t> overflowing(9, 0xFF);
  overflowing.push_back(0x02);
  size_t offset = 0;
  EXPECT_FALSE(DecodeVarint64(overflowing, &offset).has_value());
  EXPECT_EQ(offset, 0u);
  overflowing.back() = 0x01;  // exactly UINT64_MAX is fine
  const std::optional<uint64_t> decoded = DecodeVarint64(overflowing, &offset);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, UINT64_MAX);
  EXPECT_EQ(offset, kVarint64LengthMax);
}

TEST_F(CodingTest, DecodingAtTheEndOfInputIsRejected) {
  const std::vector<uint8_t> encoded = Varint(5);
  size_t offset = encoded.size();
  EXPECT_FALSE(DecodeVarint64(encoded, &offset).has_value());
  EXPECT_EQ(offset, encoded.size());
}

TEST_F(CodingTest, Hex64ReadsExactlySixteenLowercaseDigits) {
  EXPECT_EQ(DecodeHex64("0000000000000000"), 0u);
  EXPECT_EQ(DecodeHex64("00000000000000ff"), 255u);
  EXPECT_EQ(DecodeHex64("ffffffffffffffff"), UINT64_MAX);
  EXPECT_EQ(DecodeHex64("0123456789abcdef"), 0x0123456789abcdefu);
  // Only the one form "%016x" writes.
  EXPECT_EQ(DecodeHex64("00000000000000FF"), std::nullopt);
  EXPECT_EQ(DecodeHex64("ff"), std::nullopt);
  EXPECT_EQ(DecodeHex64("00000000000000000"), std::nullopt);
  EXPECT_EQ(DecodeHex64("+000000000000000"), std::nullopt);
  EXPECT_EQ(DecodeHex64(" 000000000000000"), std::nullopt);
  EXPECT_EQ(DecodeHex64("000000000000000g"), std::nullopt);
  EXPECT_EQ(DecodeHex64(""), std::nullopt);
}

}  // namespace
}  // namespace walsim
