#include "fs/path.h"

namespace walsim::fs {

Status ValidatePath(std::string_view path) {
  auto bad = [&](std::string_view why) {
    std::string shown(path.substr(0, 200));
    for (char& c : shown) {
      if (c == '\0') c = '?';
    }
    return Status::InvalidArgument("bad path \"" + shown + "\": " + std::string(why));
  };
  if (path.empty()) return bad("empty");
  if (path.size() > kPathLengthMax) return bad("longer than 4096 bytes");
  if (path.find('\0') != std::string_view::npos) return bad("contains a NUL byte");
  if (path.front() != '/') return bad("not absolute");
  if (path == "/") return Status::Ok();
  if (path.back() == '/') return bad("trailing '/'");
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view component = path.substr(start, end - start);
    if (component.empty()) return bad("empty component");
    if (component == ".") return bad("'.' component");
    if (component == "..") return bad("'..' component");
    if (component.size() > kNameLengthMax) return bad("component longer than 255 bytes");
    start = end + 1;
  }
  return Status::Ok();
}

std::string_view Dirname(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == 0 || slash == std::string_view::npos) return "/";
  return path.substr(0, slash);
}

std::string_view Basename(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return path;
  return path.substr(slash + 1);
}

std::string Join(std::string_view dir, std::string_view name) {
  WALSIM_ASSERT(name.find('/') == std::string_view::npos);
  std::string out(dir);
  if (out.empty() || out.back() != '/') out += '/';
  out += name;
  return out;
}

}  // namespace walsim::fs
