// Trace: the simulated disk's record of every operation and every fault and
// crash decision, one text line each, and a hash over all of them.
//
// A line reads `op=17 write path=/w/0.wal offset=4096 bytes=128 -> ok`. The
// hash covers the same content as the line, structured: the op index and
// name, each field's key (a tag) and value, appended text, the status (code,
// subcode, and message when it failed), and an end-of-line mark. It is the
// same whether or not lines are retained, and text is formatted only when
// they are (set_enabled), so a long torture run keeps only the hash at a
// fraction of the cost and can still be compared with its replay. At most
// lines_max (kTraceLinesMax) lines are retained; later ones are counted in
// lines_dropped() (the hash still covers them). Building a line reuses one
// buffer. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace walsim::sim {

class Trace {
 public:
  static constexpr size_t kTraceLinesMax = size_t{1} << 22;

  // Keeps at most lines_max lines (tests use a small limit).
  explicit Trace(size_t lines_max = kTraceLinesMax) : lines_max_(lines_max) {}

  // Starts a line "op=<op_index> <name>" (or "<name>" when op_index is 0).
  void Begin(uint64_t op_index, std::string_view name);
  // Appends " key=value".
  void Field(std::string_view key, uint64_t value);
  void Field(std::string_view key, std::string_view value);
  // Appends text as it is (pre-formatted " key=value" decisions).
  void Append(std::string_view text);
  // Appends " -> ok" or " -> <status.ToString()>" and commits the line.
  void End(const Status& status);
  // Commits the line as it is.
  void End();

  void set_enabled(bool enabled) { enabled_ = enabled; }
  bool enabled() const { return enabled_; }
  uint64_t hash() const { return hash_; }
  const std::vector<std::string>& lines() const { return lines_; }
  uint64_t lines_dropped() const { return lines_dropped_; }

 private:
  void Commit();

  std::string line_;
  bool in_line_ = false;
  bool enabled_ = false;
  uint64_t hash_ = 0xcbf29ce484222325ull;  // starts at FNV-1a's offset basis
  size_t lines_max_;
  uint64_t lines_dropped_ = 0;
  std::vector<std::string> lines_;
};

}  // namespace walsim::sim
