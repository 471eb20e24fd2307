// Segment recovery scanning: from a segment's bytes to its committed batches.
//
// ScanSegment reads a segment through a ByteSource (a file, or memory for tests
// and the fuzzer), validates its header and walks its batches in order. A
// batch counts only when every frame of it is intact: CRC, the expected batch
// sequence (previous + 1), consecutive indexes, and a commit frame naming the
// batch's last index and entry count. The walk stops at the first batch that
// is not intact; that point is the segment's end, and the reason is reported.
//
// For the last segment of a store (options.check_tail) the scan also looks at
// every 8-byte-aligned position after the end. A valid frame there from a
// later batch (sequence > last + 1) proves that committed data follows a
// damaged batch: mid-log corruption, an error naming both offsets. Frames of
// the one batch that may have been in flight (sequence last + 1) or any other
// non-zero bytes make the tail "torn": dropped, and never written over.
//
// Never reads outside the source; never trusts a length before bounding it.
// Not thread-safe (uses the caller's window buffer).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "fs/byte_source.h"
#include "logstore/recovery.h"
#include "logstore/segment_format.h"

namespace walsim::logstore {

using fs::ByteSource;

enum class TailState : uint8_t {
  kClean,  // only zeros after the end
  kTorn,   // non-zero bytes after the end, but no later committed batch
};

struct ScanOptions {
  bool check_tail = false;
  // Rows kBadSegmentHeader and kCommittedDataAfterDamage are recorded here.
  RecoveryReport* report = nullptr;
  // Bytes read per I/O while scanning.
  size_t window_bytes = size_t{1} << 20;
};

struct SegmentScan {
  format::SegmentHeader header;
  // Packed frame locations (format::PackFrameLocation) of every committed
  // entry, in index order: entry header.first_index + i is frames[i].
  std::vector<uint64_t> frames;
  uint64_t batch_count = 0;
  // header.prev_batch_seq when no batch is committed.
  uint64_t last_batch_seq = 0;
  // Where the next batch goes (a multiple of the write alignment); may be
  // past the end of the file when the segment is full.
  uint64_t end_offset_bytes = 0;
  // The last committed batch; entry_count 0 when none is.
  format::BatchExtent last_batch;
  // Why the walk stopped at end_offset_bytes, e.g. "zeros at offset 8192".
  std::string stop_reason;
  TailState tail = TailState::kClean;
  // With kTorn: the first non-zero byte offset after the end (8-aligned).
  uint64_t tail_offset_bytes = 0;
};

// Scans source into *out (reusing its vectors). kCorruption for a bad header
// or for mid-log corruption found by the tail check; kIoError from reads.
// Messages name offsets, not the file: the caller adds the path.
Status ScanSegment(ByteSource& source, const ScanOptions& options, SegmentScan* out,
                   std::vector<uint8_t>* window);

}  // namespace walsim::logstore
