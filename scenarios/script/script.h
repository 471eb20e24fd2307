// Scenario scripts: the data-driven text format of scenarios/scripts/*.scn.
//
// A script is a sequence of blocks. Each block is a command line, a `----`
// line, the expected output (zero or more non-blank lines) and a blank line
// (or end of file). Lines starting with '#' and blank lines between blocks are
// comments and are kept verbatim when a script is rewritten:
//
//   # A synced save survives a crash.
//   wal-create dir=/w metadata=m1
//   ----
//   ok
//
// A command line is a name followed by `key=value` arguments separated by
// spaces; a value containing spaces is written in double quotes with `\"` and
// `\\` escapes. Every block remembers the line numbers of its command and of
// its expected output so a mismatch points into the file.
//
// Invariant: Render(Parse(text)) reproduces text for any script whose expected
// outputs are unchanged (modulo a trailing newline). Pure functions; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace walsim::scenarios {

inline constexpr size_t kScriptBlockCountMax = 100'000;
inline constexpr size_t kScriptArgCountMax = 64;

struct ScriptArg {
  std::string key;
  std::string value;
  friend bool operator==(const ScriptArg&, const ScriptArg&) = default;
};

struct ScriptBlock {
  std::vector<std::string> preamble;  // comment and blank lines before the command, verbatim
  int command_line = 0;               // 1-based line number of the command
  std::string command_text;           // the command line, verbatim
  std::string name;                   // the command's name
  std::vector<ScriptArg> args;        // in order of appearance
  std::string expected;               // expected output, lines joined by '\n', no trailing '\n'
};

struct Script {
  std::string file_name;  // for messages only
  std::vector<ScriptBlock> blocks;
  std::vector<std::string> trailer;  // comment/blank lines after the last block
};

// Parses a script. Errors name the file and line: a command with no `----`,
// a malformed argument, an unterminated quote, a duplicate key.
Result<Script> ParseScript(std::string_view text, std::string_view file_name);

// Parses one command line (`name k=v k="v w"`) into name and args.
Status ParseCommandLine(std::string_view line, std::string* name, std::vector<ScriptArg>* args);

// The script's text with each block's expected output replaced by
// outputs[i]. REQUIRES: outputs.size() == script.blocks.size().
std::string RenderScript(const Script& script, const std::vector<std::string>& outputs);

// A unified diff of expected vs actual output of one block, with line numbers
// in the script file (expected output starts at line first_line).
std::string UnifiedDiff(std::string_view expected, std::string_view actual, int first_line);

// Typed access to a block's arguments. Every getter marks the key used;
// CheckAllUsed() reports keys the command did not understand.
class ArgReader {
 public:
  explicit ArgReader(const ScriptBlock& block);

  bool Has(std::string_view key) const;
  Result<std::string> String(std::string_view key);
  std::string StringOr(std::string_view key, std::string_view fallback);
  Result<uint64_t> U64(std::string_view key);
  Result<uint64_t> U64Or(std::string_view key, uint64_t fallback);
  Result<bool> Bool(std::string_view key);  // true/false/1/0
  // OK when every argument was read; otherwise names the first unknown key.
  Status CheckAllUsed() const;

 private:
  const ScriptArg* Find(std::string_view key);
  const ScriptBlock& block_;
  std::vector<bool> used_;
};

}  // namespace walsim::scenarios
