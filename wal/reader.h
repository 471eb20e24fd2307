// ReadRecords: reads the records of a run of WAL files in order, checking the
// CRC chain across files, and applies the recovery policy.
//
// Recovery policy (docs/wal-format.md, "Recovery", one test per row):
//   a zero length field, or the end of a file    end of that file's data (but
//                                                 see the intact-record rule)
//   a torn frame in the last file (zeroed sector  end of the log, even with
//   or frame past the end of file)                frames after it (etcd's rule);
//                                                 reported in ReadEnd::torn
//   a damaged last frame of the last file with    end of the log (a write that
//   nothing after it                              never completed); ReadEnd::torn
//   any of the three above with the record        kCorruption/kMalformedRecord:
//   behind the length field intact (its own       only the length field is
//   protobuf fields delimit it, its CRC           damaged; the records after it
//   verifies); for a zero length field, unless    were synced
//   it ends on a sector boundary
//   a record over record_size_bytes_max           kCorruption, even the last one
//   a torn frame in any other file                kCorruption
//   a crc record that breaks the chain            kCorruption/kCrcMismatch
//   any other invalid frame (a record after it)   kCorruption (kCrcMismatch or
//                                                 kMalformedRecord)
// Every error names the file and the offset. The visitor sees each valid
// record once, in log order (crc records included, after their check).
// Not thread-safe; the files are used only during the call.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "fs/fs.h"
#include "wal/decoder.h"
#include "wal/recovery.h"

namespace walsim::wal {

struct RecordPosition {
  size_t file_position = 0;          // into the files span
  uint64_t offset = 0;               // of the frame in that file
  std::string_view path;             // of that file; valid during the visit
  uint64_t file_size_bytes = 0;      // of that file
  uint64_t earlier_files_bytes = 0;  // the sizes of files[0, file_position) summed
};

// "wal file <path> at offset <offset>": the context of every error about a
// record. Built only when there is an error: reading must not pay for a
// message per record.
std::string Where(const RecordPosition& position);

struct ReadEnd {
  bool torn = false;               // the last file ends with a torn record
  Status torn_status;              // kCorruption/kTornTail naming file and offset, when torn
  uint64_t last_valid_offset = 0;  // in the last file: just past the last valid record
  uint32_t crc = 0;                // running CRC after the last valid record
};

struct ReadFile {
  fs::File* file = nullptr;
  std::string path;
};

using RecordVisitor = std::function<Status(const RecordView&, const RecordPosition&)>;

// Each decision of the policy above is recorded in *report (when not null) as
// its RecoveryCase, also when it fails the read. REQUIRES: !files.empty().
[[nodiscard]] Status ReadRecords(std::span<const ReadFile> files, const DecoderOptions& options,
                                 const RecordVisitor& visit, ReadEnd* end,
                                 RecoveryReport* report = nullptr);

}  // namespace walsim::wal
