#include "scenarios/script/script.h"

#include <charconv>

namespace walsim::scenarios {
namespace {

constexpr std::string_view kSeparator = "----";

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

bool IsBlank(std::string_view line) { return line.find_first_not_of(" \t\r") == line.npos; }
bool IsComment(std::string_view line) {
  size_t first = line.find_first_not_of(" \t");
  return first != line.npos && line[first] == '#';
}

Status LineError(std::string_view file, int line, std::string_view what) {
  return Status::InvalidArgument(std::string(file) + ":" + std::to_string(line) + ": " +
                                 std::string(what));
}

// Reads one token starting at *pos (which points at a non-space): either a
// bare run of non-space characters or a double-quoted string after `key=`.
Status ReadArgValue(std::string_view line, size_t* pos, std::string* value) {
  if (*pos < line.size() && line[*pos] == '"') {
    size_t i = *pos + 1;
    for (; i < line.size() && line[i] != '"'; i++) {
      if (line[i] == '\\') {
        if (i + 1 >= line.size()) return Status::InvalidArgument("dangling '\\' in quoted value");
        i++;
      }
      value->push_back(line[i]);
    }
    if (i >= line.size()) return Status::InvalidArgument("unterminated quote");
    *pos = i + 1;
    if (*pos < line.size() && line[*pos] != ' ') {
      return Status::InvalidArgument("expected a space after a quoted value");
    }
    return Status::Ok();
  }
  size_t end = line.find(' ', *pos);
  if (end == line.npos) end = line.size();
  value->assign(line.substr(*pos, end - *pos));
  *pos = end;
  return Status::Ok();
}

}  // namespace

Status ParseCommandLine(std::string_view line, std::string* name, std::vector<ScriptArg>* args) {
  name->clear();
  args->clear();
  size_t pos = line.find_first_not_of(' ');
  if (pos == line.npos) return Status::InvalidArgument("empty command");
  size_t name_end = line.find(' ', pos);
  if (name_end == line.npos) name_end = line.size();
  name->assign(line.substr(pos, name_end - pos));
  if (name->find('=') != std::string::npos) {
    return Status::InvalidArgument("command name \"" + *name + "\" contains '='");
  }
  pos = name_end;
  for (size_t count = 0; count <= kScriptArgCountMax; count++) {
    pos = line.find_first_not_of(' ', pos);
    if (pos == line.npos) return Status::Ok();
    size_t eq = line.find('=', pos);
    size_t space = line.find(' ', pos);
    if (eq == line.npos || (space != line.npos && space < eq)) {
      size_t end = space == line.npos ? line.size() : space;
      return Status::InvalidArgument("argument \"" + std::string(line.substr(pos, end - pos)) +
                                     "\" is not key=value");
    }
    ScriptArg arg{std::string(line.substr(pos, eq - pos)), ""};
    if (arg.key.empty()) return Status::InvalidArgument("argument with an empty key");
    for (const ScriptArg& other : *args) {
      if (other.key == arg.key) return Status::InvalidArgument("duplicate key \"" + arg.key + "\"");
    }
    pos = eq + 1;
    WALSIM_RETURN_IF_ERROR(ReadArgValue(line, &pos, &arg.value));
    args->push_back(std::move(arg));
  }
  return Status::InvalidArgument("more than 64 arguments");
}

Result<Script> ParseScript(std::string_view text, std::string_view file_name) {
  Script script;
  script.file_name = file_name;
  std::vector<std::string_view> lines = SplitLines(text);
  std::vector<std::string> pending;  // comments/blank lines not yet attached to a block
  size_t i = 0;
  while (i < lines.size()) {
    std::string_view line = lines[i];
    if (IsBlank(line) || IsComment(line)) {
      pending.emplace_back(line);
      i++;
      continue;
    }
    if (script.blocks.size() >= kScriptBlockCountMax) {
      return LineError(file_name, static_cast<int>(i + 1), "too many blocks");
    }
    ScriptBlock block;
    block.preamble = std::move(pending);
    pending.clear();
    block.command_line = static_cast<int>(i + 1);
    block.command_text = line;
    Status parsed = ParseCommandLine(line, &block.name, &block.args);
    if (!parsed.ok()) return LineError(file_name, block.command_line, parsed.message());
    if (i + 1 >= lines.size() || lines[i + 1] != kSeparator) {
      return LineError(file_name, block.command_line,
                       "expected a \"----\" line after the command \"" + block.name + "\"");
    }
    i += 2;
    std::string expected;
    while (i < lines.size() && !IsBlank(lines[i])) {
      if (!expected.empty()) expected += '\n';
      expected += lines[i];
      i++;
    }
    block.expected = std::move(expected);
    if (i < lines.size()) i++;  // the blank line that ends the block
    script.blocks.push_back(std::move(block));
  }
  script.trailer = std::move(pending);
  return script;
}

std::string RenderScript(const Script& script, const std::vector<std::string>& outputs) {
  WALSIM_ASSERT(outputs.size() == script.blocks.size());
  std::string out;
  for (size_t b = 0; b < script.blocks.size(); b++) {
    const ScriptBlock& block = script.blocks[b];
    for (const std::string& line : block.preamble) out += line + "\n";
    out += block.command_text + "\n";
    out += std::string(kSeparator) + "\n";
    if (!outputs[b].empty()) out += outputs[b] + "\n";
    out += "\n";
  }
  for (const std::string& line : script.trailer) out += line + "\n";
  while (out.size() >= 2 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') {
    out.pop_back();
  }
  return out;
}

std::string UnifiedDiff(std::string_view expected, std::string_view actual, int first_line) {
  std::vector<std::string_view> a = SplitLines(expected);
  std::vector<std::string_view> b = SplitLines(actual);
  // Longest common subsequence table; outputs are small (bounded by the caller).
  std::vector<std::vector<uint32_t>> lcs(a.size() + 1, std::vector<uint32_t>(b.size() + 1, 0));
  for (size_t i = a.size(); i-- > 0;) {
    for (size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::string out = "@@ expected output at line " + std::to_string(first_line) + " @@\n";
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      out += " " + std::string(a[i]) + "\n";
      i++;
      j++;
    } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out += "+" + std::string(b[j]) + "\n";
      j++;
    } else {
      out += "-" + std::string(a[i]) + "  (line " +
             std::to_string(first_line + static_cast<int>(i)) + ")\n";
      i++;
    }
  }
  return out;
}

