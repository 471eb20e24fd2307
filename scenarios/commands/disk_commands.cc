// The disk commands: configure the simulated disk, crash it, damage stored
// bytes, list it. See docs/scenarios.md.
#include <cinttypes>
#include <cstdio>

#include "fs/path.h"
#include "scenarios/commands/command.h"

namespace walsim::scenarios {
namespace {

// Entries `ls` prints at most (a bound on its walk).
constexpr size_t kListEntryCountMax = 10'000;

std::string Hex(uint64_t value) {
  char text[32];
  std::snprintf(text, sizeof(text), "0x%" PRIx64, value);
  return text;
}

Result<sim::CrashModel> CrashModelArg(ArgReader& args, sim::CrashModel fallback) {
  if (!args.Has("model")) return fallback;
  WALSIM_ASSIGN_OR_RETURN(std::string name, args.String("model"));
  std::optional<sim::CrashModel> model = sim::ParseCrashModel(name);
  if (!model) {
    return Status::InvalidArgument("model=" + name + " is not clean, prefix or reorder");
  }
  return *model;
}

Result<std::string> PathArg(ArgReader& args, std::string_view key) {
  WALSIM_ASSIGN_OR_RETURN(std::string path, args.String(key));
  WALSIM_RETURN_IF_ERROR(fs::ValidatePath(path));
  return path;
}

std::string DescribeOptions(const sim::SimOptions& options) {
  std::string capacity = options.capacity_bytes == UINT64_MAX
                             ? std::string("unlimited")
                             : std::to_string(options.capacity_bytes);
  return "disk seed=" + std::to_string(options.seed) +
         " sector=" + std::to_string(options.sector_size_bytes) +
         " atomic=" + (options.atomic_sector ? "true" : "false") +
         " model=" + std::string(sim::CrashModelName(options.crash_model)) +
         " capacity=" + capacity +
         " size-before-data=" + (options.size_before_data ? "true" : "false") +
         // Printed only when not the default, so that scripts written before
         // these options read the same.
         (options.random_tear_fill ? "" : " random-tears=false") +
         (options.sync_eio_writes_back ? " eio-writeback=true" : "");
}

Status Disk(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  sim::SimOptions options;
  WALSIM_ASSIGN_OR_RETURN(options.seed, args.U64Or("seed", 0));
  WALSIM_ASSIGN_OR_RETURN(uint64_t sector_size_bytes, args.U64Or("sector", 512));
  if (sector_size_bytes < sim::kSectorSizeBytesMin ||
      sector_size_bytes > sim::kSectorSizeBytesMax ||
      (sector_size_bytes & (sector_size_bytes - 1)) != 0) {
    return Status::InvalidArgument("sector=" + std::to_string(sector_size_bytes) +
                                   " is not a power of two in [1, 65536]");
  }
  options.sector_size_bytes = static_cast<uint32_t>(sector_size_bytes);
  if (args.Has("atomic")) {
    WALSIM_ASSIGN_OR_RETURN(options.atomic_sector, args.Bool("atomic"));
  }
  WALSIM_ASSIGN_OR_RETURN(options.crash_model, CrashModelArg(args, sim::CrashModel::kClean));
  WALSIM_ASSIGN_OR_RETURN(options.capacity_bytes, args.U64Or("capacity", UINT64_MAX));
  if (args.Has("size-before-data")) {
    WALSIM_ASSIGN_OR_RETURN(options.size_before_data, args.Bool("size-before-data"));
  }
  if (args.Has("random-tears")) {
    WALSIM_ASSIGN_OR_RETURN(options.random_tear_fill, args.Bool("random-tears"));
  }
  if (args.Has("eio-writeback")) {
    WALSIM_ASSIGN_OR_RETURN(options.sync_eio_writes_back, args.Bool("eio-writeback"));
  }
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  WALSIM_RETURN_IF_ERROR(env.Configure(options));
  out.Line(DescribeOptions(options));
  return Status::Ok();
}

Status Crash(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(sim::CrashModel model,
                          CrashModelArg(args, env.sim_view().options().crash_model));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  env.Crash(model);
  out.Line("crashed model=" + std::string(sim::CrashModelName(model)));
  env.Probe("crash/command");
  return Status::Ok();
}

// Damage to stored bytes is a broken disk: the run's faults become illegal.
void ReportDamage(ScenarioEnv& env, const Status& status, CommandOutput& out) {
  if (!status.ok()) {
    out.Error(status);
    return;
  }
  env.MarkDamaged();
  out.Line("ok");
}

Status Corrupt(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::string path, PathArg(args, "path"));
  WALSIM_ASSIGN_OR_RETURN(uint64_t offset, args.U64("offset"));
  WALSIM_ASSIGN_OR_RETURN(uint64_t mask, args.U64Or("mask", 0x01));
  if (mask == 0 || mask > 0xff) {
    return Status::InvalidArgument("mask=" + Hex(mask) + " is not a byte mask in [0x01, 0xff]");
  }
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  ReportDamage(env, env.sim().CorruptByte(path, offset, static_cast<uint8_t>(mask)), out);
  return Status::Ok();
}

Status Zero(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::string path, PathArg(args, "path"));
  WALSIM_ASSIGN_OR_RETURN(uint64_t offset, args.U64("offset"));
  WALSIM_ASSIGN_OR_RETURN(uint64_t length, args.U64("length"));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  ReportDamage(env, env.sim().ZeroRange(path, offset, length), out);
  return Status::Ok();
}

