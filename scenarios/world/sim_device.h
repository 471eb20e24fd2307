// SimDevice: the simulated disk (sim::SimFs) as the device behind a FaultFs.
//
// FaultFs (faults/) hands the effects only a disk can produce to a
// faults::DeviceFaults; SimDevice maps each to SimFs's own fault methods, so
// the simulated disk produces them with its documented semantics and records
// them in its trace. It lives in scenarios/ because it sees both layers:
// faults/ does not include sim/, and sim/ does not include faults/.
//
//   effect     kinds handled           SimFs method
//   eio        write, append           InjectWriteEio (nothing written)
//              read                    InjectReadEio (nothing read)
//   enospc     write, append, allocate InjectNoSpace
//   short      write, append           InjectShortWrite (seeded strict prefix)
//   fsync-eio  sync, syncdata          InjectSyncEio (Linux page-clean semantics)
//   fsync-lie  sync, syncdata          InjectSyncLie
//   misdirect  write, append           InjectMisdirectedWrite
//   bitrot     file-handle kinds       FlipBit: a seeded bit of the durable copy,
//                                      inside the op's byte range when it has one
//   latent     file-handle kinds       AddLatentSectorError: a seeded sector,
//                                      inside the op's byte range when it has one
// Without an op range, damage lands in the file's data extent (up to its last
// non-zero durable byte) 7 times in 8, anywhere in the file otherwise: the
// stores preallocate their segments, and a flip in a never-written zero
// tail would waste the fault on bytes no recovery reads as records.
//   crash      every kind              Crash() with the disk's crash model
// FaultFs emulates the rest (eio on open, fsync-eio on syncdir, ...).
//
// Invariant: every choice (the bit, the sector) comes from the Rng stream
// "scenarios/sim_device" of the run's seed: same seed, same damage.
// Not thread-safe (like SimFs). The SimFs must outlive the SimDevice.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/rng.h"
#include "base/status.h"
#include "faults/device_faults.h"
#include "sim/sim_fs.h"

namespace walsim::scenarios {

class SimDevice final : public faults::DeviceFaults {
 public:
  SimDevice(sim::SimFs& sim, const Rng& rng);

  // The table above.
  bool Handles(faults::Effect effect, faults::OpKind kind) const override;
  // Arms or applies effect on op.path (faults/device_faults.h).
  // Failure: kFailedPrecondition when bitrot or latent finds no byte to
  //   damage (an empty file); SimFs's error for a path it cannot damage.
  Status Apply(faults::Effect effect, const faults::OpContext& op) override;

 private:
  // A byte range of the file to damage: the op's range clipped to size_bytes;
  // when the op has none or it lies past the end, the durable data extent
  // (durable clipped to size_bytes, up to its last non-zero byte) or, 1 time
  // in 8 or when that is empty, the whole file.
  // REQUIRES: size_bytes > 0. *first_byte + *byte_count <= size_bytes.
  void DamageRange(const faults::OpContext& op, uint64_t size_bytes, std::string_view durable,
                   uint64_t* first_byte, uint64_t* byte_count);
  Status FlipSeededBit(const faults::OpContext& op);
  Status AddSeededLatentSector(const faults::OpContext& op);

  sim::SimFs& sim_;
  Rng rng_;
};

}  // namespace walsim::scenarios
