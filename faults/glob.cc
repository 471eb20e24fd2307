#include "faults/glob.h"

#include <algorithm>

namespace walsim::faults {
namespace {

void SetBit(uint64_t (&bits)[4], uint8_t byte) { bits[byte / 64] |= uint64_t{1} << (byte % 64); }
bool TestBit(const uint64_t (&bits)[4], uint8_t byte) {
  return ((bits[byte / 64] >> (byte % 64)) & 1) != 0;
}

}  // namespace

// Parses "[...]" starting at pattern[*index] == '['; on success *index is one
// past the closing ']'.
Status Glob::CompileSet(std::string_view pattern, size_t* index) {
  WALSIM_ASSERT(pattern[*index] == '[');
  size_t i = *index + 1;
  Token token{TokenType::kSet};
  if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
    token.negated = true;
    i++;
  }
  CharSet set;
  const size_t first_member_index = i;
  bool closed = false;
  // Bounded: i advances on every iteration.
  while (i < pattern.size()) {
    if (pattern[i] == ']' && i > first_member_index) {
      closed = true;
      i++;
      break;
    }
    const auto low = static_cast<uint8_t>(pattern[i]);
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      const auto high = static_cast<uint8_t>(pattern[i + 2]);
      if (high < low) {
        return Status::InvalidArgument("glob range \"" + std::string(pattern.substr(i, 3)) +
                                       "\" is reversed");
      }
      for (unsigned byte = low; byte <= high; byte++) SetBit(set.bits, static_cast<uint8_t>(byte));
      i += 3;
    } else {
      SetBit(set.bits, low);
      i++;
    }
  }
  if (!closed) return Status::InvalidArgument("glob has an unterminated '['");
  token.set_index = static_cast<uint32_t>(sets_.size());
  sets_.push_back(set);
  tokens_.push_back(token);
  *index = i;
  return Status::Ok();
}

Result<Glob> Glob::Compile(std::string_view pattern, size_t* error_offset) {
  auto fail = [&](size_t offset, std::string message) -> Status {
    if (error_offset != nullptr) *error_offset = offset;
    return Status::InvalidArgument(std::move(message));
  };
  if (pattern.empty()) return fail(0, "empty path glob");
  if (pattern.size() > kPatternLengthBytesMax) {
    return fail(kPatternLengthBytesMax,
                "path glob longer than " + std::to_string(kPatternLengthBytesMax) + " bytes");
  }
  Glob glob;
  glob.pattern_ = std::string(pattern);
  if (pattern == "*") {
    glob.matches_everything_ = true;
    return glob;
  }
  if (pattern[0] != '/') {
    return fail(0, "path glob \"" + std::string(pattern) + "\" must start with '/' (or be \"*\")");
  }
  // The plan language separates words with white space, so a glob holds none
  // (match a space with '?'); NUL is never in a path.
  const size_t bad_byte_offset = pattern.find_first_of(std::string_view(" \t\n\r\v\f\0", 7));
  if (bad_byte_offset != std::string_view::npos) {
    return fail(bad_byte_offset, "path glob holds white space or NUL (use '?' to match a space)");
  }
  bool has_wildcard = false;
  size_t i = 0;
  while (i < pattern.size()) {  // bounded: i advances every iteration
    const char c = pattern[i];
    if (c == '*') {
      const bool doubled = i + 1 < pattern.size() && pattern[i + 1] == '*';
      glob.tokens_.push_back({doubled ? TokenType::kDoubleStar : TokenType::kStar});
      i += doubled ? 2 : 1;
      has_wildcard = true;
    } else if (c == '?') {
      glob.tokens_.push_back({TokenType::kAnyChar});
      i++;
      has_wildcard = true;
    } else if (c == '[') {
      const size_t set_offset = i;
      Status status = glob.CompileSet(pattern, &i);
      if (!status.ok()) return fail(set_offset, status.message());
      has_wildcard = true;
    } else if (c == '\\') {
      if (i + 1 == pattern.size()) return fail(i, "glob ends with a dangling '\\'");
      glob.tokens_.push_back({TokenType::kLiteral, false, pattern[i + 1]});
      i += 2;
    } else {
      glob.tokens_.push_back({TokenType::kLiteral, false, c});
      i++;
    }
  }
  glob.literal_only_ = !has_wildcard;
  WALSIM_ASSERT(!glob.tokens_.empty());
  return glob;
}

bool Glob::TokenMatchesByte(const Token& token, uint8_t byte) const {
  switch (token.type) {
    case TokenType::kLiteral:
      return static_cast<uint8_t>(token.literal) == byte;
    case TokenType::kAnyChar:
      return byte != '/';
    case TokenType::kSet:
      WALSIM_ASSERT(token.set_index < sets_.size());
      return byte != '/' && TestBit(sets_[token.set_index].bits, byte) != token.negated;
    case TokenType::kStar:
    case TokenType::kDoubleStar:
      break;
  }
  WALSIM_UNREACHABLE();
}

bool Glob::Matches(std::string_view path, std::vector<uint8_t>* scratch) const {
  if (matches_everything_) return true;
  if (literal_only_) {
    // Every token is a literal: compare byte by byte (escapes are resolved).
    if (path.size() != tokens_.size()) return false;
    for (size_t i = 0; i < path.size(); i++) {
      if (tokens_[i].literal != path[i]) return false;
    }
    return true;
  }
  // reached[j]: the tokens so far can match exactly path[0, j). Two rows of
  // path.size() + 1 flags, rolled over the tokens.
  const size_t width = path.size() + 1;
  scratch->assign(2 * width, 0);
  uint8_t* reached = scratch->data();
  uint8_t* next = scratch->data() + width;
  reached[0] = 1;
  for (const Token& token : tokens_) {
    if (token.type == TokenType::kStar || token.type == TokenType::kDoubleStar) {
      next[0] = reached[0];
      for (size_t j = 1; j < width; j++) {
        const bool extend =
            next[j - 1] != 0 && (token.type == TokenType::kDoubleStar || path[j - 1] != '/');
        next[j] = (reached[j] != 0 || extend) ? 1 : 0;
      }
    } else {
      next[0] = 0;
      for (size_t j = 1; j < width; j++) {
        next[j] =
            (reached[j - 1] != 0 && TokenMatchesByte(token, static_cast<uint8_t>(path[j - 1]))) ? 1
                                                                                                : 0;
      }
    }
    std::swap(reached, next);
    if (std::none_of(reached, reached + width, [](uint8_t flag) { return flag != 0; })) {
      return false;  // no prefix can match any more
    }
  }
  return reached[width - 1] != 0;
}

bool Glob::Matches(std::string_view path) const {
  std::vector<uint8_t> scratch;
  return Matches(path, &scratch);
}

}  // namespace walsim::faults
