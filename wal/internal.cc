#include "wal/internal.h"

#include "fs/path.h"

namespace walsim::wal::internal {
namespace {
constexpr int kRemoveDepthMax = 16;

Status RemoveAllAt(fs::FileSystem& fs, const std::string& path, int depth) {
  if (depth > kRemoveDepthMax) {
    return Status::FailedPrecondition("directory tree too deep to remove at " + path);
  }
  WALSIM_ASSIGN_OR_RETURN(fs::FileInfo info, fs.Stat(path));
  if (info.is_directory) {
    WALSIM_ASSIGN_OR_RETURN(std::vector<std::string> names, fs.List(path));
    for (const std::string& name : names) {
      WALSIM_RETURN_IF_ERROR(RemoveAllAt(fs, fs::Join(path, name), depth + 1));
    }
  }
  return fs.Remove(path);
}
}  // namespace

Result<OpenedFiles> OpenForReading(fs::FileSystem& fs, std::string_view dir,
                                   const std::vector<SegmentName>& segments, size_t first) {
  WALSIM_ASSERT(first < segments.size());
  OpenedFiles opened;
  for (size_t i = first; i < segments.size(); i++) {
    std::string path = fs::Join(dir, segments[i].name);
    WALSIM_ASSIGN_OR_RETURN(auto file, fs.Open(path, {.read_only = true}));
    opened.files.push_back(ReadFile{file.get(), std::move(path)});
    opened.handles.push_back(std::move(file));
  }
  WALSIM_ASSERT(opened.files.size() == segments.size() - first);
  return opened;
}

Status RemoveAll(fs::FileSystem& fs, const std::string& path) { return RemoveAllAt(fs, path, 0); }

}  // namespace walsim::wal::internal
