// walsim: the command-line tool. See tools/commands.h.
#include <cstdio>
#include <filesystem>

#include "fs/path.h"
#include "tools/commands.h"

namespace walsim::tools {
namespace {
int g_exit_code = kExitOk;
}  // namespace

void SetExitCode(int code) { g_exit_code = code; }

Result<std::string> NormalizeUserPath(std::string_view path) {
  if (path.empty()) return Status::InvalidArgument("empty path");
  if (path.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("path contains a NUL byte");
  }
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(std::filesystem::path(path), ec);
  if (ec) return Status::InvalidArgument("cannot make path absolute: " + ec.message());
  std::string normal = absolute.lexically_normal().string();
  while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  WALSIM_RETURN_IF_ERROR(fs::ValidatePath(normal));
  return normal;
}

int ReportError(std::string_view context, const Status& status) {
  std::fprintf(stderr, "walsim: %.*s: %s\n", static_cast<int>(context.size()), context.data(),
               status.ToString().c_str());
  return status.Is(StatusCode::kInvalidArgument) ? kExitUsage : kExitFailure;
}

}  // namespace walsim::tools

int main(int argc, char** argv) {
  CLI::App app{
      "walsim: an etcd-compatible WAL, a raft LogStore, and a deterministic "
      "simulated disk that tortures them"};
  app.require_subcommand(1);
#ifdef WALSIM_HAVE_SIM_CMD
  walsim::tools::AddSimCommands(app);
#endif
#ifdef WALSIM_HAVE_WAL_CMD
  walsim::tools::AddWalCommands(app);
#endif
#ifdef WALSIM_HAVE_LOGSTORE_CMD
  walsim::tools::AddLogstoreCommands(app);
#endif
#ifdef WALSIM_HAVE_SCENARIO_CMD
  walsim::tools::AddScenarioCommands(app);
#endif
#ifdef WALSIM_HAVE_TORTURE_CMD
  walsim::tools::AddTortureCommands(app);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? walsim::tools::kExitOk : walsim::tools::kExitUsage;
  }
  return walsim::tools::g_exit_code;
}
