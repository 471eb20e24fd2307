#include "wal/recovery.h"

#include "base/assert.h"

namespace walsim::wal {

std::string_view RecoveryCaseName(RecoveryCase recovery_case) {
  switch (recovery_case) {
    case RecoveryCase::kEndOfData:
      return "end of data";
    case RecoveryCase::kTornLengthField:
      return "torn length field";
    case RecoveryCase::kZeroedChunkInLastRecord:
      return "zeroed chunk in last record";
    case RecoveryCase::kTearInTheMiddle:
      return "tear in the middle";
    case RecoveryCase::kDamagedLastRecord:
      return "damaged last record";
    case RecoveryCase::kDamagedLengthField:
      return "damaged length field";
    case RecoveryCase::kZeroLengthOnSectorBoundary:
      return "zero length on sector boundary";
    case RecoveryCase::kRecordOverSizeLimit:
      return "record over size limit";
    case RecoveryCase::kMidLogDamage:
      return "mid-log damage";
    case RecoveryCase::kTornRecordInEarlierFile:
      return "torn record in earlier file";
    case RecoveryCase::kMissingFile:
      return "missing file";
    case RecoveryCase::kOutOfSequenceFile:
      return "out-of-sequence file";
    case RecoveryCase::kStrayFileIgnored:
      return "stray file ignored";
  }
  WALSIM_UNREACHABLE();
}

}  // namespace walsim::wal
