// OpContext: one filesystem operation, as fault rules and devices see it.
//
// FaultFs builds an OpContext before each operation it forwards; PlanRunner
// decides on it and DeviceFaults applies effects to it. The strings are views
// of the caller's arguments: an OpContext lives only for the call it
// describes. A plain value; not thread-safe to share while mutating.
#pragma once

#include <cstdint>
#include <string_view>

#include "faults/op_kind.h"

namespace walsim::faults {

struct OpContext {
  OpKind kind = OpKind::kOpen;
  // The file or directory operated on (for rename, the source; for a lock
  // or unlock, the locked file).
  std::string_view path;
  // Rename only: the destination. A rule's glob matches a rename when it
  // matches either path.
  std::string_view other_path;
  // read, write: the file offset. truncate: the new size. allocate: the
  // start of the range. Otherwise 0.
  uint64_t offset = 0;
  // read, write, append, allocate: the byte count. Otherwise 0.
  uint64_t length_bytes = 0;
  // The operation's global number in its FaultFs, counting from 1.
  uint64_t op_number = 0;
};

// An operation of kind on path; the other fields are set by the caller.
inline OpContext OpOn(OpKind kind, std::string_view path) {
  OpContext op;
  op.kind = kind;
  op.path = path;
  return op;
}

}  // namespace walsim::faults
