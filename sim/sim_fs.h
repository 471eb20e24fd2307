// SimFs: the deterministic simulated disk. It implements fs::FileSystem in
// memory and is the contract walsim's production code is tested against.
//
// Fault model (after TigerBeetle's testing/storage.zig and Pebble's
// vfs/mem_fs.go). Every file has a LIVE copy (what reads see: the page cache)
// and a DURABLE copy (what survives a crash), and between them the file's
// unsynced writes and size changes in issue order. Every directory has live
// and durable entries and its unsynced entry operations in issue order.
//   - write, truncate, allocate change the live copy only;
//   - File::Sync and File::SyncData make the file's pending writes and size
//     changes durable (the directory entry is not touched);
//   - create, rename, remove change live entries; SyncDir makes a directory's
//     pending entry operations durable. A rename between two directories is
//     one operation in both lists, so it persists atomically: after a crash
//     the file is under the old name or the new one, never both or neither;
//   - Crash() throws away everything live and rebuilds it from the durable
//     state plus a seeded choice of pending state (the crash model):
//       clean    exactly the durable state (the zero-value options);
//       prefix   each file's pending ops persist in issue order up to a seeded
//                point; the write at that point may persist a strict prefix
//                of its sectors, the next sector possibly torn;
//       reorder  each sector of each pending write (and each size change)
//                persists or not independently, applied in issue order;
//     with atomic_sector == false a partially persisted sector holds a prefix
//     of new bytes, then old bytes, zeros or (random_tear_fill) random bytes;
//     with size_before_data the size of a lost append may persist, its data
//     reading as zeros; and (prefix and reorder) each directory keeps a seeded prefix
//     of its pending entry operations. A file whose entry never became durable
//     vanishes, even if its data was synced.
//   - device faults sit on top of this pristine data: legal ones (EIO on
//     write or read, ENOSPC, short write, fsync EIO with Linux semantics) and
//     illegal ones (lying fsync, bit rot, latent sector error, misdirected
//     write). See docs/simulated-disk.md for the table and one test per rule.
// Capacity accounting (capacity_bytes): used_bytes() is always the sum, over
// every file that has a live name or an open handle, of its allocated bytes,
// max(live size, fallocate KEEP_SIZE reservation). So a write, truncate or
// allocate is charged only for the bytes it adds beyond the file's current
// allocation and fails with kNoSpace (changing nothing) when those do not fit;
// shrinking a file releases the bytes past its new size (reservations
// included) at once, and a file's whole allocation is released when its last
// name and last handle are gone. Unsynced state counts as allocated (as in a
// page cache with delayed allocation, the space is taken when the call
// succeeds). After a crash, used_bytes() is recounted from the surviving files.
// Limits: file_size_bytes_max, file_count_max (inodes), pending_ops_max and
// pending_bytes_max per file and per directory; past a pending limit the
// oldest half is written back (made durable), as a page cache under memory
// pressure may do, and the trace says so.
//
// Determinism: every random decision comes from a named Rng stream of
// options.seed ("sim/crash", "sim/tear", "sim/faults/<kind>"), except crash
// decisions while a CrashChoices is set (set_crash_choices: the explorer
// enumerates them); ordered containers only. Every operation and every fault
// and crash decision appends a trace line; same seed + same operations =>
// same trace_hash().
//
// Thread-safety: none. One thread uses a SimFs and its handles. Handles may
// outlive the SimFs; they then return kClosed.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/rng.h"
#include "base/status.h"
#include "fs/fs.h"
#include "sim/crash_choices.h"
#include "sim/inode.h"
#include "sim/sim_options.h"
#include "sim/trace.h"

namespace walsim::sim {

class SimFile;
class SimFileLock;

class SimFs final : public fs::FileSystem {
 public:
  // Limits (see the header comment for what happens at each).
  static constexpr uint64_t kFileSizeBytesMax = uint64_t{1} << 40;   // kNoSpace past it
  static constexpr size_t kFileCountMax = size_t{1} << 16;           // inodes; kNoSpace past it
  static constexpr size_t kPendingOpsMax = size_t{1} << 14;          // per file / per directory
  static constexpr uint64_t kPendingBytesMax = uint64_t{256} << 20;  // per file
  static_assert(kPendingBytesMax < kFileSizeBytesMax);

