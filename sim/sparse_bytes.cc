#include "sim/sparse_bytes.h"

#include <algorithm>
#include <cstring>

#include "base/assert.h"

namespace walsim::sim {

std::vector<uint8_t>& SparseBytes::PageFor(uint64_t page_index) {
  if (page_index == cached_page_index_) {
    WALSIM_ASSERT(cached_page_ != nullptr && cached_page_->size() == kPageBytes);
    return *cached_page_;
  }
  auto [it, inserted] = pages_.try_emplace(page_index);
  if (inserted) it->second.assign(kPageBytes, 0);
  WALSIM_ASSERT(it->second.size() == kPageBytes);
  cached_page_index_ = page_index;
  cached_page_ = &it->second;
  return it->second;
}

void SparseBytes::Read(uint64_t offset, std::span<uint8_t> dst) const {
  WALSIM_ASSERT(offset <= size_bytes_ && dst.size() <= size_bytes_ - offset);
  uint64_t done_bytes = 0;
  while (done_bytes < dst.size()) {  // bounded: each pass consumes >= 1 byte
    uint64_t position = offset + done_bytes;
    uint64_t in_page = position % kPageBytes;
    uint64_t chunk_bytes = std::min<uint64_t>(kPageBytes - in_page, dst.size() - done_bytes);
    auto it = pages_.find(position / kPageBytes);
    if (it == pages_.end()) {
      std::memset(dst.data() + done_bytes, 0, chunk_bytes);
    } else {
      std::memcpy(dst.data() + done_bytes, it->second.data() + in_page, chunk_bytes);
    }
    done_bytes += chunk_bytes;
  }
}

uint8_t SparseBytes::ByteAt(uint64_t offset) const {
  WALSIM_ASSERT(offset < size_bytes_);
  auto it = pages_.find(offset / kPageBytes);
  return it == pages_.end() ? 0 : it->second[offset % kPageBytes];
}

void SparseBytes::Write(uint64_t offset, std::span<const uint8_t> data) {
  WALSIM_ASSERT(offset + data.size() >= offset);
  uint64_t done_bytes = 0;
  while (done_bytes < data.size()) {  // bounded: each pass consumes >= 1 byte
    uint64_t position = offset + done_bytes;
    uint64_t in_page = position % kPageBytes;
    uint64_t chunk_bytes = std::min<uint64_t>(kPageBytes - in_page, data.size() - done_bytes);
    std::memcpy(PageFor(position / kPageBytes).data() + in_page, data.data() + done_bytes,
                chunk_bytes);
    done_bytes += chunk_bytes;
  }
  size_bytes_ = std::max<uint64_t>(size_bytes_, offset + data.size());
}

void SparseBytes::Resize(uint64_t size_bytes) {
  if (size_bytes < size_bytes_) {
    // Drop whole pages past the end, then zero the tail of the last page so
    // that growing again exposes zeros (the class invariant).
    uint64_t first_dropped_page = (size_bytes + kPageBytes - 1) / kPageBytes;
    pages_.erase(pages_.lower_bound(first_dropped_page), pages_.end());
    ForgetCachedPage();
    uint64_t in_page = size_bytes % kPageBytes;
    if (in_page != 0) {
      auto it = pages_.find(size_bytes / kPageBytes);
      if (it != pages_.end()) std::memset(it->second.data() + in_page, 0, kPageBytes - in_page);
    }
  }
  size_bytes_ = size_bytes;
  WALSIM_ASSERT(pages_.empty() || pages_.rbegin()->first * kPageBytes < size_bytes_);
}

void SparseBytes::Zero(uint64_t offset, uint64_t length) {
  WALSIM_ASSERT(offset <= size_bytes_ && length <= size_bytes_ - offset);
  uint64_t done_bytes = 0;
  while (done_bytes < length) {  // bounded: each pass consumes >= 1 byte
    uint64_t position = offset + done_bytes;
    uint64_t in_page = position % kPageBytes;
    uint64_t chunk_bytes = std::min<uint64_t>(kPageBytes - in_page, length - done_bytes);
    auto it = pages_.find(position / kPageBytes);
    if (it != pages_.end()) {
      if (chunk_bytes == kPageBytes) {
        pages_.erase(it);
        ForgetCachedPage();
      } else {
        std::memset(it->second.data() + in_page, 0, chunk_bytes);
      }
    }
    done_bytes += chunk_bytes;
  }
}

void SparseBytes::XorByte(uint64_t offset, uint8_t mask) {
  WALSIM_ASSERT(offset < size_bytes_);
  PageFor(offset / kPageBytes)[offset % kPageBytes] ^= mask;
}

uint64_t SparseBytes::FindNonZero(uint64_t offset) const {
  if (offset >= size_bytes_) return size_bytes_;
  // Only stored pages can hold non-zero bytes; each is visited once.
  for (auto it = pages_.lower_bound(offset / kPageBytes); it != pages_.end(); ++it) {
    const uint64_t page_start = it->first * kPageBytes;
    for (uint64_t in_page = offset > page_start ? offset - page_start : 0; in_page < kPageBytes;
         in_page++) {
      if (page_start + in_page >= size_bytes_) return size_bytes_;
      if (it->second[in_page] != 0) return page_start + in_page;
    }
  }
  return size_bytes_;
}

std::string SparseBytes::ToString() const {
  std::string out(size_bytes_, '\0');
  Read(0, {reinterpret_cast<uint8_t*>(out.data()), out.size()});
  return out;
}

}  // namespace walsim::sim