Status Truncate(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::string path, PathArg(args, "path"));
  WALSIM_ASSIGN_OR_RETURN(uint64_t size_bytes, args.U64("size"));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  ReportDamage(env, env.sim().TruncateStored(path, size_bytes), out);
  return Status::Ok();
}

// Removes a file durably behind the program's back (an operator's mistake,
// a lost inode): damage, like corrupt.
Status Remove(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::string path, PathArg(args, "path"));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  Status removed = env.sim().Remove(path);
  if (removed.ok()) removed = env.sim().SyncDir(std::string(fs::Dirname(path)));
  ReportDamage(env, removed, out);
  return Status::Ok();
}

// Appends the entries under dir, depth first in name order, to out.
Status ListTree(sim::SimFs& sim, const std::string& dir, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::vector<std::string> names, sim.List(dir));
  for (const std::string& name : names) {
    if (out.line_count() >= kListEntryCountMax) {
      return Status::InvalidArgument("more than " + std::to_string(kListEntryCountMax) +
                                     " entries to list");
    }
    const std::string path = fs::Join(dir, name);
    WALSIM_ASSIGN_OR_RETURN(fs::FileInfo info, sim.Stat(path));
    if (info.is_directory) {
      out.Line(path + "/");
      WALSIM_RETURN_IF_ERROR(ListTree(sim, path, out));
    } else {
      out.Line(path + " " + std::to_string(info.size_bytes));
    }
  }
  return Status::Ok();
}

Status Ls(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  std::string dir = "/";
  if (args.Has("dir")) {
    WALSIM_ASSIGN_OR_RETURN(dir, PathArg(args, "dir"));
  }
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  // The disk itself, not the FaultFs: looking must not count as an operation
  // a fault rule could hit.
  CommandOutput listing;
  Status listed = ListTree(env.sim(), dir, listing);
  if (!listed.ok()) {
    out.Error(listed);
  } else if (listing.line_count() == 0) {
    out.Line("(empty)");
  } else {
    out = std::move(listing);
  }
  return Status::Ok();
}

constexpr CommandSpec kDiskCommands[] = {
    {"disk", Disk},         {"crash", Crash},   {"corrupt", Corrupt}, {"zero", Zero},
    {"truncate", Truncate}, {"remove", Remove}, {"ls", Ls},
};

}  // namespace

std::span<const CommandSpec> DiskCommands() { return kDiskCommands; }

}  // namespace walsim::scenarios
