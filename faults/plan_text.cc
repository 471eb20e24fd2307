#include "faults/plan_text.h"

#include <array>
#include <charconv>
#include <cmath>
#include <vector>

namespace walsim::faults {
namespace {

struct Word {
  std::string_view text;
  size_t column = 0;  // 1-based byte column of the word's first byte
};

// A rule has a selector, a glob, at most one of each trigger key and an
// effect, so a longer line is an error, not a reason to read on.
constexpr size_t kTriggerKeyCount = 4;
constexpr size_t kRuleWordCountMax = 3 + kTriggerKeyCount;

// A parse failure before it is given its line: the column and the message.
struct ParseError {
  size_t column = 0;
  std::string message;
};

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Splits line into words, up to a comment ('#' starting a word). Stops after
// kRuleWordCountMax + 1 words (one too many is enough to report the error).
// *end_column is the column just past the last byte before any comment.
std::vector<Word> SplitWords(std::string_view line, size_t* end_column) {
  std::vector<Word> words;
  size_t i = 0;
  size_t content_end = 0;
  while (i < line.size() && words.size() <= kRuleWordCountMax) {
    if (IsBlank(line[i])) {
      i++;
      continue;
    }
    if (line[i] == '#') break;
    const size_t start = i;
    while (i < line.size() && !IsBlank(line[i])) i++;
    words.push_back({line.substr(start, i - start), start + 1});
    content_end = i;
  }
  *end_column = content_end + 1;
  return words;
}

bool ParseUint(std::string_view text, uint64_t* value) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *value, 10);
  return ec == std::errc() && ptr == end && !text.empty();
}

bool ParseDouble(std::string_view text, double* value) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *value, std::chars_format::general);
  return ec == std::errc() && ptr == end && !text.empty();
}

ParseError Error(size_t column, std::string message) { return {column, std::move(message)}; }

std::optional<ParseError> ParseSelector(const Word& word, OpSelector* selector) {
  constexpr std::string_view kClassPrefix = "class:";
  if (word.text == "any") {
    *selector = OpSelector::Any();
  } else if (word.text.starts_with(kClassPrefix)) {
    const std::string_view name = word.text.substr(kClassPrefix.size());
    const std::optional<OpClass> op_class = ParseOpClass(name);
    if (!op_class.has_value()) {
      return Error(word.column + kClassPrefix.size(),
                   "unknown operation class \"" + std::string(name) +
                       "\" (classes: read, write, sync, metadata)");
    }
    *selector = OpSelector::Class(*op_class);
  } else {
    const std::optional<OpKind> kind = ParseOpKind(word.text);
    if (!kind.has_value()) {
      return Error(word.column, "unknown operation \"" + std::string(word.text) +
                                    "\" (an operation kind, class:<class> or any)");
    }
    *selector = OpSelector::Kind(*kind);
  }
  return std::nullopt;
}

// Parses "key=value" into trigger; *key_columns remembers where each key was
// (for errors about combinations). Index: 0 after, 1 nth, 2 every, 3 p.
std::optional<ParseError> ParseTrigger(const Word& word, Trigger* trigger,
                                       std::array<size_t, kTriggerKeyCount>* key_columns) {
  const size_t equals_index = word.text.find('=');
  if (equals_index == std::string_view::npos) {
    if (ParseEffect(word.text).has_value()) {
      return Error(word.column,
                   "effect \"" + std::string(word.text) + "\" must be the last word of the rule");
    }
    return Error(word.column,
                 "expected a trigger key=value, got \"" + std::string(word.text) + "\"");
  }
  const std::string_view key = word.text.substr(0, equals_index);
  const std::string_view value = word.text.substr(equals_index + 1);
  const size_t value_column = word.column + equals_index + 1;
  static constexpr std::array<std::string_view, kTriggerKeyCount> kKeys = {"after", "nth", "every",
                                                                           "p"};
  size_t key_index = 0;
  while (key_index < kKeys.size() && kKeys[key_index] != key) key_index++;
  if (key_index == kKeys.size()) {
    return Error(word.column,
                 "unknown trigger \"" + std::string(key) + "\" (triggers: after, nth, every, p)");
  }
  if ((*key_columns)[key_index] != 0) {
    return Error(word.column, "trigger \"" + std::string(key) + "\" given twice");
  }
  (*key_columns)[key_index] = word.column;
  if (key == "p") {
    double p = 0;
    if (!ParseDouble(value, &p) || !std::isfinite(p) || p <= 0.0 || p > 1.0) {
      return Error(value_column, "p=\"" + std::string(value) + "\" is not a probability in (0, 1]");
    }
    trigger->probability = p;
    return std::nullopt;
  }
  uint64_t number = 0;
  if (!ParseUint(value, &number)) {
    return Error(value_column,
                 std::string(key) + "=\"" + std::string(value) + "\" is not a whole number");
  }
  if (key == "after") {
    trigger->after_op_number = number;
    return std::nullopt;
  }
  if (number == 0) {
    return Error(value_column, std::string(key) + " must be at least 1 (operations count from 1)");
  }
  (key == "nth" ? trigger->nth : trigger->every) = number;
  return std::nullopt;
}

