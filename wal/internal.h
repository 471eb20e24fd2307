// Helpers shared by the wal/ implementation files. Not part of the API.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "base/status.h"
#include "fs/fs.h"
#include "wal/names.h"
#include "wal/reader.h"
#include "wal/wal.h"

namespace walsim::wal::internal {

inline std::shared_ptr<spdlog::logger> LoggerOf(const WalOptions& options) {
  return options.logger != nullptr ? options.logger : DefaultLogger();
}

inline DecoderOptions DecoderOptionsOf(const WalOptions& options) {
  DecoderOptions decoder;
  decoder.record_size_bytes_max = options.record_size_bytes_max;
  return decoder;
}

// Files opened read-only for a reader, in order.
struct OpenedFiles {
  std::vector<std::unique_ptr<fs::File>> handles;
  std::vector<ReadFile> files;
};
Result<OpenedFiles> OpenForReading(fs::FileSystem& fs, std::string_view dir,
                                   const std::vector<SegmentName>& segments, size_t first);

// "wal file <path> at offset <offset>"
std::string Where(std::string_view dir, const std::vector<SegmentName>& segments,
                  const RecordPosition& position, size_t first);

// Removes path and, for a directory, everything under it (depth-bounded).
Status RemoveAll(fs::FileSystem& fs, const std::string& path);

}  // namespace walsim::wal::internal
