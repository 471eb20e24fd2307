// Path rules shared by every FileSystem implementation (see fs/fs.h, "Paths").
//
// ValidatePath is the single definition of a well-formed path: absolute,
// normal, no NUL. The helpers below assume a path that passed it. Pure.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace walsim::fs {

inline constexpr size_t kPathLengthMax = 4096;
inline constexpr size_t kNameLengthMax = 255;

// OK when path is absolute and normal; otherwise kInvalidArgument naming the
// rule broken (empty, relative, "..", ".", empty component, trailing '/',
// NUL byte, too long).
Status ValidatePath(std::string_view path);

// "/a/b" -> "/a"; "/a" -> "/"; "/" -> "/". REQUIRES: ValidatePath(path).ok().
std::string_view Dirname(std::string_view path);
// "/a/b" -> "b"; "/" -> "". REQUIRES: ValidatePath(path).ok().
std::string_view Basename(std::string_view path);
// Join("/a", "b") -> "/a/b"; Join("/", "b") -> "/b". REQUIRES: name has no '/'.
std::string Join(std::string_view dir, std::string_view name);

}  // namespace walsim::fs
