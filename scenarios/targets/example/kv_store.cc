#include "scenarios/targets/example/kv_store.h"

#include <vector>

#include "base/coding.h"
#include "base/crc32c.h"

namespace walsim::targets::example {
namespace {

constexpr size_t kHeaderBytes = 8;  // length, crc
constexpr size_t kKeyBytes = 8;
constexpr uint64_t kRecordCountMax = uint64_t{1} << 24;

}  // namespace

Result<std::unique_ptr<AppendKv>> AppendKv::Open(fs::FileSystem& fs, const std::string& dir,
                                                 const AppendKvOptions& options) {
  const std::string path = dir + "/kv.log";
  const bool existed = fs.Stat(path).ok();
  WALSIM_ASSIGN_OR_RETURN(std::unique_ptr<fs::File> file, fs.Open(path, {.create = true}));
  if (!existed) WALSIM_RETURN_IF_ERROR(fs.SyncDir(dir));  // the new entry must survive
  std::unique_ptr<AppendKv> store(new AppendKv(std::move(file), options));
  WALSIM_RETURN_IF_ERROR(store->Recover());
  return store;
}

Status AppendKv::Recover() {
  WALSIM_ASSIGN_OR_RETURN(const uint64_t size_bytes, file_->Size());
  std::vector<uint8_t> bytes(size_bytes);
  WALSIM_ASSIGN_OR_RETURN(const size_t read_bytes, file_->ReadAt(0, bytes));
  bytes.resize(read_bytes);
  uint64_t offset = 0;
  for (uint64_t record = 0; record < kRecordCountMax; record++) {
    if (bytes.size() - offset < kHeaderBytes) break;
    const uint32_t length = DecodeFixed32(&bytes[offset]);
    const uint32_t crc = DecodeFixed32(&bytes[offset + 4]);
    if (length < kKeyBytes || length > kKeyBytes + kKvValueBytesMax) break;
    if (bytes.size() - offset - kHeaderBytes < length) {
      if (!options_.retry_short_read) break;
      // The planted bug: nothing appends while Open runs, so this never ends.
      for (size_t whole_bytes = 0; whole_bytes < offset + kHeaderBytes + length;) {
        WALSIM_ASSIGN_OR_RETURN(whole_bytes, file_->ReadAt(0, bytes));
      }
    }
    const std::span<const uint8_t> payload(&bytes[offset + kHeaderBytes], length);
    if (Crc32c(payload) != crc) break;
    state_[DecodeFixed64(payload.data())] =
        std::string(reinterpret_cast<const char*>(payload.data()) + kKeyBytes, length - kKeyBytes);
    offset += kHeaderBytes + length;
  }
  end_bytes_ = offset;
  dropped_tail_bytes_ = size_bytes - offset;
  if (dropped_tail_bytes_ == 0) return Status::Ok();
  WALSIM_RETURN_IF_ERROR(file_->Truncate(offset));
  return file_->Sync();
}

Status AppendKv::Put(uint64_t key, const std::string& value) {
  WALSIM_ASSERT(value.size() <= kKvValueBytesMax);
  if (failed_) return Status::FailedPrecondition("an earlier Put failed: reopen the store");
  std::string record;
  std::string payload;
  PutFixed64(&payload, key);
  payload += value;
  PutFixed32(&record, static_cast<uint32_t>(payload.size()));
  PutFixed32(&record, Crc32c(AsBytes(payload)));
  record += payload;
  Status status = file_->WriteAt(end_bytes_, AsBytes(record));
  if (status.ok() && !options_.skip_sync) status = file_->SyncData();
  if (!status.ok()) {
    failed_ = true;
    return status;
  }
  end_bytes_ += record.size();
  state_[key] = value;
  return Status::Ok();
}

}  // namespace walsim::targets::example
