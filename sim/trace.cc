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

// One step of the trace hash: FNV-1a's xor-then-multiply on a 64-bit word,
// with a xor-shift so that high bits reach the low ones.
uint64_t Mix(uint64_t hash, uint64_t word) {
  hash = (hash ^ word) * kFnv1a64Prime;
  return hash ^ (hash >> 32);
}

// Extends hash with bytes, eight per step (little-endian words), then their
// length. A pure function of the bytes, on every host.
uint64_t MixBytes(uint64_t hash, std::string_view bytes) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) hash = Mix(hash, DecodeFixed64(data + i));
  uint64_t tail = 0;
  for (size_t shift = 0; i < bytes.size(); i++, shift += 8) tail |= uint64_t{data[i]} << shift;
  return Mix(Mix(hash, tail), bytes.size());
}

// A field's key, cheaply: its length and first two bytes. Keys are literals
// at fixed places in each operation, so this only has to tell the optional
// fields of one operation apart.
uint64_t KeyTag(std::string_view key) {
  WALSIM_ASSERT(!key.empty());
  uint64_t second = key.size() > 1 ? uint8_t(key[1]) : 0;
  return (uint64_t{1} << 63) | (key.size() << 16) | (second << 8) | uint8_t(key[0]);
}

// Marks the end of a line, so that fields cannot slide into the next one.
constexpr uint64_t kEndOfLine = 0x0a0a0a0a0a0a0a0aull;

}  // namespace

static_assert(kFnv1a64Offset == 0xcbf29ce484222325ull, "Trace::hash_ starts at FNV offset");

void Trace::Begin(uint64_t op_index, std::string_view name) {
  WALSIM_ASSERT_MSG(!in_line_, "a trace line was begun twice");
  in_line_ = true;
  hash_ = MixBytes(Mix(hash_, op_index), name);
  if (!enabled_) return;
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
  hash_ = Mix(Mix(hash_, KeyTag(key)), value);
  if (!enabled_) return;
  line_ += ' ';
  line_ += key;
  line_ += '=';
  AppendNumber(&line_, value, 10);
}

void Trace::Field(std::string_view key, std::string_view value) {
  WALSIM_ASSERT(in_line_);
  hash_ = MixBytes(Mix(hash_, KeyTag(key)), value);
  if (!enabled_) return;
  line_ += ' ';
  line_ += key;
  line_ += '=';
  line_ += value;
}

void Trace::Append(std::string_view text) {
  WALSIM_ASSERT(in_line_);
  hash_ = MixBytes(hash_, text);
  if (!enabled_) return;
  line_ += text;
}

void Trace::End(const Status& status) {
  WALSIM_ASSERT(in_line_);
  hash_ = Mix(hash_, (uint64_t{status.subcode()} << 8) | static_cast<uint8_t>(status.code()));
  if (!status.ok()) hash_ = MixBytes(hash_, status.message());
  if (enabled_) {
    line_ += " -> ";
    if (status.ok()) {
      line_ += "ok";
    } else {
      line_ += status.ToString();
    }
  }
  Commit();
}

void Trace::End() { Commit(); }

void Trace::Commit() {
  WALSIM_ASSERT(in_line_);
  in_line_ = false;
  hash_ = Mix(hash_, kEndOfLine);
  if (!enabled_) return;
  if (lines_.size() >= lines_max_) {
    lines_dropped_++;
    return;
  }
  lines_.push_back(line_);
}

}  // namespace walsim::sim
