#include "fs/byte_source.h"

#include <algorithm>
#include <cstring>

#include "base/assert.h"

namespace walsim::fs {

Result<size_t> SpanByteSource::ReadAt(uint64_t offset, std::span<uint8_t> dst) {
  if (offset >= bytes_.size()) return size_t{0};
  const size_t count = std::min<uint64_t>(dst.size(), bytes_.size() - offset);
  std::memcpy(dst.data(), bytes_.data() + offset, count);
  WALSIM_ASSERT(count <= dst.size());
  return count;
}

}  // namespace walsim::fs
