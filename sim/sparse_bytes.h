// SparseBytes: the contents of one simulated file, stored as 4 KiB pages.
//
// Pages that were never written (or were zeroed whole) are absent and read as
// zeros, so a preallocated 64 MB WAL segment costs memory only for the bytes
// actually written. Invariant: no page lies wholly at or past size_bytes(),
// and bytes of the last page past size_bytes() are zero (so growing the size
// exposes zeros, as a file does). Copying makes a deep, independent copy.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace walsim::sim {

class SparseBytes {
 public:
  static constexpr uint64_t kPageBytes = 4096;

  SparseBytes() = default;
  // Deep copies; the page cache is not copied (it points into pages_).
  SparseBytes(const SparseBytes& other) : pages_(other.pages_), size_bytes_(other.size_bytes_) {}
  SparseBytes& operator=(const SparseBytes& other) {
    if (this != &other) {
      pages_ = other.pages_;
      size_bytes_ = other.size_bytes_;
      ForgetCachedPage();
    }
    return *this;
  }
  SparseBytes(SparseBytes&& other) noexcept
      : pages_(std::move(other.pages_)), size_bytes_(other.size_bytes_) {
    other.ForgetCachedPage();
  }
  SparseBytes& operator=(SparseBytes&& other) noexcept {
    pages_ = std::move(other.pages_);
    size_bytes_ = other.size_bytes_;
    ForgetCachedPage();
    other.ForgetCachedPage();
    return *this;
  }
  ~SparseBytes() = default;

  uint64_t size_bytes() const { return size_bytes_; }

  // Copies [offset, offset + dst.size()) into dst.
  // REQUIRES: offset + dst.size() <= size_bytes().
  void Read(uint64_t offset, std::span<uint8_t> dst) const;
  uint8_t ByteAt(uint64_t offset) const;

  // Stores data at offset; the size grows to offset + data.size() if smaller
  // (a gap reads as zeros).
  void Write(uint64_t offset, std::span<const uint8_t> data);

  // Sets the size: shrinking drops bytes, growing exposes zeros.
  void Resize(uint64_t size_bytes);

  // Sets [offset, offset + length) to zero. REQUIRES: within size_bytes().
  void Zero(uint64_t offset, uint64_t length);

  // XORs one byte with mask. REQUIRES: offset < size_bytes().
  void XorByte(uint64_t offset, uint8_t mask);

  // The offset of the first non-zero byte at or after offset, or size_bytes()
  // when every byte from offset on is zero (also when offset >= size_bytes()).
  uint64_t FindNonZero(uint64_t offset) const;

  // The whole contents (for tests, demos and introspection).
  std::string ToString() const;

 private:
  std::vector<uint8_t>& PageFor(uint64_t page_index);
  void ForgetCachedPage() {
    cached_page_index_ = kNoPage;
    cached_page_ = nullptr;
  }

  static constexpr uint64_t kNoPage = UINT64_MAX;

  std::map<uint64_t, std::vector<uint8_t>> pages_;  // page index -> kPageBytes bytes
  uint64_t size_bytes_ = 0;
  // The page PageFor returned last: appends hit the same page many times in
  // a row. Map nodes are stable, so the pointer holds until that page is
  // erased (every erase forgets it) or the map is replaced (copy, move).
  uint64_t cached_page_index_ = kNoPage;
  std::vector<uint8_t>* cached_page_ = nullptr;
};

}  // namespace walsim::sim
