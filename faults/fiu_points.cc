#include "faults/fiu_points.h"

#include <fiu.h>

#include "base/assert.h"

namespace walsim::faults {
namespace {

thread_local const OpContext* t_published_op = nullptr;

}  // namespace

std::optional<uintptr_t> CheckFaultPoint(const OpContext& op) {
  WALSIM_ASSERT(op.op_number > 0);
  WALSIM_ASSERT(t_published_op == nullptr);  // FaultFs operations do not nest
  t_published_op = &op;
  const int failnum = fiu_fail(FaultPointName(op.kind));
  t_published_op = nullptr;
  if (failnum == 0) return std::nullopt;
  return reinterpret_cast<uintptr_t>(fiu_failinfo());
}

const OpContext* PublishedOperation() { return t_published_op; }

}  // namespace walsim::faults
