// Status and Result: how expected failures travel in walsim.
//
// Every fallible operation returns a [[nodiscard]] Status or Result<T>. A
// Status is a code from a small closed set plus a message with context (the
// file, the offset, the operation). Modules that need finer distinctions
// (the WAL's "snapshot not found" vs "CRC mismatch") put a module-defined
// subcode next to the code; the code alone must still be the right coarse
// answer. No exception crosses a module boundary. errno is translated to a
// code in exactly one place (fs/posix_fs.cc).
//
// Invariant: an OK Status has an empty message and subcode 0; a Result holds
// exactly one of a value or a non-OK Status. Values are not thread-safe to
// mutate concurrently, like any value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/assert.h"

namespace walsim {

enum class StatusCode : uint8_t {
  kOk = 0,
  kNotFound,            // a file, directory, entry or index does not exist
  kAlreadyExists,       // exclusive create of something that exists
  kInvalidArgument,     // the caller's input is malformed or out of range
  kIoError,             // the device or kernel reported an I/O error (EIO, short write)
  kNoSpace,             // the device is full (ENOSPC)
  kBusy,                // a lock is held by someone else
  kCorruption,          // stored bytes fail validation (checksum, framing)
  kDataLoss,            // data that was acknowledged is missing
  kClosed,              // the handle was closed, or failed stop and refuses work
  kNotSupported,        // the operation is not available here
  kFailedPrecondition,  // the object is in the wrong state for the call
};

// Returns the stable name of a code, e.g. "corruption".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, uint16_t subcode = 0)
      : code_(code), subcode_(subcode), message_(std::move(message)) {
    WALSIM_ASSERT(code != StatusCode::kOk || (subcode == 0 && message_.empty()));
  }

  static Status Ok() { return {}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status NoSpace(std::string m) { return {StatusCode::kNoSpace, std::move(m)}; }
  static Status Busy(std::string m) { return {StatusCode::kBusy, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
  static Status Closed(std::string m) { return {StatusCode::kClosed, std::move(m)}; }
  static Status NotSupported(std::string m) { return {StatusCode::kNotSupported, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  uint16_t subcode() const { return subcode_; }
  const std::string& message() const { return message_; }

  bool Is(StatusCode code) const { return code_ == code; }

  // Returns a copy whose message is "context: message". OK stays OK.
  Status WithContext(std::string_view context) const;

  // "ok", or "<code name>: <message>".
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.subcode_ == b.subcode_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  uint16_t subcode_ = 0;
  std::string message_;
};

// Result<T>: a value, or the non-OK Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    WALSIM_ASSERT_MSG(!status_.ok(), "Result built from an OK Status has no value");
  }

  bool ok() const { return value_.has_value(); }
  // The error; an OK Status when a value is present.
  const Status& status() const& { return status_; }
  Status status() && { return std::move(status_); }

  // REQUIRES: ok().
  T& value() & {
    WALSIM_ASSERT(ok());
    return *value_;
  }
  const T& value() const& {
    WALSIM_ASSERT(ok());
    return *value_;
  }
  T&& value() && {
    WALSIM_ASSERT(ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace walsim

#define WALSIM_CONCAT_INNER(a, b) a##b
#define WALSIM_CONCAT(a, b) WALSIM_CONCAT_INNER(a, b)

// Evaluates expr (a Status); returns it from the enclosing function if not OK.
#define WALSIM_RETURN_IF_ERROR(expr)          \
  do {                                        \
    ::walsim::Status walsim_status_ = (expr); \
    if (!walsim_status_.ok()) [[unlikely]]    \
      return walsim_status_;                  \
  } while (0)

// Evaluates expr (a Result<T>); on error returns its Status, else moves the
// value into lhs (which may be a declaration: `auto file`).
#define WALSIM_ASSIGN_OR_RETURN(lhs, expr) \
  WALSIM_ASSIGN_OR_RETURN_IMPL(WALSIM_CONCAT(walsim_result_, __LINE__), lhs, expr)
#define WALSIM_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) [[unlikely]]                        \
    return std::move(tmp).status();                  \
  lhs = std::move(tmp).value()
