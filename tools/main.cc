// walsim: the command-line tool. See tools/commands.h.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

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

Result<uint64_t> ParseUnsigned(std::string_view text, uint64_t value_max) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  if (text.empty()) return Status::InvalidArgument("empty value; expected an unsigned number");
  uint64_t base = 10;
  std::string_view digits = text;
  if (text.starts_with("0x") || text.starts_with("0X")) {
    base = 16;
    digits = text.substr(2);
    if (digits.empty()) return Status::InvalidArgument(quoted + " has no hex digits after 0x");
  }
  uint64_t value = 0;
  for (const char c : digits) {
    uint64_t digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<uint64_t>(c - '0');
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      digit = static_cast<uint64_t>(c - 'a') + 10;
    } else if (base == 16 && c >= 'A' && c <= 'F') {
      digit = static_cast<uint64_t>(c - 'A') + 10;
    } else {
      return Status::InvalidArgument(quoted + " is not an unsigned number (decimal or 0x hex)");
    }
    if (value > (UINT64_MAX - digit) / base) {
      return Status::InvalidArgument(quoted + " does not fit 64 bits");
    }
    value = value * base + digit;
  }
  if (value > value_max) {
    return Status::InvalidArgument(quoted + " is over the limit " + std::to_string(value_max));
  }
  return value;
}

CLI::Option* AddUnsignedOption(CLI::App* app, const std::string& name, uint64_t* value,
                               const std::string& description, uint64_t value_max) {
  CLI::Option* option = app->add_option_function<std::string>(
      name,
      [name, value, value_max](const std::string& text) {
        Result<uint64_t> parsed = ParseUnsigned(text, value_max);
        if (!parsed.ok()) throw CLI::ValidationError(name, parsed.status().message());
        *value = *parsed;
      },
      description);
  return option->type_name("UINT")->allow_extra_args(false);
}

std::string Base64Encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t count = std::min<size_t>(3, bytes.size() - i);
    uint32_t group = 0;
    for (size_t j = 0; j < 3; j++) {
      group = (group << 8) | (j < count ? static_cast<uint8_t>(bytes[i + j]) : 0u);
    }
    for (size_t j = 0; j < 4; j++) {
      out += j <= count ? kAlphabet[(group >> (18 - 6 * j)) & 63] : '=';
    }
  }
  WALSIM_ASSERT(out.size() == (bytes.size() + 2) / 3 * 4);
  return out;
}

Result<std::string> ReadScriptFile(const std::string& path) {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    return Status::InvalidArgument(path + ": no such script");
  }
  if (std::filesystem::is_directory(status)) {
    return Status::InvalidArgument(path + " is a directory, not a script");
  }
  if (!std::filesystem::is_regular_file(status)) {
    return Status::InvalidArgument(path + " is not a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IoError("error reading " + path);
  std::string bytes = text.str();
  if (bytes.empty()) return Status::InvalidArgument(path + " is empty: a script needs commands");
  if (const size_t cr = bytes.find('\r'); cr != std::string::npos) {
    const size_t line_number =
        1 + static_cast<size_t>(
                std::count(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(cr), '\n'));
    return Status::InvalidArgument(path + ":" + std::to_string(line_number) +
                                   ": CRLF (\\r\\n) line endings; scripts use LF only "
                                   "(convert with: sed -i 's/\\r$//' " +
                                   path + ")");
  }
  return bytes;
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
#ifdef WALSIM_HAVE_EXPLORE_CMD
  walsim::tools::AddExploreCommands(app);
#endif
#ifdef WALSIM_HAVE_SOAK_CMD
  walsim::tools::AddSoakCommands(app);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? walsim::tools::kExitOk : walsim::tools::kExitUsage;
  }
  return walsim::tools::g_exit_code;
}
