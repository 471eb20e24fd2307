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

std::string RecoveryReport::ToString() const {
  std::string text;
  for (size_t i = 0; i < kRecoveryCaseCount; i++) {
    if (counts[i] == 0) continue;
    if (!text.empty()) text += ' ';
    text += RecoveryCaseName(static_cast<RecoveryCase>(i));
    text += '=';
    text += std::to_string(counts[i]);
  }
  return text;
}

}  // namespace walsim::wal
