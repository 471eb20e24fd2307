#include "base/status.h"

namespace walsim {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kNotFound:
      return "not found";
    case StatusCode::kAlreadyExists:
      return "already exists";
    case StatusCode::kInvalidArgument:
      return "invalid argument";
    case StatusCode::kIoError:
      return "I/O error";
    case StatusCode::kNoSpace:
      return "no space";
    case StatusCode::kBusy:
      return "busy";
    case StatusCode::kCorruption:
      return "corruption";
    case StatusCode::kDataLoss:
      return "data loss";
    case StatusCode::kClosed:
      return "closed";
    case StatusCode::kNotSupported:
      return "not supported";
    case StatusCode::kFailedPrecondition:
      return "failed precondition";
  }
  WALSIM_UNREACHABLE();
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string message(context);
  message += ": ";
  message += message_;
  return {code_, std::move(message), subcode_};
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(StatusCodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

}  // namespace walsim
