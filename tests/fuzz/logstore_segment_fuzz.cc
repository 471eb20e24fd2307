// libFuzzer target: arbitrary bytes as a segment file, through the recovery
// scanner (logstore/segment_scanner.h). The scanner must never crash, read out
// of bounds or loop, and every entry it accepts must decode with a valid CRC.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "logstore/segment_format.h"
#include "logstore/segment_scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace walsim::logstore;
  walsim::fs::SpanByteSource source(std::span<const uint8_t>(data, size));
  SegmentScan scan;
  std::vector<uint8_t> window;
  ScanOptions options{.check_tail = size % 2 == 0, .window_bytes = 256};
  walsim::Status status = ScanSegment(source, options, &scan, &window);
  if (!status.ok()) return 0;
  Log log;
  for (size_t i = 0; i < scan.frames.size(); i++) {
    uint64_t offset = format::FrameOffsetBytes(scan.frames[i]);
    uint64_t length = format::FrameLengthBytes(scan.frames[i]);
    WALSIM_ASSERT(offset + length <= size);
    walsim::Status decoded = format::DecodeEntryFrame(std::span(data + offset, length),
                                                      scan.header.first_index + i, &log);
    WALSIM_ASSERT(decoded.ok());
  }
  return 0;
}
