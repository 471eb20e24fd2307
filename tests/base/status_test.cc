// Status and Result: codes, messages, context, and the propagation macros.
#include "base/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

namespace walsim {
namespace {

class StatusTest : public ::testing::Test {
 protected:
  static Result<int> ParsePositive(int value) {
    if (value <= 0) return Status::InvalidArgument("not positive: " + std::to_string(value));
    return value;
  }
  static Status CheckPositive(int value) {
    WALSIM_RETURN_IF_ERROR(ParsePositive(value).status());
    return Status::Ok();
  }
  static Result<int> DoublePositive(int value) {
    WALSIM_ASSIGN_OR_RETURN(int parsed, ParsePositive(value));
    return parsed * 2;
  }
  static Result<std::unique_ptr<int>> Boxed(int value) {
    WALSIM_ASSIGN_OR_RETURN(auto parsed, ParsePositive(value));
    return std::make_unique<int>(parsed);
  }
};

TEST_F(StatusTest, OkStatusHasNoMessageAndPrintsOk) {
  const Status ok = Status::Ok();
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.code(), StatusCode::kOk);
  EXPECT_EQ(ok.message(), "");
  EXPECT_EQ(ok.subcode(), 0);
  EXPECT_EQ(ok.ToString(), "ok");
  EXPECT_EQ(ok, Status());
}

TEST_F(StatusTest, ErrorPrintsCodeNameAndMessage) {
  const Status status = Status::NotFound("/wal/0.wal");
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(status.Is(StatusCode::kNotFound));
  EXPECT_EQ(status.ToString(), "not found: /wal/0.wal");
  EXPECT_EQ(Status::Corruption("crc mismatch at offset 8").ToString(),
            "corruption: crc mismatch at offset 8");
}

TEST_F(StatusTest, EveryCodeHasADistinctName) {
  std::set<std::string_view> names;
  const auto last = static_cast<int>(StatusCode::kFailedPrecondition);
  for (int code = 0; code <= last; code++) {
    names.insert(StatusCodeName(static_cast<StatusCode>(code)));
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(last) + 1);
  EXPECT_EQ(StatusCodeName(StatusCode::kIoError), "I/O error");
  EXPECT_EQ(StatusCodeName(StatusCode::kBusy), "busy");
}

TEST_F(StatusTest, WithContextPrefixesTheMessageAndKeepsCodeAndSubcode) {
  const Status status(StatusCode::kCorruption, "bad crc", 7);
  const Status wrapped = status.WithContext("segment 3");
  EXPECT_EQ(wrapped.code(), StatusCode::kCorruption);
  EXPECT_EQ(wrapped.subcode(), 7);
  EXPECT_EQ(wrapped.message(), "segment 3: bad crc");
  EXPECT_EQ(status.message(), "bad crc");  // the original is unchanged
}

TEST_F(StatusTest, WithContextLeavesOkUnchanged) {
  EXPECT_EQ(Status::Ok().WithContext("anything"), Status::Ok());
}

TEST_F(StatusTest, EqualityComparesCodeSubcodeAndMessage) {
  EXPECT_EQ(Status::IoError("x"), Status::IoError("x"));
  EXPECT_NE(Status::IoError("x"), Status::IoError("y"));
  EXPECT_NE(Status::IoError("x"), Status::NoSpace("x"));
  EXPECT_NE(Status(StatusCode::kIoError, "x", 1), Status::IoError("x"));
}

TEST_F(StatusTest, ResultHoldsAValueOrAnError) {
  const Result<int> value = ParsePositive(4);
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 4);
  EXPECT_TRUE(value.status().ok());
  const Result<int> error = ParsePositive(-1);
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(error.status().message(), "not positive: -1");
}

TEST_F(StatusTest, ReturnIfErrorPropagatesTheFirstError) {
  EXPECT_TRUE(CheckPositive(1).ok());
  const Status status = CheckPositive(0);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "not positive: 0");
}

TEST_F(StatusTest, AssignOrReturnMovesTheValueOrReturnsTheError) {
  const Result<int> doubled = DoublePositive(21);
  ASSERT_TRUE(doubled.ok());
  EXPECT_EQ(*doubled, 42);
  EXPECT_EQ(DoublePositive(-3).status().message(), "not positive: -3");
  Result<std::unique_ptr<int>> boxed = Boxed(5);  // move-only values pass through
  ASSERT_TRUE(boxed.ok());
  EXPECT_EQ(**boxed, 5);
}

TEST_F(StatusTest, ResultFromOkStatusIsABug) {
  EXPECT_DEATH({ Result<int> bad(Status::Ok()); }, "Result built from an OK Status");
}

TEST_F(StatusTest, ReadingTheValueOfAnErrorIsABug) {
  const Result<int> error = ParsePositive(0);
  EXPECT_DEATH({ (void)error.value(); }, "assertion failed");
}

}  // namespace
}  // namespace walsim
