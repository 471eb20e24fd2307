// SimFs fault injection (one-shot arms, latent sectors, bit rot), platter
// damage helpers and introspection.
#include <algorithm>

#include "sim/sim_fs.h"
#include "sim/sim_handles.h"

namespace walsim::sim {
namespace {

std::string_view ArmName(FaultArm arm) {
  switch (arm) {
    case FaultArm::kWriteEio:
      return "write_eio";
    case FaultArm::kReadEio:
      return "read_eio";
    case FaultArm::kShortWrite:
      return "short_write";
    case FaultArm::kNoSpace:
      return "no_space";
    case FaultArm::kSyncEio:
      return "sync_eio";
    case FaultArm::kSyncLie:
      return "sync_lie";
    case FaultArm::kMisdirect:
      return "misdirect";
  }
  WALSIM_UNREACHABLE();
}

}  // namespace

void SimFs::Arm(std::string_view path, FaultArm arm, std::string_view name) {
  WALSIM_ASSERT(ArmName(arm) == name);
  trace_.Begin(0, "inject");
  trace_.Field("kind", name);
  trace_.Field("path", path);
  Result<Lookup> lookup = Resolve(path, "inject");
  if (!lookup.ok()) {
    trace_.End(lookup.status());  // a bad path arms nothing; the trace says so
    return;
  }
  if (lookup->inode_id && inode(*lookup->inode_id).is_directory) {
    trace_.End(Status::InvalidArgument("inject " + std::string(path) + ": is a directory"));
    return;
  }
  if (lookup->inode_id) {
    inode(*lookup->inode_id).arms[static_cast<size_t>(arm)]++;
    trace_.Field("armed", "file");
  } else {
    path_arms_[std::string(path)][static_cast<size_t>(arm)]++;
    trace_.Field("armed", "path");
  }
  trace_.End(Status::Ok());
}

void SimFs::DisarmAll() {
  trace_.Begin(0, "disarm");
  path_arms_.clear();
  for (auto& [id, node] : inodes_) node.arms = {};
  trace_.End(Status::Ok());
}

void SimFs::InjectWriteEio(std::string_view path) { Arm(path, FaultArm::kWriteEio, "write_eio"); }
void SimFs::InjectReadEio(std::string_view path) { Arm(path, FaultArm::kReadEio, "read_eio"); }
void SimFs::InjectShortWrite(std::string_view path) {
  Arm(path, FaultArm::kShortWrite, "short_write");
}
void SimFs::InjectNoSpace(std::string_view path) { Arm(path, FaultArm::kNoSpace, "no_space"); }
void SimFs::InjectSyncEio(std::string_view path) { Arm(path, FaultArm::kSyncEio, "sync_eio"); }
void SimFs::InjectSyncLie(std::string_view path) { Arm(path, FaultArm::kSyncLie, "sync_lie"); }
void SimFs::InjectMisdirectedWrite(std::string_view path) {
  Arm(path, FaultArm::kMisdirect, "misdirect");
}

void SimFs::TraceDamage(std::string_view name, std::string_view path, const Status& status) {
  trace_.Begin(0, name);
  trace_.Field("path", path);
  trace_.End(status);
}

Result<Inode*> SimFs::FileForDamage(std::string_view path, std::string_view op) {
  WALSIM_ASSIGN_OR_RETURN(uint64_t id, ResolveFile(path, op));
  return &inode(id);
}

Status SimFs::AddLatentSectorError(std::string_view path, uint64_t sector_index) {
  Result<Inode*> file = FileForDamage(path, "latent");
  if (file.ok()) (*file)->latent_sectors.insert(sector_index);
  Status status = file.ok() ? Status::Ok() : file.status();
  trace_.Begin(0, "latent");
  trace_.Field("path", path);
  trace_.Field("sector", sector_index);
  trace_.End(status);
  return status;
}

Status SimFs::FlipBit(std::string_view path, uint64_t bit_offset) {
  Status status = [&]() -> Status {
    WALSIM_ASSIGN_OR_RETURN(Inode * file, FileForDamage(path, "bitrot"));
    uint64_t offset = bit_offset / 8;
    if (offset >= file->durable.size_bytes()) {
      return Status::InvalidArgument("bitrot " + std::string(path) + ": bit " +
                                     std::to_string(bit_offset) + " is past the durable size " +
                                     std::to_string(file->durable.size_bytes()));
    }
    auto mask = static_cast<uint8_t>(1u << (bit_offset % 8));
    file->durable.XorByte(offset, mask);
    if (offset < file->live.size_bytes()) file->live.XorByte(offset, mask);
    return Status::Ok();
  }();
  trace_.Begin(0, "bitrot");
  trace_.Field("path", path);
  trace_.Field("bit", bit_offset);
  trace_.End(status);
  return status;
}

// The damage helpers first settle the file: what the page cache shows is
// what the platter holds, with nothing pending that a crash could drop or
// replay over the damage.
namespace {
void Settle(Inode* file) {
  file->durable = file->live;
  file->pending.Clear();
  WALSIM_ASSERT(file->durable.size_bytes() == file->live.size_bytes());
}
}  // namespace

Status SimFs::CorruptByte(std::string_view path, uint64_t offset, uint8_t xor_mask) {
  Status status = [&]() -> Status {
    WALSIM_ASSIGN_OR_RETURN(Inode * file, FileForDamage(path, "corrupt"));
    if (offset >= file->live.size_bytes()) {
      return Status::InvalidArgument("corrupt " + std::string(path) + ": offset " +
                                     std::to_string(offset) + " is past the size " +
                                     std::to_string(file->live.size_bytes()));
    }
    Settle(file);
    file->live.XorByte(offset, xor_mask);
    file->durable.XorByte(offset, xor_mask);
    return Status::Ok();
  }();
  TraceDamage("corrupt", path, status);
  return status;
}

Status SimFs::ZeroRange(std::string_view path, uint64_t offset, uint64_t length) {
  Status status = [&]() -> Status {
    WALSIM_ASSIGN_OR_RETURN(Inode * file, FileForDamage(path, "zero"));
    uint64_t size_bytes = file->live.size_bytes();
    if (offset > size_bytes || length > size_bytes - offset) {
      return Status::InvalidArgument("zero " + std::string(path) + ": range [" +
                                     std::to_string(offset) + ", +" + std::to_string(length) +
                                     ") is past the size " + std::to_string(size_bytes));
    }
    Settle(file);
    file->live.Zero(offset, length);
    file->durable.Zero(offset, length);
    return Status::Ok();
  }();
  TraceDamage("zero", path, status);
  return status;
}

Status SimFs::TruncateStored(std::string_view path, uint64_t size_bytes) {
  Status status = [&]() -> Status {
    WALSIM_ASSIGN_OR_RETURN(Inode * file, FileForDamage(path, "truncate_stored"));
    if (size_bytes > kFileSizeBytesMax) {
      return Status::InvalidArgument("truncate_stored " + std::string(path) +
                                     ": past file_size_bytes_max");
    }
    Settle(file);
    uint64_t old_allocated = std::max(file->live.size_bytes(), file->reserved_bytes);
    if (size_bytes < file->live.size_bytes()) {
      file->reserved_bytes = std::min(file->reserved_bytes, size_bytes);
    }
    file->live.Resize(size_bytes);
    file->durable.Resize(size_bytes);
    Recharge(*file, old_allocated);  // damage is not capacity-checked: it is the platter's doing
    return Status::Ok();
  }();
  TraceDamage("truncate_stored", path, status);
  return status;
}

Result<std::optional<uint64_t>> SimFs::FirstNonZeroLiveByte(std::string_view path,
                                                            uint64_t offset) const {
  WALSIM_ASSIGN_OR_RETURN(uint64_t id, ResolveFile(path, "first_non_zero_live_byte"));
  const SparseBytes& live = inode(id).live;
  const uint64_t found = live.FindNonZero(offset);
  if (found >= live.size_bytes()) return std::optional<uint64_t>();
  return std::optional<uint64_t>(found);
}

std::vector<SimFs::UnitSplit> SimFs::TakeUnitSplits() {
  std::vector<UnitSplit> taken;
  taken.swap(unit_splits_);
  return taken;
}

Result<std::string> SimFs::ReadDurable(std::string_view path) const {
  WALSIM_ASSIGN_OR_RETURN(uint64_t id, ResolveFile(path, "read_durable"));
  return inode(id).durable.ToString();
}

Result<std::vector<std::string>> SimFs::UnsettledFiles(std::string_view dir) const {
  WALSIM_ASSIGN_OR_RETURN(Lookup lookup, Resolve(dir, "unsettled_files"));
  if (!lookup.inode_id) {
    return Status::NotFound(Describe("unsettled_files", dir, "no such directory"));
  }
  const Inode& node = inode(*lookup.inode_id);
  if (!node.is_directory) {
    return Status::InvalidArgument(Describe("unsettled_files", dir, "not a directory"));
  }
  std::vector<std::string> unsettled;
  for (const auto& [name, id] : node.live_entries) {  // std::map: sorted
    const Inode& file = inode(id);
    if (file.is_directory) continue;
    const auto durable_entry = node.durable_entries.find(name);
    const bool entry_durable =
        durable_entry != node.durable_entries.end() && durable_entry->second == id;
    // After a failed fsync the pending log is empty yet live != durable.
    const bool contents_durable = file.pending.empty() &&
                                  file.live.size_bytes() == file.durable.size_bytes() &&
                                  file.live.ToString() == file.durable.ToString();
    if (!entry_durable || !contents_durable) unsettled.push_back(name);
  }
  return unsettled;
}

}  // namespace walsim::sim
