// SimFs: construction, path resolution and the namespace operations
// (open, remove, rename, list, mkdir, stat, syncdir, lock).
#include "sim/sim_fs.h"

#include <algorithm>

#include "fs/path.h"
#include "sim/sim_handles.h"

namespace walsim::sim {
namespace {

std::string OpenFlags(const fs::OpenOptions& options) {
  std::string flags;
  if (options.create) flags += 'c';
  if (options.exclusive) flags += 'x';
  if (options.truncate) flags += 't';
  flags += options.read_only ? 'r' : 'w';
  return flags;
}

}  // namespace

SimFs::SimFs(SimOptions options)
    : options_(options),
      anchor_(std::make_shared<SimFs*>(this)),
      crash_rng_(Rng(options.seed).Stream("sim/crash")),
      tear_rng_(Rng(options.seed).Stream("sim/tear")),
      write_eio_rng_(Rng(options.seed).Stream("sim/faults/write_eio")),
      read_eio_rng_(Rng(options.seed).Stream("sim/faults/read_eio")),
      short_write_rng_(Rng(options.seed).Stream("sim/faults/short_write")),
      sync_eio_rng_(Rng(options.seed).Stream("sim/faults/sync_eio")),
      sync_lie_rng_(Rng(options.seed).Stream("sim/faults/sync_lie")),
      choice_rng_(Rng(options.seed).Stream("sim/faults/choice")) {
  uint32_t sector = options.sector_size_bytes;
  WALSIM_ASSERT_MSG(sector >= kSectorSizeBytesMin && sector <= kSectorSizeBytesMax &&
                        (sector & (sector - 1)) == 0,
                    "sector_size_bytes must be a power of two within limits");
  for (double p : {options.write_eio_probability, options.read_eio_probability,
                   options.short_write_probability, options.sync_eio_probability,
                   options.sync_lie_probability}) {
    WALSIM_ASSERT_MSG(p >= 0.0 && p <= 1.0, "fault probabilities must be in [0, 1]");
  }
  Inode& root = inodes_[kRootInodeId];
  root.id = kRootInodeId;
  root.is_directory = true;
  root.live_link_count = 1;  // "/" is always reachable
}

SimFs::~SimFs() {
  WALSIM_ASSERT(*anchor_ == this);
  *anchor_ = nullptr;
}

Inode& SimFs::inode(uint64_t id) {
  auto it = inodes_.find(id);
  WALSIM_ASSERT_MSG(it != inodes_.end(), "dangling inode id");
  return it->second;
}

const Inode& SimFs::inode(uint64_t id) const {
  auto it = inodes_.find(id);
  WALSIM_ASSERT_MSG(it != inodes_.end(), "dangling inode id");
  return it->second;
}

Result<SimFs::Lookup> SimFs::Resolve(std::string_view path, std::string_view op) const {
  Status valid = fs::ValidatePath(path);
  if (!valid.ok()) return valid.WithContext(op);
  if (path == "/") return Lookup{0, "", kRootInodeId};
  uint64_t dir_id = kRootInodeId;
  size_t start = 1;
  // Walk the parent's components; bounded by the path length.
  for (size_t end = path.find('/', start); end != std::string_view::npos;
       end = path.find('/', start)) {
    const Inode& dir = inode(dir_id);
    auto it = dir.live_entries.find(std::string(path.substr(start, end - start)));
    if (it == dir.live_entries.end()) {
      return Status::NotFound(Describe(op, path, "no such file or directory"));
    }
    if (!inode(it->second).is_directory) {
      return Status::InvalidArgument(Describe(op, path, "a path component is not a directory"));
    }
    dir_id = it->second;
    start = end + 1;
  }
  Lookup lookup{dir_id, std::string(path.substr(start)), std::nullopt};
  const Inode& parent = inode(dir_id);
  WALSIM_ASSERT(parent.is_directory);
  auto it = parent.live_entries.find(lookup.name);
  if (it != parent.live_entries.end()) lookup.inode_id = it->second;
  return lookup;
}

Result<uint64_t> SimFs::ResolveFile(std::string_view path, std::string_view op) const {
  WALSIM_ASSIGN_OR_RETURN(Lookup lookup, Resolve(path, op));
  if (!lookup.inode_id) return Status::NotFound(Describe(op, path, "no such file"));
  if (inode(*lookup.inode_id).is_directory) {
    return Status::InvalidArgument(Describe(op, path, "is a directory"));
  }
  return *lookup.inode_id;
}

Result<uint64_t> SimFs::NewInode(bool is_directory, std::string_view path) {
  if (inodes_.size() >= kFileCountMax) CollectUnreachable(/*include_live=*/true);
  if (inodes_.size() >= kFileCountMax) {
    return Status::NoSpace(Describe("create", path, "simulated disk holds file_count_max inodes"));
  }
  uint64_t id = next_inode_id_++;
  Inode& node = inodes_[id];
  WALSIM_ASSERT(node.id == 0);
  node.id = id;
  node.is_directory = is_directory;
  return id;
}

void SimFs::LinkLive(uint64_t dir_id, const std::string& name, uint64_t inode_id) {
  Inode& dir = inode(dir_id);
  WALSIM_ASSERT(dir.is_directory);
  auto [it, inserted] = dir.live_entries.emplace(name, inode_id);
  WALSIM_ASSERT_MSG(inserted, "linking over an existing entry");
  inode(inode_id).live_link_count++;
}

void SimFs::UnlinkLive(uint64_t dir_id, const std::string& name) {
  Inode& dir = inode(dir_id);
  auto it = dir.live_entries.find(name);
  WALSIM_ASSERT(it != dir.live_entries.end());
  Inode& target = inode(it->second);
  dir.live_entries.erase(it);
  WALSIM_ASSERT(target.live_link_count > 0);
  target.live_link_count--;
  ReleaseIfUnreachable(target);
}

void SimFs::AddEntryOp(EntryOp op) {
  uint64_t id = next_entry_op_id_++;
  uint64_t dirs[2] = {op.kind == EntryOp::Kind::kLink ? op.to_dir : op.from_dir,
                      op.kind == EntryOp::Kind::kRename ? op.to_dir : 0};
  if (dirs[1] == dirs[0]) dirs[1] = 0;
  entry_ops_.emplace(id, std::move(op));
  for (uint64_t dir_id : dirs) {
    if (dir_id == 0) continue;
    inode(dir_id).pending_entry_ops.push_back(id);
  }
  for (uint64_t dir_id : dirs) {
    if (dir_id == 0) continue;
    size_t pending_count = inode(dir_id).pending_entry_ops.size();
    if (pending_count <= kPendingOpsMax) continue;
    // Like a journal under pressure: the oldest half reaches the disk.
    trace_.Begin(op_count_, "writeback");
    trace_.Field("dir_inode", dir_id);
    trace_.Field("entry_ops", pending_count / 2);
    trace_.End();
    PersistDirPrefix(dir_id, pending_count / 2);
  }
}

Result<uint64_t> SimFs::OpenFileInode(std::string_view path, const fs::OpenOptions& options,
                                      const Lookup& lookup) {
  if (lookup.inode_id) {
    // open(2) checks O_EXCL before it looks at what kind of entry exists.
    if (options.create && options.exclusive) {
      return Status::AlreadyExists(Describe("open", path, "entry exists"));
    }
    if (inode(*lookup.inode_id).is_directory) {
      return Status::InvalidArgument(Describe("open", path, "is a directory"));
    }
    return *lookup.inode_id;
  }
  if (!options.create) return Status::NotFound(Describe("open", path, "no such file"));
  WALSIM_ASSIGN_OR_RETURN(uint64_t id, NewInode(/*is_directory=*/false, path));
  LinkLive(lookup.parent_id, lookup.name, id);
  AddEntryOp({EntryOp::Kind::kLink, 0, "", lookup.parent_id, lookup.name, id});
  return id;
}

Result<std::unique_ptr<fs::File>> SimFs::Open(std::string_view path, fs::OpenOptions options) {
  uint64_t op = ++op_count_;
  Result<uint64_t> opened = [&]() -> Result<uint64_t> {
    WALSIM_RETURN_IF_ERROR(fs::ValidatePath(path).WithContext("open"));
    if (options.truncate && options.read_only) {
      return Status::InvalidArgument(Describe("open", path, "truncate with read_only"));
    }
    WALSIM_ASSIGN_OR_RETURN(Lookup lookup, Resolve(path, "open"));
    return OpenFileInode(path, options, lookup);
  }();
  trace_.Begin(op, "open");
  trace_.Field("path", path);
  trace_.Field("flags", OpenFlags(options));
  if (!opened.ok()) {
    trace_.End(opened.status());
    return opened.status();
  }
  Inode& file = inode(*opened);
  trace_.Field("inode", file.id);
  trace_.End(Status::Ok());
  if (auto armed = path_arms_.find(std::string(path)); armed != path_arms_.end()) {
    for (size_t index = 0; index < kFaultArmCount; index++) {
      file.arms[index] += armed->second[index];
    }
    path_arms_.erase(armed);
  }
  file.open_handle_count++;
  if (options.truncate) ApplyLiveResize(file, 0);
  HandleState state{file.id, epoch_, std::string(path), options.read_only, false};
  return std::unique_ptr<fs::File>(std::make_unique<SimFile>(anchor_, std::move(state)));
}

Status SimFs::Remove(std::string_view path) {
  uint64_t op = ++op_count_;
  Status status = [&]() -> Status {
    WALSIM_ASSIGN_OR_RETURN(Lookup lookup, Resolve(path, "remove"));
    if (lookup.parent_id == 0) {
      return Status::InvalidArgument(Describe("remove", path, "cannot remove the root"));
    }
    if (!lookup.inode_id) return Status::NotFound(Describe("remove", path, "no such entry"));
    const Inode& target = inode(*lookup.inode_id);
    if (target.is_directory && !target.live_entries.empty()) {
      return Status::FailedPrecondition(Describe("remove", path, "directory not empty"));
    }
    UnlinkLive(lookup.parent_id, lookup.name);
    AddEntryOp({EntryOp::Kind::kUnlink, lookup.parent_id, lookup.name, 0, "", 0});
    return Status::Ok();
  }();
  trace_.Begin(op, "remove");
  trace_.Field("path", path);
  trace_.End(status);
  return status;
}

bool SimFs::IsAncestor(uint64_t ancestor_id, uint64_t inode_id) const {
  // Walks down from ancestor_id; directories are a tree, so this is bounded
  // by the inode count.
  if (ancestor_id == inode_id) return true;
  const Inode& node = inode(ancestor_id);
  if (!node.is_directory) return false;
  return std::any_of(node.live_entries.begin(), node.live_entries.end(),
                     [&](const auto& entry) { return IsAncestor(entry.second, inode_id); });
}

Status SimFs::CheckRename(const Lookup& from, const Lookup& to, std::string_view from_path,
                          std::string_view to_path) const {
  // Messages name both paths, as rename(2) failures are about the pair.
  std::string pair = std::string(from_path) + " -> " + std::string(to_path);
  if (from.parent_id == 0 || to.parent_id == 0) {
    return Status::InvalidArgument(Describe("rename", pair, "cannot rename the root"));
  }
  if (!from.inode_id) return Status::NotFound(Describe("rename", pair, "no such entry"));
  const Inode& source = inode(*from.inode_id);
  if (source.is_directory && IsAncestor(source.id, to.parent_id)) {
    return Status::InvalidArgument(
        Describe("rename", pair, "cannot move a directory inside itself"));
  }
  if (!to.inode_id || *to.inode_id == source.id) return Status::Ok();
  const Inode& target = inode(*to.inode_id);
  if (source.is_directory != target.is_directory) {
    return Status::FailedPrecondition(Describe("rename", pair,
                                               source.is_directory
                                                   ? "cannot replace a file by a directory"
                                                   : "cannot replace a directory by a file"));
  }
  if (target.is_directory && !target.live_entries.empty()) {
    return Status::FailedPrecondition(Describe("rename", pair, "target directory not empty"));
  }
  return Status::Ok();
}

Status SimFs::Rename(std::string_view from, std::string_view to) {
  uint64_t op = ++op_count_;
  Status status = [&]() -> Status {
    WALSIM_RETURN_IF_ERROR(fs::ValidatePath(from).WithContext("rename"));
    WALSIM_RETURN_IF_ERROR(fs::ValidatePath(to).WithContext("rename"));
    // rename(2) reports a file used as a directory as ENOTDIR, which PosixFs
    // maps to kFailedPrecondition for renames (fs/posix_fs.h).
    auto refine = [](Status resolved) {
      if (!resolved.Is(StatusCode::kInvalidArgument)) return resolved;
      return Status::FailedPrecondition(resolved.message());
    };
    Result<Lookup> source_lookup = Resolve(from, "rename");
    if (!source_lookup.ok()) return refine(source_lookup.status());
    Result<Lookup> target_lookup = Resolve(to, "rename");
    if (!target_lookup.ok()) return refine(target_lookup.status());
    const Lookup& source = *source_lookup;
    const Lookup& target = *target_lookup;
    WALSIM_RETURN_IF_ERROR(CheckRename(source, target, from, to));
    if (target.inode_id == source.inode_id) return Status::Ok();  // rename(2): a no-op
    if (target.inode_id) UnlinkLive(target.parent_id, target.name);
    LinkLive(target.parent_id, target.name, *source.inode_id);
    UnlinkLive(source.parent_id, source.name);
    AddEntryOp({EntryOp::Kind::kRename, source.parent_id, source.name, target.parent_id,
                target.name, *source.inode_id});
    return Status::Ok();
  }();
  trace_.Begin(op, "rename");
  trace_.Field("from", from);
  trace_.Field("to", to);
  trace_.End(status);
  return status;
}

Result<std::vector<std::string>> SimFs::List(std::string_view dir) {
  uint64_t op = ++op_count_;
  Result<std::vector<std::string>> names = [&]() -> Result<std::vector<std::string>> {
    WALSIM_ASSIGN_OR_RETURN(Lookup lookup, Resolve(dir, "list"));
    if (!lookup.inode_id) return Status::NotFound(Describe("list", dir, "no such directory"));
    const Inode& node = inode(*lookup.inode_id);
    if (!node.is_directory)
      return Status::InvalidArgument(Describe("list", dir, "not a directory"));
    std::vector<std::string> out;
    out.reserve(node.live_entries.size());
    for (const auto& [name, id] : node.live_entries) out.push_back(name);  // std::map: sorted
    return out;
  }();
  trace_.Begin(op, "list");
  trace_.Field("path", dir);
  if (names.ok()) trace_.Field("entries", names->size());
  trace_.End(names.ok() ? Status::Ok() : names.status());
  return names;
}

Status SimFs::MkDir(std::string_view path) {
  uint64_t op = ++op_count_;
  Status status = [&]() -> Status {
    WALSIM_ASSIGN_OR_RETURN(Lookup lookup, Resolve(path, "mkdir"));
    if (lookup.inode_id) return Status::AlreadyExists(Describe("mkdir", path, "entry exists"));
    WALSIM_ASSIGN_OR_RETURN(uint64_t id, NewInode(/*is_directory=*/true, path));
    LinkLive(lookup.parent_id, lookup.name, id);
    AddEntryOp({EntryOp::Kind::kLink, 0, "", lookup.parent_id, lookup.name, id});
    return Status::Ok();
  }();
  trace_.Begin(op, "mkdir");
  trace_.Field("path", path);
  trace_.End(status);
  return status;
}

Result<fs::FileInfo> SimFs::Stat(std::string_view path) {
  uint64_t op = ++op_count_;
  Result<fs::FileInfo> info = [&]() -> Result<fs::FileInfo> {
    WALSIM_ASSIGN_OR_RETURN(Lookup lookup, Resolve(path, "stat"));
    if (!lookup.inode_id) return Status::NotFound(Describe("stat", path, "no such entry"));
    const Inode& node = inode(*lookup.inode_id);
    return fs::FileInfo{node.is_directory ? 0 : node.live.size_bytes(), node.is_directory};
  }();
  trace_.Begin(op, "stat");
  trace_.Field("path", path);
  if (info.ok()) trace_.Field("size", info->size_bytes);
  trace_.End(info.ok() ? Status::Ok() : info.status());
  return info;
}

Status SimFs::SyncDir(std::string_view path) {
  uint64_t op = ++op_count_;
  size_t persisted_count = 0;
  Status status = [&]() -> Status {
    WALSIM_ASSIGN_OR_RETURN(Lookup lookup, Resolve(path, "syncdir"));
    if (!lookup.inode_id) return Status::NotFound(Describe("syncdir", path, "no such directory"));
    Inode& dir = inode(*lookup.inode_id);
    if (!dir.is_directory) {
      return Status::InvalidArgument(Describe("syncdir", path, "not a directory"));
    }
    persisted_count = dir.pending_entry_ops.size();
    PersistDirPrefix(dir.id, persisted_count);
    WALSIM_ASSERT(dir.pending_entry_ops.empty() && dir.durable_entries == dir.live_entries);
    return Status::Ok();
  }();
  trace_.Begin(op, "syncdir");
  trace_.Field("path", path);
  trace_.Field("entry_ops", persisted_count);
  trace_.End(status);
  return status;
}

Result<std::unique_ptr<fs::FileLock>> SimFs::Lock(std::string_view path) {
  uint64_t op = ++op_count_;
  Result<uint64_t> locked = [&]() -> Result<uint64_t> {
    WALSIM_ASSIGN_OR_RETURN(uint64_t id, ResolveFile(path, "lock"));
    if (locks_.contains(id)) return Status::Busy(Describe("lock", path, "held by another handle"));
    uint64_t token = next_lock_token_++;
    locks_.emplace(id, token);
    return id;
  }();
  trace_.Begin(op, "lock");
  trace_.Field("path", path);
  trace_.End(locked.ok() ? Status::Ok() : locked.status());
  if (!locked.ok()) return locked.status();
  uint64_t token = locks_.at(*locked);
  return std::unique_ptr<fs::FileLock>(
      std::make_unique<SimFileLock>(anchor_, *locked, token, epoch_, std::string(path)));
}

Status SimFs::LockRelease(uint64_t inode_id, uint64_t token, uint64_t epoch,
                          const std::string& path, bool* released) {
  uint64_t op = ++op_count_;
  Status status = Status::Ok();
  if (epoch != epoch_) {
    status = Status::Closed(Describe("unlock", path, "lock was released by a crash"));
  } else if (!*released) {
    auto it = locks_.find(inode_id);
    WALSIM_ASSERT_MSG(it != locks_.end() && it->second == token, "lock table lost a held lock");
    locks_.erase(it);
    *released = true;
  }
  trace_.Begin(op, "unlock");
  trace_.Field("path", path);
  trace_.End(status);
  return status;
}

}  // namespace walsim::sim
