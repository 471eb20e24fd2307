// RecoveryCase: the rows of the SegmentStore's recovery table
// (docs/logstore-format.md, "Recovery") that Open decides, one enumerator per
// row, and RecoveryReport, which counts the rows a recovery took.
//
// Every decision site of the recovery code (logstore/segment_store_open.cc,
// logstore/segment_scanner.cc) records its row, whether it goes on or fails,
// so a caller can see which rows an Open exercised (the torture harness counts
// them as coverage probes). Invariant: the enumerators are exactly the rows
// with a decision of their own; tests/logstore/recovery_test.cc names one test
// per enumerator and fails for a row without one. A report is a plain value:
// not synchronized; the store writes it only during Open.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/case_counts.h"

namespace walsim::logstore {

enum class RecoveryCase : uint8_t {
  kCleanEnd,                  // row 1: the last segment ends in zeros
  kTornTail,                  // rows 3 (2, 6): non-zero bytes after the end, no later batch
  kCommittedDataAfterDamage,  // row 4: an intact later batch after a damaged one
  kOlderSegmentEndsEarly,     // row 5: an older segment ends before its successor continues
  kUnacknowledgedBatchesCut,  // row 5b: batches past a continue successor's start, cut off
  kMissingContinuedSegment,   // row 7: a continue segment's predecessor is missing
  kMissingOldestSegment,      // row 8: no segment with sequence base_segment_seq
  kMissingMeta,               // row 9: logstore.meta missing while segments exist
  kCorruptMeta,               // row 10: logstore.meta fails its checks
  kBadSegmentHeader,          // row 11: a segment header fails CRC, magic or version
  kSegmentNameMismatch,       // row 12: a segment's name disagrees with its header
  kLeftoverTempFile,          // row 13: a *.tmp leftover (removed unless read-only)
  kUnknownFileIgnored,        // row 14: an unknown file, left alone
  kDeadSegment,               // row 15: a segment below base_segment_seq (removed unless read-only)
  kSupersededSegmentsCut,     // row 18 (17): entries cut off by a truncate segment
  kSegmentLinksOutsideLog,    // row 20: a truncate (or first) segment outside the log before it
  kAcknowledgedDataLost,      // row 21: the log ends before meta's durable batch
  kWholeDeleteKeepsSequence,  // row 22: no live segment; the batch sequence carries on
  kFirstIndexOutsideLog,      // row 23: meta's first index outside the recovered log
};
inline constexpr size_t kRecoveryCaseCount = 19;
static_assert(static_cast<size_t>(RecoveryCase::kFirstIndexOutsideLog) + 1 == kRecoveryCaseCount);

// "clean end", "torn tail", ...: stable names (reports, probes).
std::string_view RecoveryCaseName(RecoveryCase recovery_case);

// Which rows a recovery took, and how often.
using RecoveryReport = CaseCounts<RecoveryCase, kRecoveryCaseCount, RecoveryCaseName>;
using walsim::RecordCase;

}  // namespace walsim::logstore
