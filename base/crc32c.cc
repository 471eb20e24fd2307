#include "base/crc32c.h"

#include <array>
#include <atomic>
#include <cstring>

#include "base/assert.h"

namespace walsim {
namespace {

constexpr uint32_t kPolynomial = 0x82F63B78u;  // reflected Castagnoli
constexpr int kSlices = 8;

using ByteTable = std::array<uint32_t, 256>;

constexpr std::array<ByteTable, kSlices> MakeTables() {
  std::array<ByteTable, kSlices> tables{};
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ ((crc & 1u) ? kPolynomial : 0u);
    tables[0][i] = crc;
  }
  for (uint32_t i = 0; i < 256; i++) {
    for (int slice = 1; slice < kSlices; slice++) {
      uint32_t prev = tables[slice - 1][i];
      tables[slice][i] = (prev >> 8) ^ tables[0][prev & 0xFFu];
    }
  }
  return tables;
}

constexpr auto kTables = MakeTables();
static_assert(kTables[0][1] == 0xF26B8303u, "CRC-32C table must use the Castagnoli polynomial");

uint32_t LoadLe32(const uint8_t* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

// Combining CRCs of adjacent pieces. The CRC register (the value without the
// pre- and post-inversion) after a piece is linear over GF(2) in the register
// before it: reg(r, piece) = Z * r ^ reg(0, piece), where Z is the 32x32 bit
// matrix "append piece.size() zero bytes". So three lanes A, B, C of equal
// length can be run independently (A from the running register, B and C from
// zero) and joined as Z * (Z * a ^ b) ^ c. Z for a fixed lane length is built
// at compile time by repeated squaring of the one-zero-byte matrix, then
// turned into four byte-indexed tables so that applying it costs four loads.
using BitMatrix = std::array<uint32_t, 32>;  // column i: the image of bit i

constexpr uint32_t Apply(const BitMatrix& matrix, uint32_t value) {
  uint32_t result = 0;
  for (int bit = 0; bit < 32; bit++) {
    if ((value >> bit) & 1u) result ^= matrix[bit];
  }
  return result;
}

constexpr BitMatrix Multiply(const BitMatrix& left, const BitMatrix& right) {
  BitMatrix product{};
  for (int bit = 0; bit < 32; bit++) product[bit] = Apply(left, right[bit]);
  return product;
}

constexpr BitMatrix ZeroBytesMatrix(size_t count_bytes) {
  BitMatrix power{};  // the one-zero-byte step: r -> (r >> 8) ^ T[r & 0xFF]
  BitMatrix result{};
  for (int bit = 0; bit < 32; bit++) {
    const uint32_t r = uint32_t{1} << bit;
    power[bit] = (r >> 8) ^ kTables[0][r & 0xFFu];
    result[bit] = r;
  }
  // Square and multiply: one round per bit of count_bytes.
  for (size_t rest = count_bytes; rest != 0; rest >>= 1) {
    if (rest & 1u) result = Multiply(power, result);
    power = Multiply(power, power);
  }
  return result;
}

// ShiftTable[k][b]: Z applied to the register holding byte b at byte k.
using ShiftTable = std::array<ByteTable, 4>;

constexpr ShiftTable MakeShiftTable(size_t lane_bytes) {
  const BitMatrix matrix = ZeroBytesMatrix(lane_bytes);
  ShiftTable table{};
  for (uint32_t k = 0; k < 4; k++) {
    for (uint32_t b = 0; b < 256; b++) table[k][b] = Apply(matrix, b << (8 * k));
  }
  return table;
}

[[maybe_unused]] uint32_t Shift(const ShiftTable& table, uint32_t reg) {
  return table[0][reg & 0xFFu] ^ table[1][(reg >> 8) & 0xFFu] ^ table[2][(reg >> 16) & 0xFFu] ^
         table[3][reg >> 24];
}

// Lane lengths, longest first: long buffers run in 8 KiB lanes, a WAL entry
// record (about 1 KiB) in 256- and 64-byte lanes. Each round pays two shifts
// (about 15 cycles), so a lane must be long enough to amortize them; the tail
// below three short lanes runs as one stream.
constexpr size_t kLaneBytesLong = 8192;
constexpr size_t kLaneBytesMedium = 256;
constexpr size_t kLaneBytesShort = 64;
static_assert(kLaneBytesLong % 8 == 0 && kLaneBytesMedium % 8 == 0 && kLaneBytesShort % 8 == 0,
              "lanes are whole 8-byte words");
static_assert(kLaneBytesShort < kLaneBytesMedium && kLaneBytesMedium < kLaneBytesLong);

[[maybe_unused]] constexpr ShiftTable kShiftLong = MakeShiftTable(kLaneBytesLong);
[[maybe_unused]] constexpr ShiftTable kShiftMedium = MakeShiftTable(kLaneBytesMedium);
[[maybe_unused]] constexpr ShiftTable kShiftShort = MakeShiftTable(kLaneBytesShort);
// Appending 4 zero bytes to the register 1 (bit 0) is one table step of
// value 1 at byte 3: a cross-check of the matrix against the byte table.
static_assert(MakeShiftTable(4)[0][1] == kTables[3][1]);

// 0 until the first call asks the CPU, then 1 (no SSE4.2) or 2 (SSE4.2).
// Constant-initialized, so safe to use from static constructors; relaxed,
// because every thread that asks computes the same answer.
std::atomic<uint8_t> g_hardware_state{0};

bool HardwareAvailableCached() {
  uint8_t state = g_hardware_state.load(std::memory_order_relaxed);
  if (state == 0) [[unlikely]] {
#if defined(__x86_64__)
    __builtin_cpu_init();  // may run before libgcc's constructor does
    state = __builtin_cpu_supports("sse4.2") ? 2 : 1;
#else
    state = 1;
#endif
    g_hardware_state.store(state, std::memory_order_relaxed);
  }
  return state == 2;
}

}  // namespace

uint32_t Crc32cExtendPortable(uint32_t crc, std::span<const uint8_t> data) {
  uint32_t c = ~crc;
  const uint8_t* p = data.data();
  size_t n = data.size();
  while (n >= 8) {
    uint32_t lo = LoadLe32(p) ^ c;
    uint32_t hi = LoadLe32(p + 4);
    c = kTables[7][lo & 0xFF] ^ kTables[6][(lo >> 8) & 0xFF] ^ kTables[5][(lo >> 16) & 0xFF] ^
        kTables[4][lo >> 24] ^ kTables[3][hi & 0xFF] ^ kTables[2][(hi >> 8) & 0xFF] ^
        kTables[1][(hi >> 16) & 0xFF] ^ kTables[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    c = (c >> 8) ^ kTables[0][(c ^ *p) & 0xFF];
    p++;
    n--;
  }
  return ~c;
}

#if defined(__x86_64__)
namespace {

#define WALSIM_CRC_TARGET __attribute__((target("sse4.2")))

WALSIM_CRC_TARGET inline uint64_t StepWord(uint64_t reg, const uint8_t* p) {
  uint64_t word = 0;
  std::memcpy(&word, p, sizeof(word));
  return __builtin_ia32_crc32di(reg, word);
}

// One stream: each crc32q waits for the previous one (3 cycles each).
WALSIM_CRC_TARGET uint32_t ExtendOneStream(uint32_t reg, const uint8_t* p, size_t n) {
  uint64_t wide = reg;
  for (; n >= 8; p += 8, n -= 8) wide = StepWord(wide, p);
  auto narrow = static_cast<uint32_t>(wide);
  if (n >= 4) {
    uint32_t word = 0;
    std::memcpy(&word, p, sizeof(word));
    narrow = __builtin_ia32_crc32si(narrow, word);
    p += 4;
    n -= 4;
  }
  for (; n > 0; p++, n--) narrow = __builtin_ia32_crc32qi(narrow, *p);
  return narrow;
}

// Rounds of three interleaved lanes of kLaneBytes each while at least three
// lanes remain: the three crc32q chains overlap, so a round costs about a
// third of one stream's latency plus two shifts.
template <size_t kLaneBytes>
WALSIM_CRC_TARGET uint32_t ExtendThreeLanes(uint32_t reg, const ShiftTable& shift,
                                            const uint8_t** p, size_t* n) {
  // Each round consumes 3 * kLaneBytes, so the loop runs at most n / that times.
  for (; *n >= 3 * kLaneBytes; *p += 3 * kLaneBytes, *n -= 3 * kLaneBytes) {
    const uint8_t* lane = *p;
    uint64_t c0 = reg;
    uint64_t c1 = 0;
    uint64_t c2 = 0;
    for (size_t i = 0; i < kLaneBytes; i += 8) {
      c0 = StepWord(c0, lane + i);
      c1 = StepWord(c1, lane + kLaneBytes + i);
      c2 = StepWord(c2, lane + 2 * kLaneBytes + i);
    }
    reg = Shift(shift, static_cast<uint32_t>(c0)) ^ static_cast<uint32_t>(c1);
    reg = Shift(shift, reg) ^ static_cast<uint32_t>(c2);
  }
  return reg;
}

}  // namespace

WALSIM_CRC_TARGET uint32_t Crc32cExtendHardware(uint32_t crc, std::span<const uint8_t> data) {
  WALSIM_ASSERT(HardwareAvailableCached());
  const uint8_t* p = data.data();
  size_t n = data.size();
  uint32_t reg = ~crc;
  if (n >= 3 * kLaneBytesShort) {
    reg = ExtendThreeLanes<kLaneBytesLong>(reg, kShiftLong, &p, &n);
    reg = ExtendThreeLanes<kLaneBytesMedium>(reg, kShiftMedium, &p, &n);
    reg = ExtendThreeLanes<kLaneBytesShort>(reg, kShiftShort, &p, &n);
    WALSIM_ASSERT(n < 3 * kLaneBytesShort);
  }
  return ~ExtendOneStream(reg, p, n);
}

#undef WALSIM_CRC_TARGET

bool Crc32cHardwareAvailable() { return HardwareAvailableCached(); }
#else
uint32_t Crc32cExtendHardware(uint32_t crc, std::span<const uint8_t> data) {
  WALSIM_ASSERT(Crc32cHardwareAvailable());
  return Crc32cExtendPortable(crc, data);
}
bool Crc32cHardwareAvailable() { return false; }
#endif

uint32_t Crc32cExtend(uint32_t crc, std::span<const uint8_t> data) {
  if (HardwareAvailableCached()) return Crc32cExtendHardware(crc, data);
  return Crc32cExtendPortable(crc, data);
}

}  // namespace walsim