ArgReader::ArgReader(const ScriptBlock& block) : block_(block), used_(block.args.size(), false) {}

bool ArgReader::Has(std::string_view key) const {
  for (const ScriptArg& arg : block_.args) {
    if (arg.key == key) return true;
  }
  return false;
}

const ScriptArg* ArgReader::Find(std::string_view key) {
  for (size_t i = 0; i < block_.args.size(); i++) {
    if (block_.args[i].key == key) {
      used_[i] = true;
      return &block_.args[i];
    }
  }
  return nullptr;
}

Result<std::string> ArgReader::String(std::string_view key) {
  const ScriptArg* arg = Find(key);
  if (arg == nullptr) {
    return Status::InvalidArgument("missing argument " + std::string(key) + "=");
  }
  return arg->value;
}

std::string ArgReader::StringOr(std::string_view key, std::string_view fallback) {
  const ScriptArg* arg = Find(key);
  return arg == nullptr ? std::string(fallback) : arg->value;
}

Result<uint64_t> ArgReader::U64(std::string_view key) {
  WALSIM_ASSIGN_OR_RETURN(std::string text, String(key));
  uint64_t value = 0;
  int base = 10;
  std::string_view digits = text;
  if (digits.starts_with("0x")) {
    base = 16;
    digits.remove_prefix(2);
  }
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || digits.empty()) {
    return Status::InvalidArgument("argument " + std::string(key) + "=" + text +
                                   " is not an unsigned integer");
  }
  return value;
}

Result<uint64_t> ArgReader::U64Or(std::string_view key, uint64_t fallback) {
  if (!Has(key)) return fallback;
  return U64(key);
}

Result<bool> ArgReader::Bool(std::string_view key) {
  WALSIM_ASSIGN_OR_RETURN(std::string text, String(key));
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  return Status::InvalidArgument("argument " + std::string(key) + "=" + text +
                                 " is not true or false");
}

Status ArgReader::CheckAllUsed() const {
  for (size_t i = 0; i < block_.args.size(); i++) {
    if (!used_[i]) {
      return Status::InvalidArgument("unknown argument " + block_.args[i].key + "= for " +
                                     block_.name);
    }
  }
  return Status::Ok();
}

}  // namespace walsim::scenarios
