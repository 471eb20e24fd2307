// The fault commands: add a rule of the fault plan language, list the rules
// with how often each fired. See docs/scenarios.md and docs/fault-plans.md.
#include "faults/plan_text.h"
#include "scenarios/commands/command.h"

namespace walsim::scenarios {
namespace {

Status Fault(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_ASSIGN_OR_RETURN(std::string text, args.String("rule"));
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  // A rule that does not parse is the scenario's business (it may show the
  // parser's message), not a malformed script.
  Result<faults::Rule> rule = faults::ParseRule(text);
  if (!rule.ok()) {
    out.Error(rule.status());
    return Status::Ok();
  }
  size_t rule_index = 0;
  Status added = env.AddRule(*rule, &rule_index);
  if (!added.ok()) {
    out.Error(added);
  } else {
    out.Line("rule " + std::to_string(rule_index) + ": " + faults::PrintRule(*rule));
  }
  return Status::Ok();
}

Status Faults(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  const std::vector<AddedRule>& rules = env.rules();
  const std::span<const uint64_t> fired = env.fault_fs().fired_counts();
  const std::span<const uint64_t> matched = env.fault_fs().matched_counts();
  WALSIM_ASSERT(fired.size() == rules.size() && matched.size() == rules.size());
  for (size_t i = 0; i < rules.size(); i++) {
    out.Line("rule " + std::to_string(i) + ": " + faults::PrintRule(rules[i].rule) +
             " added-after-op=" + std::to_string(rules[i].added_after_op_number) +
             " matched=" + std::to_string(matched[i]) + " fired=" + std::to_string(fired[i]));
  }
  if (rules.empty()) out.Line("no rules");
  return Status::Ok();
}

// No rule fires from here on: what follows checks that the stores recover
// and take writes again (TigerBeetle's VOPR liveness mode).
Status FaultsOff(ScenarioEnv& env, ArgReader& args, CommandOutput& out) {
  WALSIM_RETURN_IF_ERROR(args.CheckAllUsed());
  env.StopFaults();
  out.Line("ok: faults off");
  return Status::Ok();
}

constexpr CommandSpec kFaultCommands[] = {
    {"fault", Fault}, {"faults", Faults}, {"faults-off", FaultsOff}};

}  // namespace

std::span<const CommandSpec> FaultCommands() { return kFaultCommands; }

}  // namespace walsim::scenarios
