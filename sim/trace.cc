#include "sim/trace.h"

#include <charconv>

#include "base/coding.h"
#include "base/hash.h"

namespace walsim::sim {
namespace {

void AppendNumber(std::string* out, uint64_t value, int base) {
  char buffer[24];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value, base);
  WALSIM_ASSERT(error == std::errc());
  out->append(buffer, end);
}

// Extends hash with line, eight bytes per step: FNV-1a's xor-then-multiply
// on little-endian 64-bit words with a xor-shift after each multiply, then
// the length. It runs on every simulated operation, where FNV-1a's byte loop
// was a third of the cost. A pure function of the bytes, on every host.
uint64_t HashLine(uint64_t hash, std::string_view line) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(line.data());
  size_t i = 0;
  for (; i + 8 <= line.size(); i += 8) {
    hash = (hash ^ DecodeFixed64(bytes + i)) * kFnv1a64Prime;
    hash ^= hash >> 32;
  }
  uint64_t tail = 0;
  for (size_t shift = 0; i < line.size(); i++, shift += 8) tail |= uint64_t{bytes[i]} << shift;
  hash = (hash ^ tail) * kFnv1a64Prime;
  hash ^= hash >> 32;
  hash = (hash ^ line.size()) * kFnv1a64Prime;
  return hash ^ (hash >> 32);
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
  hash_ = HashLine(hash_, line_);
  if (!enabled_) return;
  if (lines_.size() >= kTraceLinesMax) {
    lines_dropped_++;
    return;
  }
  lines_.push_back(line_);
}

}  // namespace walsim::sim
