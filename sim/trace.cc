#include "sim/trace.h"

#include <charconv>

#include "base/hash.h"

namespace walsim::sim {
namespace {

void AppendNumber(std::string* out, uint64_t value, int base) {
  char buffer[24];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value, base);
  WALSIM_ASSERT(error == std::errc());
  out->append(buffer, end);
}

}  // namespace

static_assert(kFnv1a64Offset == 0xcbf29ce484222325ull, "Trace::hash_ starts at FNV offset");

void Trace::Begin(uint64_t op_index, std::string_view name) {
  WALSIM_ASSERT_MSG(!in_line_, "a trace line was begun twice");
  in_line_ = true;
  line_.clear();
  if (op_index != 0) {
    line_ += "op=";
    AppendNumber(&line_, op_index, 10);
    line_ += ' ';
  }
  line_ += name;
}

void Trace::Field(std::string_view key, uint64_t value) {
  WALSIM_ASSERT(in_line_);
  line_ += ' ';
  line_ += key;
  line_ += '=';
  AppendNumber(&line_, value, 10);
}

void Trace::Field(std::string_view key, std::string_view value) {
  WALSIM_ASSERT(in_line_);
  line_ += ' ';
  line_ += key;
  line_ += '=';
  line_ += value;
}

void Trace::FieldHex(std::string_view key, uint64_t value) {
  WALSIM_ASSERT(in_line_);
  line_ += ' ';
  line_ += key;
  line_ += "=0x";
  AppendNumber(&line_, value, 16);
}

void Trace::Append(std::string_view text) {
  WALSIM_ASSERT(in_line_);
  line_ += text;
}

void Trace::End(const Status& status) {
  WALSIM_ASSERT(in_line_);
  line_ += " -> ";
  if (status.ok()) {
    line_ += "ok";
  } else {
    line_ += status.ToString();
  }
  Commit();
}

void Trace::End() { Commit(); }

void Trace::Commit() {
  WALSIM_ASSERT(in_line_);
  in_line_ = false;
  hash_ = Fnv1a64Extend(hash_, line_);
  hash_ = Fnv1a64Extend(hash_, std::string_view("\n"));
  if (!enabled_) return;
  if (lines_.size() >= kTraceLinesMax) {
    lines_dropped_++;
    return;
  }
  lines_.push_back(line_);
}

}  // namespace walsim::sim