  // An empty disk holding only "/". REQUIRES: options are valid (see SimOptions).
  explicit SimFs(SimOptions options);
  ~SimFs() override;

  // fs::FileSystem (fs/fs.h), with the promises documented there and the
  // durability rules above. Error codes match PosixFs (fs/posix_fs.h), so the
  // two are indistinguishable without crashes and faults.
  Result<std::unique_ptr<fs::File>> Open(std::string_view path, fs::OpenOptions options) override;
  Status Remove(std::string_view path) override;
  Status Rename(std::string_view from, std::string_view to) override;
  Result<std::vector<std::string>> List(std::string_view dir) override;
  Status MkDir(std::string_view path) override;
  Result<fs::FileInfo> Stat(std::string_view path) override;
  Status SyncDir(std::string_view path) override;
  Result<std::unique_ptr<fs::FileLock>> Lock(std::string_view path) override;

  // Crash: every open File and FileLock handle becomes dead (methods return
  // kClosed; locks are released), and the disk becomes the durable state plus
  // a seeded choice of unsynced state per the crash model. Afterwards live
  // equals durable everywhere. Crash() uses options().crash_model.
  void Crash();
  void Crash(CrashModel model);
  // Crash decisions come from choices instead of the seeded streams until
  // reset with nullptr (sim/crash_choices.h). Not owned; REQUIRES: it
  // outlives every crash made while set.
  void set_crash_choices(CrashChoices* choices) { crash_choices_ = choices; }

  // One-shot device faults, armed on the file now at path (or, if no file is
  // there yet, on the path, moving to the file when it is opened). Arming
  // twice fails two operations.
  void InjectWriteEio(std::string_view path);    // next write: kIoError, nothing written
  void InjectReadEio(std::string_view path);     // next read: kIoError, nothing read
  void InjectShortWrite(std::string_view path);  // next write: a seeded strict prefix, kIoError
  void InjectNoSpace(std::string_view path);     // next write/allocate: kNoSpace, nothing written
  // Next Sync/SyncData: kIoError; the pending writes are marked clean (live,
  // NOT durable); the following sync returns OK without making them durable.
  void InjectSyncEio(std::string_view path);
  void InjectSyncLie(std::string_view path);  // next sync: OK, nothing durable (illegal)
  // Next write lands at another seeded sector-aligned offset of the same file
  // and returns OK (illegal).
  void InjectMisdirectedWrite(std::string_view path);
  // Disarms every one-shot device fault still armed (on files and on
  // paths); latent sectors and damage already done stay. For a run whose
  // faults stop: nothing armed earlier may fire later.
  void DisarmAll();
  // Reads touching the sector fail with kIoError from now on, across crashes
  // (illegal). Failure: kNotFound, kInvalidArgument (bad path, a directory).
  Status AddLatentSectorError(std::string_view path, uint64_t sector_index);
  // Bit rot (illegal): flips the bit in the durable copy and, where it exists,
  // the live copy. Failure: kInvalidArgument when bit_offset / 8 is not below
  // the durable size; kNotFound; kInvalidArgument for a directory.
  Status FlipBit(std::string_view path, uint64_t bit_offset);

  // Damage helpers for tests and scenario scripts. They act on the platter:
  // first the file's pending state is settled (durable := live), then the
  // damage is applied to both copies, so a crash neither undoes nor repeats it.
  // Failure: kNotFound, kInvalidArgument (a directory, a range past the size).
  Status CorruptByte(std::string_view path, uint64_t offset, uint8_t xor_mask);
  Status ZeroRange(std::string_view path, uint64_t offset, uint64_t length);
  Status TruncateStored(std::string_view path, uint64_t size_bytes);  // grow or shrink