std::optional<ParseError> ParseWords(const std::vector<Word>& words, size_t end_column,
                                     std::optional<Rule>* rule) {
  if (words.size() < 3) {
    return Error(end_column, "expected \"<operation> <path-glob> [trigger ...] <effect>\"");
  }
  if (words.size() > kRuleWordCountMax) {
    return Error(words[kRuleWordCountMax].column, "too many words for one rule");
  }
  OpSelector selector = OpSelector::Any();
  if (auto error = ParseSelector(words[0], &selector)) return error;

  size_t glob_error_offset = 0;
  Result<Glob> glob = Glob::Compile(words[1].text, &glob_error_offset);
  if (!glob.ok()) return Error(words[1].column + glob_error_offset, glob.status().message());

  Trigger trigger;
  std::array<size_t, kTriggerKeyCount> key_columns{};
  for (size_t i = 2; i + 1 < words.size(); i++) {
    if (auto error = ParseTrigger(words[i], &trigger, &key_columns)) return error;
  }
  if (trigger.nth.has_value() && trigger.every.has_value()) {
    return Error(std::max(key_columns[1], key_columns[2]),
                 "nth and every cannot be combined in one rule");
  }

  const Word& effect_word = words.back();
  if (effect_word.text.find('=') != std::string_view::npos) {
    return Error(end_column, "missing effect after the triggers");
  }
  const std::optional<Effect> effect = ParseEffect(effect_word.text);
  if (!effect.has_value()) {
    return Error(effect_word.column, "unknown effect \"" + std::string(effect_word.text) + "\"");
  }
  Rule parsed{selector, std::move(glob).value(), trigger, *effect};
  // Every trigger problem was reported above with its own column; what is
  // left for ValidateRule is the effect's validity on the selected kinds.
  Status valid = ValidateRule(parsed);
  if (!valid.ok()) {
    return Error(effect_word.column,
                 valid.message() + " (operation \"" + std::string(words[0].text) + "\")");
  }
  rule->emplace(std::move(parsed));
  return std::nullopt;
}

void AppendNumber(std::string* out, uint64_t value) {
  std::array<char, 32> buffer{};
  auto [ptr, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  WALSIM_ASSERT(ec == std::errc());
  out->append(buffer.data(), ptr);
}

void AppendProbability(std::string* out, double value) {
  std::array<char, 64> buffer{};
  // Without a precision, to_chars writes the shortest text that reads back
  // as exactly this double: the round trip is exact.
  auto [ptr, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  WALSIM_ASSERT(ec == std::errc());
  out->append(buffer.data(), ptr);
}

}  // namespace

Result<Rule> ParseRule(std::string_view line) {
  if (line.find('\n') != std::string_view::npos) {
    return Status::InvalidArgument("column " + std::to_string(line.find('\n') + 1) +
                                   ": a rule is one line");
  }
  size_t end_column = 0;
  const std::vector<Word> words = SplitWords(line, &end_column);
  std::optional<Rule> rule;
  if (auto error = ParseWords(words, end_column, &rule)) {
    return Status::InvalidArgument("column " + std::to_string(error->column) + ": " +
                                   error->message);
  }
  WALSIM_ASSERT(rule.has_value());
  return std::move(*rule);
}

Result<FaultPlan> ParsePlan(std::string_view text) {
  if (text.size() > kPlanTextBytesMax) {
    return Status::InvalidArgument("fault plan text longer than " +
                                   std::to_string(kPlanTextBytesMax) + " bytes");
  }
  FaultPlan plan;
  size_t line_number = 0;
  size_t line_start = 0;
  // Bounded: line_start advances past a '\n' each time, or the loop ends.
  while (line_start < text.size()) {
    line_number++;
    size_t line_end = text.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = text.size();
    const std::string_view line = text.substr(line_start, line_end - line_start);
    line_start = line_end + 1;

    size_t end_column = 0;
    const std::vector<Word> words = SplitWords(line, &end_column);
    if (words.empty()) continue;  // blank or comment-only
    auto at = [&](size_t column) {
      return "line " + std::to_string(line_number) + ", column " + std::to_string(column) + ": ";
    };
    std::optional<Rule> rule;
    if (auto error = ParseWords(words, end_column, &rule)) {
      return Status::InvalidArgument(at(error->column) + error->message);
    }
    Status added = plan.Add(std::move(*rule));
    if (!added.ok()) return Status::InvalidArgument(at(words[0].column) + added.message());
  }
  return plan;
}

std::string PrintRule(const Rule& rule) {
  std::string out = rule.op.ToString();
  out += ' ';
  out += rule.path.pattern();
  const Trigger& trigger = rule.trigger;
  if (trigger.after_op_number.has_value()) {
    out += " after=";
    AppendNumber(&out, *trigger.after_op_number);
  }
  if (trigger.nth.has_value()) {
    out += " nth=";
    AppendNumber(&out, *trigger.nth);
  }
  if (trigger.every.has_value()) {
    out += " every=";
    AppendNumber(&out, *trigger.every);
  }
  if (trigger.probability.has_value()) {
    out += " p=";
    AppendProbability(&out, *trigger.probability);
  }
  out += ' ';
  out += EffectName(rule.effect);
  return out;
}

std::string PrintPlan(const FaultPlan& plan) {
  std::string out;
  for (const Rule& rule : plan.rules()) {
    out += PrintRule(rule);
    out += '\n';
  }
  return out;
}

}  // namespace walsim::faults
