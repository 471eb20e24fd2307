// The file commands: raw filesystem operations through the FaultFs, so a
// script can show each rule of the simulated disk on its own (the disk-*.scn
// scripts double as its documentation). Each command opens the file, does
// one thing and closes it: durability in SimFs belongs to the file, not to
// the handle. See docs/scenarios.md.
#include <cinttypes>
#include <cstdio>

#include "fs/path.h"
#include "scenarios/commands/command.h"

namespace walsim::scenarios {
namespace {

constexpr uint64_t kFileDataBytesMax = uint64_t{1} << 20;

Result<std::string> PathArg(ArgReader& args, std::string_view key) {
  WALSIM_ASSIGN_OR_RETURN(std::string path, args.String(key));
  WALSIM_RETURN_IF_ERROR(fs::ValidatePath(path));
  return path;
}

// data=TEXT, or bytes=N copies of fill=C (default 'x').
Result<std::string> DataArg(ArgReader& args) {
  if (args.Has("data")) return args.String("data");
  WALSIM_ASSIGN_OR_RETURN(uint64_t size_bytes, args.U64("bytes"));
  if (size_bytes > kFileDataBytesMax) return Status::InvalidArgument("bytes= is too large");
  const std::string fill = args.StringOr("fill", "x");
  if (fill.size() != 1) return Status::InvalidArgument("fill= must be one character");
  return std::string(size_bytes, fill[0]);
}

void Report(const Status& status, CommandOutput& out) {
  if (status.ok()) {
    out.Line("ok");
  } else {
    out.Error(status);
  }
}

std::span<const uint8_t> Bytes(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// Opens path (creating it when create), runs op on it and closes it.
template <typename Op>
Status WithFile(ScenarioEnv& env, const std::string& path, bool create, Op op) {
  fs::OpenOptions options;
  options.create = create;
  WALSIM_ASSIGN_OR_RETURN(std::unique_ptr<fs::File> file, env.fs().Open(path, options));
  Status status = op(*file);
  Status closed = file->Close();
  return status.ok() ? closed : status;
}

Status FsCreate(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::string path, PathArg(args, "path"));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  Report(WithFile(env, path, true, [](fs::File&) { return Status::Ok(); }), out);
  return Status::Ok();
}

Status FsWrite(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::string path, PathArg(args, "path"));
  const bool append = !args.Has("offset");
  uint64_t offset = 0;
  if (!append) {
    WALSIM_ASSIGN_OR_RETURN(offset, args.U64("offset"));
  }
  WALSIM_ASSIGN_OR_RETURN(std::string data, DataArg(args));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  Report(WithFile(env, path, true,
                  [&](fs::File& file) {
                    return append ? file.Append(Bytes(data)) : file.WriteAt(offset, Bytes(data));
                  }),
         out);
  return Status::Ok();
}

Status FsResize(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::string path, PathArg(args, "path"));
  WALSIM_ASSIGN_OR_RETURN(uint64_t size_bytes, args.U64("size"));
  const bool allocate = args.Has("allocate") && args.StringOr("allocate", "") == "true";
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  Report(WithFile(env, path, false,
                  [&](fs::File& file) {
                    return allocate ? file.Allocate(0, size_bytes, fs::AllocateMode::kExtendSize)
                                    : file.Truncate(size_bytes);
                  }),
         out);
  return Status::Ok();
}

Status FsSync(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::string path, PathArg(args, "path"));
  bool data_only = false;
  if (args.Has("data-only")) {
    WALSIM_ASSIGN_OR_RETURN(data_only, args.Bool("data-only"));
  }
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  Report(WithFile(env, path, false,
                  [&](fs::File& file) { return data_only ? file.SyncData() : file.Sync(); }),
         out);
  return Status::Ok();
}

Status FsSyncDir(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::string path, PathArg(args, "path"));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  Report(env.fs().SyncDir(path), out);
  return Status::Ok();
}

Status FsMkDir(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::string path, PathArg(args, "path"));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  Report(env.fs().MkDir(path), out);
  return Status::Ok();
}

Status FsRename(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::string from, PathArg(args, "from"));
  WALSIM_ASSIGN_OR_RETURN(std::string to, PathArg(args, "to"));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  Report(env.fs().Rename(from, to), out);
  return Status::Ok();
}

Status FsRemove(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::string path, PathArg(args, "path"));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  Report(env.fs().Remove(path), out);
  return Status::Ok();
}

constexpr size_t kReadPrintBytesMax = 64;

char PrintableByte(uint8_t byte) {
  return byte == 0 ? '.' : (byte > ' ' && byte < 0x7f) ? static_cast<char>(byte) : '?';
}

// Runs shorter than this in a long read are noise (random bytes).
constexpr size_t kRunBytesMin = 4;

// Bytes for output: printable ASCII as is, '.' for zero, '?' otherwise, so
// torn and zeroed regions are visible. Longer reads print runs ("Sx1528
// nx520"), with stretches of short runs merged into "~xN" (random bytes).
std::string Printable(std::span<const uint8_t> bytes) {
  std::string text;
  if (bytes.size() <= kReadPrintBytesMax) {
    for (uint8_t byte : bytes) text += PrintableByte(byte);
    return text;
  }
  size_t noise_bytes = 0;
  auto flush_noise = [&] {
    if (noise_bytes == 0) return;
    text += (text.empty() ? "~x" : " ~x") + std::to_string(noise_bytes);
    noise_bytes = 0;
  };
  size_t run_start = 0;
  for (size_t i = 1; i <= bytes.size(); i++) {
    if (i < bytes.size() && PrintableByte(bytes[i]) == PrintableByte(bytes[run_start])) continue;
    const size_t run_bytes = i - run_start;
    if (run_bytes < kRunBytesMin) {
      noise_bytes += run_bytes;
    } else {
      flush_noise();
      text += (text.empty() ? "" : " ") + std::string(1, PrintableByte(bytes[run_start])) + "x" +
              std::to_string(run_bytes);
    }
    run_start = i;
  }
  flush_noise();
  WALSIM_ASSERT(!text.empty());
  return text;
}

Status FsRead(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::string path, PathArg(args, "path"));
  WALSIM_ASSIGN_OR_RETURN(uint64_t offset, args.U64Or("offset", 0));
  WALSIM_ASSIGN_OR_RETURN(uint64_t length, args.U64("length"));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  if (length > kFileDataBytesMax) return Status::InvalidArgument("length= is too large");
  std::vector<uint8_t> buffer(length);
  size_t read_bytes = 0;
  Status read = WithFile(env, path, false, [&](fs::File& file) -> Status {
    WALSIM_ASSIGN_OR_RETURN(read_bytes, file.ReadAt(offset, buffer));
    return Status::Ok();
  });
  if (!read.ok()) {
    out.Error(read);
    return Status::Ok();
  }
  WALSIM_ASSERT(read_bytes <= buffer.size());
  out.Line("read " + std::to_string(read_bytes) +
           " bytes: " + Printable(std::span<const uint8_t>(buffer.data(), read_bytes)));
  return Status::Ok();
}

constexpr CommandSpec kFileCommands[] = {
    {"fs-create", FsCreate}, {"fs-write", FsWrite},     {"fs-resize", FsResize},
    {"fs-sync", FsSync},     {"fs-syncdir", FsSyncDir}, {"fs-mkdir", FsMkDir},
    {"fs-rename", FsRename}, {"fs-remove", FsRemove},   {"fs-read", FsRead},
};

}  // namespace

std::span<const CommandSpec> FileCommands() { return kFileCommands; }

}  // namespace walsim::scenarios
