// The walsim command line: each layer contributes its subcommands.
//
// tools/ is thin: it parses flags with CLI11, converts user paths to absolute
// normal paths, calls the libraries and maps a Status to an exit code and a
// one-line message on stderr. Each Add*Commands function registers one
// subcommand group on the root app and is defined in its own file
// (tools/<group>_cmd.cc); main.cc calls the ones that are built.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

#include "base/status.h"

namespace walsim::tools {

void AddSimCommands(CLI::App& app);       // tools/sim_cmd.cc: `walsim sim ...`
void AddWalCommands(CLI::App& app);       // tools/wal_cmd.cc: `walsim wal ...`
void AddLogstoreCommands(CLI::App& app);  // tools/logstore_cmd.cc: `walsim logstore ...`
void AddScenarioCommands(CLI::App& app);  // tools/scenario_cmd.cc: `walsim run ...`
void AddTortureCommands(CLI::App& app);   // tools/torture_cmd.cc: `walsim torture|replay|shrink`

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

// Subcommand callbacks run inside CLI11's parse; they store their exit code
// here and main returns it.
void SetExitCode(int code);

}  // namespace walsim::tools
