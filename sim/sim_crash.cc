// SimFs durability of directory entries, Crash(), and the garbage collection
// of inodes that no name, handle or pending entry operation can reach.
#include <vector>

#include "fs/path.h"
#include "sim/crash_image.h"
#include "sim/sim_fs.h"

namespace walsim::sim {

void SimFs::PersistEntryOp(uint64_t entry_op_id) {
  auto found = entry_ops_.find(entry_op_id);
  WALSIM_ASSERT_MSG(found != entry_ops_.end(), "persisting an unknown entry op");
  const EntryOp op = found->second;  // a copy: the recursion below edits entry_ops_
  uint64_t dirs[2] = {op.kind == EntryOp::Kind::kLink ? op.to_dir : op.from_dir,
                      op.kind == EntryOp::Kind::kRename ? op.to_dir : 0};
  if (dirs[1] == dirs[0]) dirs[1] = 0;
  // Each directory persists its entry operations as a prefix, so everything
  // issued before this op in each of its directories goes first. Ids only
  // decrease along the recursion, so it ends.
  for (uint64_t dir_id : dirs) {
    if (dir_id == 0) continue;
    Inode& dir = inode(dir_id);
    for (size_t bound = dir.pending_entry_ops.size(); bound > 0; bound--) {
      WALSIM_ASSERT(!dir.pending_entry_ops.empty());
      uint64_t front = dir.pending_entry_ops.front();
      if (front == entry_op_id) break;
      WALSIM_ASSERT(front < entry_op_id);
      PersistEntryOp(front);
    }
    WALSIM_ASSERT(dir.pending_entry_ops.front() == entry_op_id);
  }
  if (op.kind != EntryOp::Kind::kLink) {
    size_t erased = inode(op.from_dir).durable_entries.erase(op.from_name);
    WALSIM_ASSERT_MSG(erased == 1, "durable entries lost their prefix invariant");
  }
  if (op.kind != EntryOp::Kind::kUnlink) {
    inode(op.to_dir).durable_entries[op.to_name] = op.inode;
  }
  for (uint64_t dir_id : dirs) {
    if (dir_id != 0) inode(dir_id).pending_entry_ops.pop_front();
  }
  entry_ops_.erase(entry_op_id);
}

void SimFs::PersistDirPrefix(uint64_t dir_id, size_t count) {
  Inode& dir = inode(dir_id);
  WALSIM_ASSERT(dir.is_directory && count <= dir.pending_entry_ops.size());
  // Persisting one op may pull in earlier ops of this directory only through
  // other directories' ops that precede it, never later ones; the front op is
  // persisted each pass.
  for (size_t done = 0; done < count && !dir.pending_entry_ops.empty(); done++) {
    PersistEntryOp(dir.pending_entry_ops.front());
  }
}

void SimFs::Crash() { Crash(options_.crash_model); }

void SimFs::Crash(CrashModel model) {
  epoch_++;
  trace_.Begin(0, "crash");
  trace_.Field("model", CrashModelName(model));
  trace_.Field("epoch", epoch_);
  trace_.Field("after_op", op_count_);
  trace_.End();
  locks_.clear();
  for (auto& [id, node] : inodes_) node.split_unit_end.reset();  // a new boot
  CrashDirectories(model);
  CollectUnreachable(/*include_live=*/false);
  CrashFiles(model);
  RecountLinksAndUsage();
  // After a crash nothing is pending: live is durable, for files and directories.
  WALSIM_ASSERT(entry_ops_.empty() && locks_.empty());
  if constexpr (kSlowAssertsOn) {
    for (const auto& [id, node] : inodes_) {
      WALSIM_ASSERT_SLOW(node.pending.empty() && node.pending_entry_ops.empty());
      WALSIM_ASSERT_SLOW(node.live.size_bytes() == node.durable.size_bytes());
      WALSIM_ASSERT_SLOW(node.live_entries == node.durable_entries);
    }
  }
}

void SimFs::CrashDirectories(CrashModel model) {
  CrashDecider decider(&crash_rng_, &tear_rng_, crash_choices_);
  std::vector<uint64_t> dir_ids;
  for (const auto& [id, node] : inodes_) {
    if (node.is_directory) dir_ids.push_back(id);
  }
  for (uint64_t dir_id : dir_ids) {
    Inode& dir = inode(dir_id);
    size_t pending_count = dir.pending_entry_ops.size();
    if (pending_count == 0) continue;
    size_t kept_count = model == CrashModel::kClean ? 0 : decider.Between(0, pending_count);
    trace_.Begin(0, "crash_dir");
    trace_.Field("inode", dir_id);
    trace_.Field("kept_entry_ops", kept_count);
    trace_.Field("of", pending_count);
    trace_.End();
    PersistDirPrefix(dir_id, kept_count);
  }
  for (uint64_t dir_id : dir_ids) {
    Inode& dir = inode(dir_id);
    dir.pending_entry_ops.clear();
    dir.live_entries = dir.durable_entries;
  }
  entry_ops_.clear();
}

void SimFs::CrashFiles(CrashModel model) {
  CrashDecider decider(&crash_rng_, &tear_rng_, crash_choices_);
  std::map<uint64_t, std::string> paths = DurablePaths();
  CrashImageOptions image_options{model, options_.sector_size_bytes, options_.atomic_sector,
                                  options_.size_before_data, options_.random_tear_fill};
  std::string decisions;
  for (auto& [id, node] : inodes_) {
    if (node.is_directory) continue;
    if (!node.pending.empty()) {
      decisions.clear();
      SparseBytes image =
          BuildCrashImage(node.durable, node.pending, image_options, &decider, &decisions);
      auto path = paths.find(id);
      WALSIM_ASSERT_MSG(path != paths.end(), "a file survived the crash without a durable name");
      trace_.Begin(0, "crash_file");
      trace_.Field("path", path->second);
      trace_.Field("pending_ops", node.pending.op_count());
      trace_.Append(decisions);
      trace_.Field("size", image.size_bytes());
      trace_.End();
      node.durable = std::move(image);
    }
    node.live = node.durable;
    node.pending.Clear();
    node.reserved_bytes = 0;
  }
}

std::map<uint64_t, std::string> SimFs::DurablePaths() const {
  std::map<uint64_t, std::string> paths{{kRootInodeId, "/"}};
  std::vector<uint64_t> stack{kRootInodeId};
  // Each inode is pushed once (a tree), so this is bounded by the inode count.
  for (size_t bound = inodes_.size() + 1; !stack.empty() && bound > 0; bound--) {
    uint64_t dir_id = stack.back();
    stack.pop_back();
    std::string dir_path = paths.at(dir_id);
    for (const auto& [name, child] : inode(dir_id).durable_entries) {
      auto [it, inserted] = paths.emplace(child, fs::Join(dir_path, name));
      if (inserted && inode(child).is_directory) stack.push_back(child);
    }
  }
  return paths;
}

void SimFs::CollectUnreachable(bool include_live) {
  std::set<uint64_t> marked{kRootInodeId};
  std::vector<uint64_t> stack{kRootInodeId};
  auto mark = [&](uint64_t id) {
    if (id != 0 && inodes_.contains(id) && marked.insert(id).second) stack.push_back(id);
  };
  if (include_live) {
    // Anything a handle, a lock or a not-yet-durable entry op names may still
    // be read, or come back after a crash.
    for (const auto& [id, node] : inodes_) {
      if (node.open_handle_count > 0) mark(id);
    }
    for (const auto& [id, token] : locks_) mark(id);
    for (const auto& [id, op] : entry_ops_) {
      mark(op.from_dir);
      mark(op.to_dir);
      mark(op.inode);
    }
  }
  for (size_t bound = inodes_.size() + 1; !stack.empty() && bound > 0; bound--) {
    const Inode& node = inode(stack.back());
    stack.pop_back();
    for (const auto& [name, child] : node.durable_entries) mark(child);
    if (include_live) {
      for (const auto& [name, child] : node.live_entries) mark(child);
    }
  }
  WALSIM_ASSERT(stack.empty());
  std::erase_if(inodes_, [&](const auto& entry) { return !marked.contains(entry.first); });
}

void SimFs::RecountLinksAndUsage() {
  for (auto& [id, node] : inodes_) {
    node.live_link_count = id == kRootInodeId ? 1 : 0;
    node.open_handle_count = 0;
  }
  for (const auto& [id, node] : inodes_) {
    for (const auto& [name, child] : node.live_entries) inode(child).live_link_count++;
  }
  used_bytes_ = 0;
  for (const auto& [id, node] : inodes_) {
    if (!node.is_directory && node.live_link_count > 0) {
      used_bytes_ += std::max(node.live.size_bytes(), node.reserved_bytes);
    }
  }
}

}  // namespace walsim::sim
