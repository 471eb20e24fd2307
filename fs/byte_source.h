// ByteSource: random-access, read-only bytes of known size, from a file or
// from memory. The WAL's frame decoder and the LogStore's segment scanner
// read through it, so the same code decodes a file on any fs::FileSystem and
// a fuzzer's buffer.
//
// ReadAt promises what fs::File::ReadAt does: it fills dst, or fewer bytes
// only at the end (0 at or past it), and fails only with the file's error.
// A source does not own what it reads: the file or memory must outlive it.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <span>

#include "base/status.h"
#include "fs/fs.h"

namespace walsim::fs {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size_bytes() const = 0;
  [[nodiscard]] virtual Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> dst) = 0;
};

// Memory the caller keeps alive.
class SpanByteSource final : public ByteSource {
 public:
  explicit SpanByteSource(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  uint64_t size_bytes() const override { return bytes_.size(); }
  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> dst) override;

 private:
  std::span<const uint8_t> bytes_;
};

// An open file, taken to be size_bytes long (its Size() when the reader
// started: the reader bounds its loops by it).
class FileByteSource final : public ByteSource {
 public:
  FileByteSource(File& file, uint64_t size_bytes) : file_(file), size_bytes_(size_bytes) {}
  uint64_t size_bytes() const override { return size_bytes_; }
  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> dst) override {
    return file_.ReadAt(offset, dst);
  }

 private:
  File& file_;
  uint64_t size_bytes_;
};

}  // namespace walsim::fs
