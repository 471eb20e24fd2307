#include "wal/reader.h"

#include "wal/types.h"

namespace walsim::wal {

std::string Where(const RecordPosition& position) {
  return "wal file " + std::string(position.path) + " at offset " + std::to_string(position.offset);
}

namespace {

std::string Where(const ReadFile& file, uint64_t offset) {
  return Where(RecordPosition{0, offset, file.path});
}

// The log seems to end at the frame at frame_offset of the last file (a
// zero, malformed or overlong length field, or a damaged frame): an error
// when the record there, delimited by its own protobuf fields, is intact.
// A torn write leaves no intact record behind a bad length field, so the
// record was written whole and its length field was damaged afterwards; the
// records from there on were synced, and ending the log there would lose
// them silently. (etcd's decoder has the same blind spot.)
// Row kDamagedLengthField.
Status RefuseIntactRecordBehind(FrameDecoder* decoder, uint64_t frame_offset, const ReadFile& file,
                                std::string_view what, RecoveryReport* report) {
  WALSIM_ASSIGN_OR_RETURN(std::optional<uint64_t> intact_bytes,
                          decoder->IntactFrameSizeAt(frame_offset));
  if (!intact_bytes) return Status::Ok();
  RecordCase(report, RecoveryCase::kDamagedLengthField);
  return WalStatus(StatusCode::kCorruption, WalError::kMalformedRecord,
                   Where(file, frame_offset) + ": " + std::string(what) +
                       ", but the record behind its length field is intact (" +
                       std::to_string(*intact_bytes) +
                       " bytes, crc verifies; the next frame starts at offset " +
                       std::to_string(frame_offset + *intact_bytes) +
                       "): a damaged length field, not a torn write");
}

// A zero length field ends the data of the last file (the preallocated
// rest), unless an intact record sits behind it. One exception keeps a legal
// crash legal: a length field that ends on a sector boundary may have been
// lost with its sector while the record's own sectors persisted (reorder
// crash model); that zero is indistinguishable from a damaged one.
// Rows kEndOfData, kZeroLengthOnSectorBoundary, kDamagedLengthField.
Status CheckZeroLengthField(FrameDecoder* decoder, const Frame& frame, const ReadFile& file,
                            RecoveryReport* report) {
  if ((frame.offset + kFrameHeaderBytes) % kSectorBytes == 0) {
    WALSIM_ASSIGN_OR_RETURN(std::optional<uint64_t> intact_bytes,
                            decoder->IntactFrameSizeAt(frame.offset));
    RecordCase(report,
               intact_bytes ? RecoveryCase::kZeroLengthOnSectorBoundary : RecoveryCase::kEndOfData);
    return Status::Ok();
  }
  WALSIM_RETURN_IF_ERROR(
      RefuseIntactRecordBehind(decoder, frame.offset, file, "zero length field", report));
  RecordCase(report, RecoveryCase::kEndOfData);
  return Status::Ok();
}

// A torn frame: the end of the log if it is the last frame of the last file,
// corruption anywhere else (only the last record may be torn).
// Rows kTornRecordInEarlierFile, kDamagedLengthField, kTornLengthField,
// kZeroedChunkInLastRecord, kTearInTheMiddle.
Status ClassifyTorn(FrameDecoder* decoder, const Frame& frame, const ReadFile& file, bool last_file,
                    ReadEnd* end, RecoveryReport* report) {
  if (!last_file) {
    RecordCase(report, RecoveryCase::kTornRecordInEarlierFile);
    return WalStatus(StatusCode::kCorruption, frame.error,
                     Where(file, frame.offset) + ": torn record (" + frame.reason +
                         ") in a file that is not the last one");
  }
  // etcd's rule (TestRepairWriteTearMiddle): a record with a zeroed sector is
  // torn even when more records follow it, and the log ends there. That is
  // safe: under legal faults a sector of synced data never reads back as
  // zeros, so the torn record was never durable, and neither was any record
  // written after it (a sync covers everything written before it). What is
  // cut off was never acknowledged. Under illegal faults the result is still
  // a valid earlier prefix. Repair logs how much it drops.
  WALSIM_RETURN_IF_ERROR(RefuseIntactRecordBehind(decoder, frame.offset, file,
                                                  "torn record (" + frame.reason + ")", report));
  std::string after;
  bool follows = false;
  if (frame.size_bytes > 0) {
    WALSIM_ASSIGN_OR_RETURN(follows, decoder->FrameFollows(frame));
    if (follows) after = "; unsynced records follow it and are discarded with it";
  }
  if (!frame.zero_chunk) {
    RecordCase(report, RecoveryCase::kTornLengthField);
  } else {
    RecordCase(report,
               follows ? RecoveryCase::kTearInTheMiddle : RecoveryCase::kZeroedChunkInLastRecord);
  }
  end->torn = true;
  end->torn_status =
      WalStatus(StatusCode::kCorruption, WalError::kTornTail,
                Where(file, frame.offset) + ": torn record (" + frame.reason + ")" + after);
  return Status::Ok();
}

// True when frame, which failed validation, is the last frame of the last
// file: its size is known and no length field follows it.
Result<bool> IsLastFrame(FrameDecoder* decoder, const Frame& frame, bool last_file) {
  if (!last_file || frame.size_bytes == 0) return false;
  WALSIM_ASSIGN_OR_RETURN(bool follows, decoder->FrameFollows(frame));
  return !follows;
}

// A record that fails its checks with nothing after it in the last file was
// never synced on a working disk: synced bytes read back as written, and
// nothing is written after the last record. A short write (a prefix of the
// record, the rest still preallocated zeros) or a sector torn into random
// bytes leaves exactly this. So it is a torn tail, repairable like etcd's
// (whose decoder calls it corruption unless a sector is all zeros). Damage
// with a record after it stays corruption.
void MarkDamagedLastRecord(const Frame& frame, const ReadFile& file, ReadEnd* end) {
  end->torn = true;
  end->torn_status = WalStatus(StatusCode::kCorruption, WalError::kTornTail,
                               Where(file, frame.offset) + ": damaged last record (" +
                                   frame.reason + "), a write that never completed");
}

}  // namespace

Status ReadRecords(std::span<const ReadFile> files, const DecoderOptions& options,
                   const RecordVisitor& visit, ReadEnd* end, RecoveryReport* report) {
  WALSIM_ASSERT(!files.empty());
  *end = ReadEnd{};
  uint32_t crc = 0;
  uint64_t earlier_files_bytes = 0;
  // One decoder, and so one read buffer, for the whole run of files; it
  // starts on an empty source and is Reset onto each file.
  fs::SpanByteSource nothing({});
  FrameDecoder decoder(&nothing, 0, options);
  for (size_t position = 0; position < files.size(); position++) {
    const ReadFile& file = files[position];
    const bool last_file = position + 1 == files.size();
    WALSIM_ASSIGN_OR_RETURN(uint64_t size_bytes, file.file->Size());
    fs::FileByteSource source(*file.file, size_bytes);
    decoder.Reset(&source, crc);
    Frame frame;
    // Each valid frame is at least 8 bytes, so this bounds the loop.
    for (uint64_t round = 0; round <= size_bytes / kFrameAlignBytes; round++) {
      if (Status next = decoder.Next(&frame); !next.ok()) {
        return next.WithContext(Where(file, decoder.offset()));
      }
      if (frame.kind == FrameKind::kEnd) {
        if (last_file && frame.offset < size_bytes) {
          WALSIM_RETURN_IF_ERROR(CheckZeroLengthField(&decoder, frame, file, report));
        } else {
          RecordCase(report, RecoveryCase::kEndOfData);
        }
        break;
      }
      if (frame.kind == FrameKind::kTorn) {
        WALSIM_RETURN_IF_ERROR(ClassifyTorn(&decoder, frame, file, last_file, end, report));
        break;
      }
      if (frame.kind == FrameKind::kCorrupt) {
        // etcd's entry size limit stays an error wherever the frame is.
        WALSIM_ASSIGN_OR_RETURN(bool last_frame, IsLastFrame(&decoder, frame, last_file));
        if (!last_frame || frame.over_limit) {
          RecordCase(report, frame.over_limit ? RecoveryCase::kRecordOverSizeLimit
                                              : RecoveryCase::kMidLogDamage);
          return WalStatus(StatusCode::kCorruption, frame.error,
                           Where(file, frame.offset) + ": " + frame.reason);
        }
        WALSIM_RETURN_IF_ERROR(RefuseIntactRecordBehind(
            &decoder, frame.offset, file, "damaged last record (" + frame.reason + ")", report));
        RecordCase(report, RecoveryCase::kDamagedLastRecord);
        MarkDamagedLastRecord(frame, file, end);
        break;
      }
      if (frame.record.type == static_cast<int64_t>(RecordType::kCrc)) {
        // The chain starts fresh (0) when reading begins at this file.
        if (decoder.crc() != 0 && frame.record.crc != decoder.crc()) {
          RecordCase(report, RecoveryCase::kMidLogDamage);
          return WalStatus(StatusCode::kCorruption, WalError::kCrcMismatch,
                           Where(file, frame.offset) + ": crc record holds " +
                               std::to_string(frame.record.crc) +
                               " but the previous file ends at " + std::to_string(decoder.crc()));
        }
        decoder.set_crc(frame.record.crc);
      }
      // After the read: the decoder moved exactly past the frame it returned.
      WALSIM_ASSERT(decoder.offset() == frame.offset + frame.size_bytes &&
                    decoder.offset() <= size_bytes);
      WALSIM_RETURN_IF_ERROR(visit(frame.record, RecordPosition{position, frame.offset, file.path,
                                                                size_bytes, earlier_files_bytes}));
    }
    WALSIM_ASSERT(frame.kind != FrameKind::kRecord);
    crc = decoder.crc();
    earlier_files_bytes += size_bytes;
    if (last_file) end->last_valid_offset = decoder.offset();
    if (end->torn) break;
  }
  end->crc = crc;
  return Status::Ok();
}

}  // namespace walsim::wal
