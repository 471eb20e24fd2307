// RecoveryCase: the rows of the WAL's recovery table (docs/wal-format.md,
// "Recovery"), one enumerator per row, and RecoveryReport, which counts the
// rows a recovery took.
//
// Every decision site of the WAL's recovery code (wal/reader.cc, wal/names.cc)
// records the row it decided, whether the decision is to go on or to fail, so
// a caller can see which rows a run of Open/ReadAll/Repair/Verify exercised
// (the torture harness counts them as coverage probes). Invariant: the
// enumerators are exactly the table's rows; tests/wal/recovery_test.cc names
// one test per enumerator and fails for a row without one. A report is a
// plain value: not synchronized; the WAL writes it only during a call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/case_counts.h"

namespace walsim::wal {

enum class RecoveryCase : uint8_t {
  kEndOfData,                   // a file's data ends at a zero length field or the end of the file
  kTornLengthField,             // last frame: length field malformed or past the end; torn tail
  kZeroedChunkInLastRecord,     // last frame: a 512-byte chunk is zeros; torn tail
  kTearInTheMiddle,             // a zeroed chunk in a record with records after it; torn, log ends
  kDamagedLastRecord,           // last frame fails CRC/protobuf, nothing after it; torn tail
  kDamagedLengthField,          // a bad length field with an intact record behind it; corruption
  kZeroLengthOnSectorBoundary,  // a zero length field ending on a sector boundary; end of data
  kRecordOverSizeLimit,         // a record over record_size_bytes_max; corruption
  kMidLogDamage,                // a frame that fails its checks with a record after it; corruption
  kTornRecordInEarlierFile,     // a torn frame in a file that is not the last; corruption
  kMissingFile,                 // a gap in the file sequence; corruption
  kOutOfSequenceFile,           // a file whose sequence is not above its predecessor's; corruption
  kStrayFileIgnored,            // a .tmp, .broken or unknown file; ignored
};
inline constexpr size_t kRecoveryCaseCount = 13;
static_assert(static_cast<size_t>(RecoveryCase::kStrayFileIgnored) + 1 == kRecoveryCaseCount);

// "end of data", "torn length field", ...: stable names (reports, probes).
std::string_view RecoveryCaseName(RecoveryCase recovery_case);

// Which rows a recovery took, and how often.
using RecoveryReport = CaseCounts<RecoveryCase, kRecoveryCaseCount, RecoveryCaseName>;
using walsim::RecordCase;

}  // namespace walsim::wal