  // The durable contents of the file now at path. Failure: kNotFound, kInvalidArgument.
  Result<std::string> ReadDurable(std::string_view path) const;
  // The regular files directly in dir (names, sorted) that a clean crash now
  // would change: contents or size not durable, or a directory entry not
  // durable. Inspection only: no operation, no trace line. For checking that
  // an operation which promises durability left nothing unsynced.
  // Failure: kNotFound, kInvalidArgument (not a directory).
  Result<std::vector<std::string>> UnsettledFiles(std::string_view dir) const;
  // The offset of the first non-zero LIVE byte of the file at path at or
  // after offset; std::nullopt when there is none. Inspection only: no
  // operation, no trace line. Failure: kNotFound, kInvalidArgument.
  Result<std::optional<uint64_t>> FirstNonZeroLiveByte(std::string_view path,
                                                       uint64_t offset) const;

  // Write-unit audit (a device whose physical write unit is unit_bytes, e.g.
  // a 4 KiB page over 512-byte sectors): a write that ends inside a unit and
  // is followed by another write to the same file before that file is synced
  // forces the device to read-modify-write the unit it split. Each such
  // continuation (a write starting exactly where the split one ended; a
  // truncate or a sync ends the run) is recorded (path, where the earlier write ended, where the
  // next one started). 0 turns the audit off (the default). Recording is
  // inspection only: no trace line, no effect on any operation.
  struct UnitSplit {
    std::string path;
    uint64_t earlier_end_offset = 0;
    uint64_t next_offset = 0;
  };
  void set_write_unit_audit(uint64_t unit_bytes) { audit_unit_bytes_ = unit_bytes; }
  // The splits recorded since the last call, oldest first (at most
  // kUnitSplitsKept; later ones are not kept).
  std::vector<UnitSplit> TakeUnitSplits();
  static constexpr size_t kUnitSplitsKept = 64;

  const SimOptions& options() const { return options_; }
  // Filesystem and file operations issued so far (each has an op= number).
  uint64_t op_count() const { return op_count_; }
  // Crashes so far.
  uint64_t crash_count() const { return epoch_; }
  // Allocated bytes charged against capacity_bytes (the accounting rule above).
  uint64_t used_bytes() const { return used_bytes_; }
  // One line per operation and fault decision; kept only when enabled.
  const std::vector<std::string>& trace() const { return trace_.lines(); }
  // Lines past Trace::kTraceLinesMax, not kept (the hash covers them).
  uint64_t trace_lines_dropped() const { return trace_.lines_dropped(); }
  // A hash over every trace line, retained or not (sim/trace.cc HashLine).
  uint64_t trace_hash() const { return trace_.hash(); }
  void set_trace_enabled(bool enabled) { trace_.set_enabled(enabled); }

 private:
  friend class SimFile;
  friend class SimFileLock;

  // What a File handle knows about itself.
  struct HandleState {
    uint64_t inode_id = 0;
    uint64_t epoch = 0;
    std::string path;
    bool read_only = false;
    bool closed = false;
  };
  // Where a path leads: its parent directory and, if it exists, its inode.
  struct Lookup {
    uint64_t parent_id = 0;  // 0 for "/"
    std::string name;
    std::optional<uint64_t> inode_id;
  };

  // sim_fs.cc: paths and namespace.
  Result<Lookup> Resolve(std::string_view path, std::string_view op) const;
  Result<uint64_t> ResolveFile(std::string_view path, std::string_view op) const;
  Inode& inode(uint64_t id);
  const Inode& inode(uint64_t id) const;
  Result<uint64_t> NewInode(bool is_directory, std::string_view path);
  void AddEntryOp(EntryOp op);
  void LinkLive(uint64_t dir_id, const std::string& name, uint64_t inode_id);
  void UnlinkLive(uint64_t dir_id, const std::string& name);
  Result<uint64_t> OpenFileInode(std::string_view path, const fs::OpenOptions& options,
                                 const Lookup& lookup);
  Status CheckRename(const Lookup& from, const Lookup& to, std::string_view from_path,
                     std::string_view to_path) const;
  bool IsAncestor(uint64_t ancestor_id, uint64_t inode_id) const;

