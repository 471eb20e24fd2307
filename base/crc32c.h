// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of the
// etcd WAL and of walsim's own formats.
//
// Crc32cExtend(crc, data) continues a running checksum exactly like Go's
// crc32.Update(crc, castagnoliTable, data): Crc32cExtend(Crc32cExtend(0, a), b)
// == Crc32c(a ++ b). The SSE4.2 instruction is used when the CPU has it, a
// slicing-by-8 table otherwise; both are exposed so tests can compare them.
//
// The hardware path runs buffers of 192 bytes or more as three interleaved
// crc32q streams over adjacent lanes (8 KiB, 256 or 64 bytes each, longest
// that fits): crc32q has a latency of 3 cycles but a throughput of one per
// cycle, so one stream leaves two thirds of the unit idle. The three lane
// CRCs are joined with compile-time tables of the linear operator "append a
// lane of zero bytes"; shorter tails run as one stream. Whether the CPU has
// SSE4.2 is asked once and cached in a constant-initialized atomic, so each
// Crc32cExtend call pays one relaxed load, and calls from static
// constructors are safe. All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace walsim {

uint32_t Crc32cExtend(uint32_t crc, std::span<const uint8_t> data);
inline uint32_t Crc32c(std::span<const uint8_t> data) { return Crc32cExtend(0, data); }

// The two implementations behind Crc32cExtend, for tests and benchmarks.
uint32_t Crc32cExtendPortable(uint32_t crc, std::span<const uint8_t> data);
uint32_t Crc32cExtendHardware(uint32_t crc, std::span<const uint8_t> data);
// True when Crc32cExtendHardware may be called on this CPU.
bool Crc32cHardwareAvailable();

}  // namespace walsim
