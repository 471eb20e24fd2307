#include "logstore/recovery.h"

#include "base/assert.h"

namespace walsim::logstore {

std::string_view RecoveryCaseName(RecoveryCase recovery_case) {
  switch (recovery_case) {
    case RecoveryCase::kCleanEnd:
      return "clean end";
    case RecoveryCase::kTornTail:
      return "torn tail";
    case RecoveryCase::kCommittedDataAfterDamage:
      return "committed data after damage";
    case RecoveryCase::kOlderSegmentEndsEarly:
      return "older segment ends early";
    case RecoveryCase::kUnacknowledgedBatchesCut:
      return "unacknowledged batches cut";
    case RecoveryCase::kMissingContinuedSegment:
      return "missing continued segment";
    case RecoveryCase::kMissingOldestSegment:
      return "missing oldest segment";
    case RecoveryCase::kMissingMeta:
      return "missing meta";
    case RecoveryCase::kCorruptMeta:
      return "corrupt meta";
    case RecoveryCase::kBadSegmentHeader:
      return "bad segment header";
    case RecoveryCase::kSegmentNameMismatch:
      return "segment name mismatch";
    case RecoveryCase::kLeftoverTempFile:
      return "leftover temp file";
    case RecoveryCase::kUnknownFileIgnored:
      return "unknown file ignored";
    case RecoveryCase::kDeadSegment:
      return "dead segment";
    case RecoveryCase::kSupersededSegmentsCut:
      return "superseded segments cut";
    case RecoveryCase::kSegmentLinksOutsideLog:
      return "segment links outside log";
    case RecoveryCase::kAcknowledgedDataLost:
      return "acknowledged data lost";
    case RecoveryCase::kWholeDeleteKeepsSequence:
      return "whole delete keeps sequence";
    case RecoveryCase::kFirstIndexOutsideLog:
      return "first index outside log";
  }
  WALSIM_UNREACHABLE();
}

}  // namespace walsim::logstore
