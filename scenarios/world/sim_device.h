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
//   crash      every kind              Crash() with the disk's crash model
// FaultFs emulates the rest (eio on open, fsync-eio on syncdir, ...).
//
// Invariant: every choice (the bit, the sector) comes from the Rng stream
// "scenarios/sim_device" of the run's seed: same seed, same damage.
// Not thread-safe (like SimFs). The SimFs must outlive the SimDevice.
#pragma once

#include <cstdint>

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
  // A byte range of the file to damage: the op's range clipped to size_bytes,
  // or the whole file when the op has none or it lies past the end.
  // REQUIRES: size_bytes > 0. *first_byte + *byte_count <= size_bytes.
  static void DamageRange(const faults::OpContext& op, uint64_t size_bytes, uint64_t* first_byte,
                          uint64_t* byte_count);
  Status FlipSeededBit(const faults::OpContext& op);
  Status AddSeededLatentSector(const faults::OpContext& op);

  sim::SimFs& sim_;
  Rng rng_;
};

}  // namespace walsim::scenarios
