// The walsim command line: each layer contributes its subcommands.
//
// tools/ is thin: it parses flags with CLI11, converts user paths to absolute
// normal paths, calls the libraries and maps a Status to an exit code and a
// one-line message on stderr. Each Add*Commands function registers one
// subcommand group on the root app and is defined in its own file
// (tools/<group>_cmd.cc); main.cc calls the ones that are built.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace walsim::tools {

void AddSimCommands(CLI::App& app);       // tools/sim_cmd.cc: `walsim sim ...`
void AddWalCommands(CLI::App& app);       // tools/wal_cmd.cc: `walsim wal ...`
void AddLogstoreCommands(CLI::App& app);  // tools/logstore_cmd.cc: `walsim logstore ...`
void AddScenarioCommands(CLI::App& app);  // tools/scenario_cmd.cc: `walsim run ...`
void AddTortureCommands(CLI::App& app);   // tools/torture_cmd.cc: `walsim torture|replay|shrink`
void AddSoakCommands(CLI::App& app);      // tools/soak_cmd.cc: `walsim soak`
void AddExploreCommands(CLI::App& app);   // tools/explore_cmd.cc: `walsim explore`

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the operation failed (corrupt WAL, failed check)
inline constexpr int kExitUsage = 2;    // bad arguments

// Turns a user-supplied path (relative, with "..", trailing '/') into the
// absolute normal form fs/ requires. Returns kInvalidArgument for an empty
// path or one with a NUL byte.
Result<std::string> NormalizeUserPath(std::string_view path);

// Prints "walsim: <context>: <status>" to stderr and returns kExitFailure
// (kExitUsage for kInvalidArgument).
int ReportError(std::string_view context, const Status& status);

// Parses an unsigned integer flag value: decimal ("4096") or hex ("0x1000"),
// nothing else (no sign, no spaces, not empty), at most value_max. Failure:
// kInvalidArgument saying what is wrong with text.
Result<uint64_t> ParseUnsigned(std::string_view text, uint64_t value_max = UINT64_MAX);

// Registers an unsigned option (a flag like "--seed" or a positional name)
// that stores ParseUnsigned(text, value_max) in *value; a bad value fails the
// command line with a usage error naming the flag. The one way every
// unsigned flag of walsim is read. REQUIRES: value outlives app's parse.
CLI::Option* AddUnsignedOption(CLI::App* app, const std::string& name, uint64_t* value,
                               const std::string& description, uint64_t value_max = UINT64_MAX);

// Standard base64 (RFC 4648, with '=' padding) of bytes: the data fields of
// `wal dump --jsonl` and `logstore dump --jsonl`.
std::string Base64Encode(std::string_view bytes);

// Reads a script file given on the command line (a scenario script, a
// logstore replay script). Failure, each a one-line kInvalidArgument naming
// the path: not found or unreadable, a directory or other non-regular file,
// an empty file, CRLF line endings.
Result<std::string> ReadScriptFile(const std::string& path);

// Subcommand callbacks run inside CLI11's parse; they store their exit code
// here and main returns it.
void SetExitCode(int code);

}  // namespace walsim::tools
