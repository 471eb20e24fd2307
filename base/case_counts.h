// CaseCounts: how often each case of a closed enum happened, e.g. which rows
// of a store's recovery table a recovery took (wal/recovery.h,
// logstore/recovery.h). Case must be an enum whose enumerators run 0 ..
// kCount - 1; name gives each its stable name. A plain value type; not
// thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace walsim {

template <typename Case, size_t kCount, std::string_view (*name)(Case)>
struct CaseCounts {
  std::array<uint64_t, kCount> counts{};

  // REQUIRES: static_cast<size_t>(c) < kCount (every enumerator is).
  void Record(Case c) { counts[static_cast<size_t>(c)]++; }
  uint64_t Count(Case c) const { return counts[static_cast<size_t>(c)]; }
  bool Took(Case c) const { return Count(c) > 0; }
  void Clear() { counts = {}; }
  // "<name>=<count> ...": the cases taken, in enumerator order.
  std::string ToString() const {
    std::string text;
    for (size_t i = 0; i < kCount; i++) {
      if (counts[i] == 0) continue;
      if (!text.empty()) text += ' ';
      text += name(static_cast<Case>(i));
      text += '=';
      text += std::to_string(counts[i]);
    }
    return text;
  }
};

// Records c in *counts when counts is not null.
template <typename Counts, typename Case>
void RecordCase(Counts* counts, Case c) {
  if (counts != nullptr) counts->Record(c);
}

}  // namespace walsim
