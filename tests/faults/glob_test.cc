// Glob: the path patterns of fault rules (faults/glob.h).
#include "faults/glob.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>

namespace walsim::faults {
namespace {

class GlobTest : public ::testing::Test {
 protected:
  static Glob MustCompile(std::string_view pattern) {
    Result<Glob> glob = Glob::Compile(pattern);
    EXPECT_TRUE(glob.ok()) << pattern << ": " << glob.status().ToString();
    return std::move(glob).value();
  }
};

TEST_F(GlobTest, StarMatchesWithinOneDirectoryOnly) {
  const Glob glob = MustCompile("/wal/*.wal");
  EXPECT_TRUE(glob.Matches("/wal/0000-0001.wal"));
  EXPECT_TRUE(glob.Matches("/wal/.wal"));
  EXPECT_FALSE(glob.Matches("/wal/sub/0001.wal"));
  EXPECT_FALSE(glob.Matches("/wal/0001.wal.tmp"));
  EXPECT_FALSE(glob.Matches("/other/0001.wal"));
}

TEST_F(GlobTest, DoubleStarCrossesDirectories) {
  const Glob glob = MustCompile("/data/**");
  EXPECT_TRUE(glob.Matches("/data/a"));
  EXPECT_TRUE(glob.Matches("/data/a/b/c.wal"));
  EXPECT_FALSE(glob.Matches("/database/a"));
  EXPECT_TRUE(MustCompile("/**/*.wal").Matches("/x/y/z.wal"));
  EXPECT_FALSE(MustCompile("/**/*.wal").Matches("/x/y/z.log"));
}

TEST_F(GlobTest, LoneStarMatchesEveryPath) {
  const Glob glob = MustCompile("*");
  EXPECT_TRUE(glob.Matches("/"));
  EXPECT_TRUE(glob.Matches("/a/b/c"));
}

TEST_F(GlobTest, QuestionMarkMatchesOneByteButNotSlash) {
  const Glob glob = MustCompile("/d/?.log");
  EXPECT_TRUE(glob.Matches("/d/a.log"));
  EXPECT_FALSE(glob.Matches("/d/ab.log"));
  EXPECT_FALSE(glob.Matches("/d/.log"));
  EXPECT_FALSE(MustCompile("/d?x").Matches("/d/x"));
}

TEST_F(GlobTest, BracketSetsSupportRangesAndNegation) {
  EXPECT_TRUE(MustCompile("/s/[0-3].seg").Matches("/s/2.seg"));
  EXPECT_FALSE(MustCompile("/s/[0-3].seg").Matches("/s/7.seg"));
  EXPECT_TRUE(MustCompile("/s/[!0-3].seg").Matches("/s/7.seg"));
  EXPECT_FALSE(MustCompile("/s/[^0-3].seg").Matches("/s/1.seg"));
  EXPECT_TRUE(MustCompile("/s/[]a]").Matches("/s/]"));
  EXPECT_FALSE(MustCompile("/s[!x]a").Matches("/s/a"));  // a set never matches '/'
}

TEST_F(GlobTest, BackslashMakesAWildcardLiteral) {
  const Glob glob = MustCompile("/a/\\*");
  EXPECT_TRUE(glob.Matches("/a/*"));
  EXPECT_FALSE(glob.Matches("/a/b"));
}

TEST_F(GlobTest, MatchesTheWholePathNotASubstring) {
  EXPECT_FALSE(MustCompile("/a").Matches("/a/b"));
  EXPECT_FALSE(MustCompile("/a/b").Matches("/a"));
  EXPECT_TRUE(MustCompile("/a/b").Matches("/a/b"));
}

TEST_F(GlobTest, ManyStarsStayPolynomial) {
  // A backtracking matcher takes exponential time here; the DP does not.
  const Glob glob = MustCompile("/**a**a**a**a**a**a**a**a**b");
  EXPECT_FALSE(glob.Matches("/" + std::string(3000, 'a')));
  EXPECT_TRUE(glob.Matches("/" + std::string(3000, 'a') + "b"));
}

TEST_F(GlobTest, BadPatternsAreRejectedAtTheirOffset) {
  struct Case {
    std::string_view pattern;
    size_t offset;
    std::string_view message_part;
  };
  const Case cases[] = {
      {"", 0, "empty"},
      {"wal/*.wal", 0, "must start with '/'"},
      {"/a/[bc", 3, "unterminated '['"},
      {"/a/[z-a]", 3, "reversed"},
      {"/a\\", 2, "dangling"},
      {"/a b", 2, "white space"},
  };
  for (const Case& c : cases) {
    size_t offset = 999;
    Result<Glob> glob = Glob::Compile(c.pattern, &offset);
    ASSERT_FALSE(glob.ok()) << c.pattern;
    EXPECT_EQ(glob.status().code(), StatusCode::kInvalidArgument) << c.pattern;
    EXPECT_NE(glob.status().message().find(c.message_part), std::string::npos)
        << c.pattern << ": " << glob.status().message();
    EXPECT_EQ(offset, c.offset) << c.pattern;
  }
}

RC_GTEST_PROP(GlobProperty, EscapedLiteralPathMatchesOnlyItself, ()) {
  // Short paths: a path (and so its escaped glob) stays far below the limit.
  const auto segment_gen = rc::gen::container<std::string>(
      *rc::gen::inRange<size_t>(0, 12), rc::gen::elementOf(std::string("ab*?[]\\.-_")));
  const auto segments =
      *rc::gen::container<std::vector<std::string>>(*rc::gen::inRange<size_t>(0, 8), segment_gen);
  std::string path;
  std::string pattern;
  for (const std::string& segment : segments) {
    path += "/" + segment;
    pattern += "/";
    for (char c : segment) {
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') pattern += '\\';
      pattern += c;
    }
  }
  if (path.empty()) {
    path = "/";
    pattern = "/";
  }
  Result<Glob> glob = Glob::Compile(pattern);
  RC_ASSERT(glob.ok());
  RC_ASSERT(glob->Matches(path));
  RC_ASSERT(!glob->Matches(path + "x"));
  RC_ASSERT(Glob::Compile("/**")->Matches(path));  // "/**" matches every absolute path
}

}  // namespace
}  // namespace walsim::faults
