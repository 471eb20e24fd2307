#include "scenarios/world/sim_device.h"

#include <algorithm>
#include <string>

namespace walsim::scenarios {
namespace {

using faults::Effect;
using faults::KindBit;
using faults::OpKind;

constexpr uint32_t kWriteAppend = KindBit(OpKind::kWrite) | KindBit(OpKind::kAppend);
constexpr uint32_t kFileSyncs = KindBit(OpKind::kSync) | KindBit(OpKind::kSyncData);
// Damage without an op range lands anywhere in the file this often, in the
// data extent otherwise (sim_device.h).
constexpr double kDamageAnywhereChance = 1.0 / 8;

uint32_t HandledKindsMask(Effect effect) {
  switch (effect) {
    case Effect::kEio:
      return kWriteAppend | KindBit(OpKind::kRead);
    case Effect::kNoSpace:
      return kWriteAppend | KindBit(OpKind::kAllocate);
    case Effect::kShort:
    case Effect::kMisdirect:
      return kWriteAppend;
    case Effect::kFsyncEio:
    case Effect::kFsyncLie:
      return kFileSyncs;
    case Effect::kBitrot:
    case Effect::kLatent:
      return faults::Info(effect).valid_kinds_mask;  // every file-handle kind
    case Effect::kCrash:
      return faults::kAllKindsMask;
  }
  WALSIM_UNREACHABLE();
}

}  // namespace

SimDevice::SimDevice(sim::SimFs& sim, const Rng& rng)
    : sim_(sim), rng_(rng.Stream("scenarios/sim_device")) {}

bool SimDevice::Handles(Effect effect, OpKind kind) const {
  // Never claim more than the effect is valid on: FaultFs only asks for those.
  return (HandledKindsMask(effect) & faults::Info(effect).valid_kinds_mask & KindBit(kind)) != 0;
}

void SimDevice::DamageRange(const faults::OpContext& op, uint64_t size_bytes,
                            std::string_view durable, uint64_t* first_byte, uint64_t* byte_count) {
  WALSIM_ASSERT(size_bytes > 0);
  *first_byte = 0;
  *byte_count = size_bytes;
  if (op.length_bytes > 0 && op.offset < size_bytes) {
    *first_byte = op.offset;
    *byte_count = std::min(op.length_bytes, size_bytes - op.offset);
  } else if (!rng_.Chance(kDamageAnywhereChance)) {
    const std::string_view stored = durable.substr(0, size_bytes);
    const size_t last_data_byte = stored.find_last_not_of('\0');
    if (last_data_byte != std::string_view::npos) *byte_count = last_data_byte + 1;
  }
  WALSIM_ASSERT(*byte_count > 0 && *first_byte + *byte_count <= size_bytes);
}

Status SimDevice::FlipSeededBit(const faults::OpContext& op) {
  // Bit rot hits what is on the platter: choose within the durable size.
  WALSIM_ASSIGN_OR_RETURN(const std::string durable, sim_.ReadDurable(op.path));
  if (durable.empty()) {
    return Status::FailedPrecondition("bitrot: " + std::string(op.path) + " has no durable byte");
  }
  uint64_t first_byte = 0;
  uint64_t byte_count = 0;
  DamageRange(op, durable.size(), durable, &first_byte, &byte_count);
  const uint64_t bit_offset = first_byte * 8 + rng_.Below(byte_count * 8);
  WALSIM_ASSERT(bit_offset / 8 < durable.size());
  return sim_.FlipBit(op.path, bit_offset);
}

Status SimDevice::AddSeededLatentSector(const faults::OpContext& op) {
  WALSIM_ASSIGN_OR_RETURN(const fs::FileInfo info, sim_.Stat(op.path));
  if (info.size_bytes == 0) {
    return Status::FailedPrecondition("latent: " + std::string(op.path) + " has no sector");
  }
  WALSIM_ASSIGN_OR_RETURN(const std::string durable, sim_.ReadDurable(op.path));
  uint64_t first_byte = 0;
  uint64_t byte_count = 0;
  DamageRange(op, info.size_bytes, durable, &first_byte, &byte_count);
  const uint64_t sector_size_bytes = sim_.options().sector_size_bytes;
  WALSIM_ASSERT(sector_size_bytes > 0);
  const uint64_t first_sector_index = first_byte / sector_size_bytes;
  const uint64_t last_sector_index = (first_byte + byte_count - 1) / sector_size_bytes;
  return sim_.AddLatentSectorError(op.path, rng_.Between(first_sector_index, last_sector_index));
}

Status SimDevice::Apply(Effect effect, const faults::OpContext& op) {
  WALSIM_ASSERT(Handles(effect, op.kind));
  switch (effect) {
    case Effect::kEio:
      if (op.kind == OpKind::kRead) {
        sim_.InjectReadEio(op.path);
      } else {
        sim_.InjectWriteEio(op.path);
      }
      return Status::Ok();
    case Effect::kNoSpace:
      sim_.InjectNoSpace(op.path);
      return Status::Ok();
    case Effect::kShort:
      sim_.InjectShortWrite(op.path);
      return Status::Ok();
    case Effect::kFsyncEio:
      sim_.InjectSyncEio(op.path);
      return Status::Ok();
    case Effect::kFsyncLie:
      sim_.InjectSyncLie(op.path);
      return Status::Ok();
    case Effect::kMisdirect:
      sim_.InjectMisdirectedWrite(op.path);
      return Status::Ok();
    case Effect::kBitrot:
      return FlipSeededBit(op);
    case Effect::kLatent:
      return AddSeededLatentSector(op);
    case Effect::kCrash:
      sim_.Crash();
      return Status::Ok();
  }
  WALSIM_UNREACHABLE();
}

}  // namespace walsim::scenarios
