// fs::ValidatePath, the single definition of a well-formed path, and the
// Dirname/Basename/Join helpers every FileSystem uses.
#include "fs/path.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace walsim::fs {
namespace {

class PathTest : public ::testing::Test {};

TEST_F(PathTest, AbsoluteNormalPathsAreValid) {
  for (const char* path : {"/", "/a", "/a/b", "/a.b/c..d/.e", "/0000000000000000-0.wal"}) {
    EXPECT_TRUE(ValidatePath(path).ok()) << path;
  }
  EXPECT_TRUE(ValidatePath("/" + std::string(kNameLengthMax, 'n')).ok());
}

TEST_F(PathTest, EachMalformedPathIsInvalidArgumentNamingTheRule) {
  struct Row {
    std::string path;
    const char* rule;
  };
  const std::vector<Row> rows = {
      {"", "empty"},
      {"a/b", "not absolute"},
      {"/a/../b", "'..' component"},
      {"/a/./b", "'.' component"},
      {"/a//b", "empty component"},
      {"/a/", "trailing '/'"},
      {std::string("/a\0b", 4), "NUL byte"},
      {"/" + std::string(kNameLengthMax + 1, 'n'), "component longer than 255"},
      {std::string(kPathLengthMax + 1, '/'), "longer than 4096"},
  };
  for (const Row& row : rows) {
    const Status status = ValidatePath(row.path);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << row.rule;
    EXPECT_THAT(status.message(), ::testing::HasSubstr(row.rule));
    EXPECT_THAT(status.message(), ::testing::StartsWith("bad path"));
  }
}

TEST_F(PathTest, DirnameAndBasenameSplitAtTheLastSlash) {
  EXPECT_EQ(Dirname("/a/b"), "/a");
  EXPECT_EQ(Dirname("/a"), "/");
  EXPECT_EQ(Dirname("/"), "/");
  EXPECT_EQ(Basename("/a/b"), "b");
  EXPECT_EQ(Basename("/a"), "a");
  EXPECT_EQ(Basename("/"), "");
}

TEST_F(PathTest, JoinAddsExactlyOneSlash) {
  EXPECT_EQ(Join("/a", "b"), "/a/b");
  EXPECT_EQ(Join("/", "b"), "/b");
  EXPECT_EQ(Join(Dirname("/x/y"), Basename("/x/y")), "/x/y");
}

}  // namespace
}  // namespace walsim::fs
