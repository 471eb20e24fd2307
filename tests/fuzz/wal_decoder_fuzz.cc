// libFuzzer target: arbitrary bytes as a WAL file and as each record payload.
// The decoders must not crash, hang or read out of bounds, whatever the input.
#include <cstddef>
#include <cstdint>
#include <span>

#include "base/assert.h"
#include "wal/decoder.h"
#include "wal/record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace walsim::wal;
  const std::span<const uint8_t> bytes(data, size);
  walsim::fs::SpanByteSource source(bytes);
  DecoderOptions options;
  options.record_size_bytes_max = 1 << 20;
  options.read_chunk_bytes = kPageBytes;
  FrameDecoder decoder(&source, 0, options);
  for (size_t round = 0; round <= size / kFrameAlignBytes; round++) {
    Frame frame;
    WALSIM_ASSERT(decoder.Next(&frame).ok());
    WALSIM_ASSERT(decoder.offset() <= size);
    if (frame.kind == FrameKind::kCorrupt && frame.size_bytes > 0) {
      decoder.SkipCorrupt(frame);
      continue;
    }
    if (frame.kind != FrameKind::kRecord) break;
    if (frame.record.type == static_cast<int64_t>(RecordType::kCrc)) {
      decoder.set_crc(frame.record.crc);
    }
  }
  Entry entry;
  HardState state;
  Snapshot snapshot;
  RecordView record;
  (void)DecodeEntry(bytes, &entry);
  (void)DecodeHardState(bytes, &state);
  (void)DecodeSnapshot(bytes, &snapshot);
  (void)DecodeRecord(bytes, &record);
  return 0;
}
