// DeviceFaults: the effects only a (simulated) disk can produce.
//
// FaultFs produces eio, enospc, short writes, a plain fsync-eio and a process
// crash by itself, on any filesystem. A real disk's misbehaviour (fsync EIO
// with Linux's page-clean semantics, a lying fsync, bit rot, latent sector
// errors, misdirected writes, a power-loss crash) can only be produced by the
// disk itself: FaultFs hands those effects to the DeviceFaults it was given
// (scenarios/world/sim_device.h adapts SimFs). A device may also claim effects
// FaultFs could emulate (a short write) so that the simulated disk does them
// the way it does everything else, and records them in its trace.
//
// Invariant: Handles is a pure function of (effect, kind); FaultFs checks at
// construction that every rule's device-only effect is handled.
// Threading: called by FaultFs on the thread that issues the operation; an
// implementation over SimFs is single-threaded like SimFs.
#pragma once

#include "base/status.h"
#include "faults/effect.h"
#include "faults/op_context.h"

namespace walsim::faults {

class DeviceFaults {
 public:
  virtual ~DeviceFaults() = default;
  DeviceFaults() = default;
  DeviceFaults(const DeviceFaults&) = delete;
  DeviceFaults& operator=(const DeviceFaults&) = delete;

  // True when this device produces effect on operations of kind itself.
  virtual bool Handles(Effect effect, OpKind kind) const = 0;

  // Puts effect in place for op, the operation FaultFs is about to forward
  // to the underlying filesystem:
  //   crash: the disk crashes now; FaultFs then fails op without issuing it.
  //   bitrot, latent: the damage is done now (within the file, preferring the
  //     op's byte range); FaultFs then issues op, which may or may not see it.
  //   every other effect: the device is armed so that op itself, issued next
  //     by FaultFs, fails or misbehaves (and reports it).
  // Success: the effect is in place. Failure: kFailedPrecondition when it
  //   cannot apply to this op (bit rot in an empty file): FaultFs issues op
  //   unharmed and does not count the rule as fired. Any other error is
  //   returned by FaultFs as op's result, without issuing op.
  // REQUIRES: Handles(effect, op.kind).
  virtual Status Apply(Effect effect, const OpContext& op) = 0;
};

}  // namespace walsim::faults