  // sim_file.cc: file operations through handles.
  Status CheckHandle(const HandleState& handle, bool writes) const;
  Result<size_t> FileRead(const HandleState& handle, uint64_t offset, std::span<uint8_t> dst);
  Status FileWrite(const HandleState& handle, std::optional<uint64_t> offset,
                   std::span<const uint8_t> data);
  Status WriteFaults(const HandleState& handle, Inode& file, uint64_t offset,
                     std::span<const uint8_t> data, uint64_t* landed_offset,
                     uint64_t* written_bytes);
  Status FileTruncate(const HandleState& handle, uint64_t size_bytes);
  Status FileAllocate(const HandleState& handle, uint64_t offset, uint64_t length,
                      fs::AllocateMode mode);
  Status FileSync(const HandleState& handle, bool data_only);
  Result<uint64_t> FileSize(const HandleState& handle);
  Status FileClose(HandleState* handle);
  void FileDestroyed(const HandleState& handle);
  Status LockRelease(uint64_t inode_id, uint64_t token, uint64_t epoch, const std::string& path,
                     bool* released);
  Status CheckCapacity(const Inode& file, uint64_t new_end_bytes, std::string_view op,
                       std::string_view path) const;
  void Recharge(const Inode& file, uint64_t old_allocated_bytes);
  void ApplyLiveWrite(Inode& file, uint64_t offset, std::span<const uint8_t> data);
  void AuditWriteUnits(Inode& file, const std::string& path, uint64_t offset,
                       uint64_t written_bytes);
  void ApplyLiveResize(Inode& file, uint64_t size_bytes);
  void LimitPending(Inode& file);
  void ReleaseIfUnreachable(Inode& file);
  bool TakeFault(Inode& file, FaultArm arm, Rng* rng, double probability, std::string_view path,
                 std::string_view name);

  // sim_crash.cc: directory durability, crash and garbage collection.
  void PersistEntryOp(uint64_t entry_op_id);
  void PersistDirPrefix(uint64_t dir_id, size_t count);
  void CrashDirectories(CrashModel model);
  void CrashFiles(CrashModel model);
  void CollectUnreachable(bool include_live);
  std::map<uint64_t, std::string> DurablePaths() const;
  void RecountLinksAndUsage();

  // sim_faults.cc: arming faults and damage.
  void Arm(std::string_view path, FaultArm arm, std::string_view name);
  Result<Inode*> FileForDamage(std::string_view path, std::string_view op);
  void TraceDamage(std::string_view name, std::string_view path, const Status& status);

  SimOptions options_;
  std::shared_ptr<SimFs*> anchor_;  // handles see nullptr once the disk is gone
  std::map<uint64_t, Inode> inodes_;
  std::map<uint64_t, EntryOp> entry_ops_;
  std::map<std::string, FaultArms> path_arms_;
  std::map<uint64_t, uint64_t> locks_;  // inode id -> lock token
  uint64_t next_inode_id_ = kRootInodeId + 1;
  uint64_t next_entry_op_id_ = 1;
  uint64_t next_lock_token_ = 1;
  uint64_t epoch_ = 0;
  uint64_t op_count_ = 0;
  uint64_t used_bytes_ = 0;
  Trace trace_;
  Rng crash_rng_;
  Rng tear_rng_;
  CrashChoices* crash_choices_ = nullptr;
  Rng write_eio_rng_;
  Rng read_eio_rng_;
  Rng short_write_rng_;
  Rng sync_eio_rng_;
  Rng sync_lie_rng_;
  Rng choice_rng_;  // short-write lengths, misdirected-write targets
  uint64_t audit_unit_bytes_ = 0;
  std::vector<UnitSplit> unit_splits_;
};

}  // namespace walsim::sim
