// Glob: the path patterns of fault rules.
//
// Syntax (docs/fault-plans.md, "Paths"):
//   *       any run of characters except '/' (does NOT cross directories)
//   **      any run of characters, '/' included
//   ?       one character except '/'
//   [abc]   one character of the set; ranges "a-z"; "[!...]" or "[^...]"
//           negates; a ']' right after '[' or '[!' is literal; never matches '/'
//   \c      the character c itself (to match a literal '*', '?', '[', '\')
// A pattern is absolute (starts with '/'), or is exactly "*", which matches
// every path. A glob matches a whole path, never a substring. A glob holds
// no white space and no NUL (it is one word of a rule; '?' matches a space).
//
// Invariant: a compiled Glob's tokens are exactly its pattern's meaning;
// matching is a dynamic program over (token, path byte), O(tokens * bytes),
// so no pattern can make it backtrack exponentially.
// A Glob is an immutable value; const methods are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace walsim::faults {

class Glob {
 public:
  // Longest pattern accepted; a path is never longer (fs::kPathLengthMax).
  static constexpr size_t kPatternLengthBytesMax = 4096;

  // Compiles pattern. Failure: kInvalidArgument naming the problem (empty,
  // relative, white space, unterminated '[', reversed range, dangling '\',
  // too long); *error_offset (when
  // not null) is set to the 0-based byte offset of the problem in pattern.
  static Result<Glob> Compile(std::string_view pattern, size_t* error_offset = nullptr);

  // True when the whole of path matches. scratch is reused between calls so
  // matching does not allocate once it has grown to the longest path.
  bool Matches(std::string_view path, std::vector<uint8_t>* scratch) const;
  // As above, with a temporary scratch buffer (tests, one-off checks).
  bool Matches(std::string_view path) const;

  const std::string& pattern() const { return pattern_; }
  friend bool operator==(const Glob& a, const Glob& b) { return a.pattern_ == b.pattern_; }

 private:
  enum class TokenType : uint8_t { kLiteral, kAnyChar, kSet, kStar, kDoubleStar };
  struct Token {
    TokenType type;
    bool negated = false;    // kSet
    char literal = 0;        // kLiteral
    uint32_t set_index = 0;  // kSet: index into sets_
  };
  struct CharSet {
    uint64_t bits[4] = {0, 0, 0, 0};  // one bit per byte value
  };

  Glob() = default;
  bool TokenMatchesByte(const Token& token, uint8_t byte) const;
  Status CompileSet(std::string_view pattern, size_t* index);

  std::string pattern_;
  std::vector<Token> tokens_;
  std::vector<CharSet> sets_;
  bool matches_everything_ = false;  // the pattern "*"
  bool literal_only_ = false;        // no wildcard: a plain string compare
};

}  // namespace walsim::faults
