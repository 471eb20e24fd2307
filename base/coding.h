// Byte coding: fixed-width little-endian integers and base-128 varints (the
// protobuf wire encoding), with bounds-checked decoding; and the fixed-width
// hex numbers of file names.
//
// Encoders append to a std::string or write into a caller's buffer of known
// size. Decoders never read past the span they are given: they return
// std::nullopt (or false) on truncated or over-long input instead. A decoded
// varint is at most kVarint64LengthMax bytes. All functions are pure.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace walsim {

inline constexpr size_t kVarint64LengthMax = 10;
static_assert(std::endian::native == std::endian::little || std::endian::native == std::endian::big,
              "mixed-endian hosts are not supported");

// One unaligned load or store on little-endian hosts (GCC 12 at -O2 did not
// merge the byte loops, which cost a third of the LogStore's batch encoding);
// a byte swap on big-endian ones.
inline void EncodeFixed32(uint8_t* dst, uint32_t value) {
  if constexpr (std::endian::native == std::endian::big) value = __builtin_bswap32(value);
  std::memcpy(dst, &value, sizeof(value));
}
inline void EncodeFixed64(uint8_t* dst, uint64_t value) {
  if constexpr (std::endian::native == std::endian::big) value = __builtin_bswap64(value);
  std::memcpy(dst, &value, sizeof(value));
}
inline uint32_t DecodeFixed32(const uint8_t* src) {
  uint32_t value = 0;
  std::memcpy(&value, src, sizeof(value));
  if constexpr (std::endian::native == std::endian::big) value = __builtin_bswap32(value);
  return value;
}
inline uint64_t DecodeFixed64(const uint8_t* src) {
  uint64_t value = 0;
  std::memcpy(&value, src, sizeof(value));
  if constexpr (std::endian::native == std::endian::big) value = __builtin_bswap64(value);
  return value;
}

inline void PutFixed32(std::string* dst, uint32_t value) {
  uint8_t buf[4];
  EncodeFixed32(buf, value);
  dst->append(reinterpret_cast<const char*>(buf), sizeof(buf));
}
inline void PutFixed64(std::string* dst, uint64_t value) {
  uint8_t buf[8];
  EncodeFixed64(buf, value);
  dst->append(reinterpret_cast<const char*>(buf), sizeof(buf));
}

// Number of bytes EncodeVarint64 writes for value (1..10).
inline size_t VarintLength(uint64_t value) {
  size_t length = 1;
  while (value >= 0x80) {
    value >>= 7;
    length++;
  }
  return length;
}

// Writes value as a varint at dst. REQUIRES: dst has VarintLength(value) bytes.
// Returns the number of bytes written.
inline size_t EncodeVarint64(uint8_t* dst, uint64_t value) {
  size_t i = 0;
  while (value >= 0x80) {
    dst[i++] = static_cast<uint8_t>(value | 0x80);
    value >>= 7;
  }
  dst[i++] = static_cast<uint8_t>(value);
  return i;
}

inline void PutVarint64(std::string* dst, uint64_t value) {
  uint8_t buf[kVarint64LengthMax];
  size_t length = EncodeVarint64(buf, value);
  dst->append(reinterpret_cast<const char*>(buf), length);
}

// Decodes a varint at input[*offset]. On success advances *offset past it and
// returns the value. Returns std::nullopt, leaving *offset unchanged, when the
// input ends inside the varint or the varint is longer than 10 bytes or
// overflows 64 bits.
inline std::optional<uint64_t> DecodeVarint64(std::span<const uint8_t> input, size_t* offset) {
  uint64_t value = 0;
  size_t pos = *offset;
  for (size_t shift = 0; shift < 64; shift += 7) {
    if (pos >= input.size()) return std::nullopt;
    uint8_t byte = input[pos++];
    if (shift == 63 && byte > 1) return std::nullopt;  // more than 64 bits
    value |= uint64_t{byte & 0x7Fu} << shift;
    if ((byte & 0x80u) == 0) {
      *offset = pos;
      return value;
    }
  }
  return std::nullopt;
}

// Views a string's bytes as a byte span (no copy).
inline std::span<const uint8_t> AsBytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Exactly 16 lowercase hex digits, as the WAL and the LogStore write a 64-bit
// number in a file name ("%016x"); std::nullopt for anything else (another
// length, upper case, a sign or a space), so that a name parses only in the
// one form its writer produces.
inline std::optional<uint64_t> DecodeHex64(std::string_view digits) {
  if (digits.size() != 16) return std::nullopt;
  uint64_t value = 0;
  for (char c : digits) {
    uint64_t nibble = 0;
    if (c >= '0' && c <= '9') {
      nibble = static_cast<uint64_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      nibble = static_cast<uint64_t>(c - 'a') + 10;
    } else {
      return std::nullopt;
    }
    value = (value << 4) | nibble;
  }
  return value;
}

}  // namespace walsim
