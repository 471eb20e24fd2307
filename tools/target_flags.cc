#include "tools/target_flags.h"

namespace walsim::tools {
namespace {

// The one target of replay and shrink, with its params.
Result<TortureTarget> SingleTarget(const std::string& spec, const targets::TargetParams& params) {
  WALSIM_ASSIGN_OR_RETURN(std::vector<TortureTarget> found, ResolveTargets(spec, params));
  if (found.size() != 1) {
    return Status::InvalidArgument("--target \"" + spec + "\" names " +
                                   std::to_string(found.size()) + " targets; give one");
  }
  return found.front();
}

}  // namespace

CLI::Option* AddWorkloadFlags(CLI::App* command, WorkloadFlags* flags) {
  command->add_option("--ops", flags->op_count, "Operations per workload")
      ->check(CLI::Range(uint64_t{1}, scenarios::kWorkloadOpCountMax));
  CLI::Option* component =
      command->add_option("--component", flags->component, "Components to drive")
          ->check(CLI::IsMember({"wal", "logstore", "both"}));
  command->add_flag("--illegal", flags->illegal,
                    "Also inject illegal faults (fsync-lie, bitrot, latent, misdirect)");
  command->add_flag("--torn-sectors", flags->torn_sectors,
                    "Also draw disks with non-atomic sectors (exposes the etcd format's "
                    "known limitation, see docs/wal-format.md)");
  command->add_flag("--purge-past-snapshot", flags->purge_past_snapshot,
                    "Deliberate misuse that tests the harness: purge WAL segments past the "
                    "snapshot");
  return component;
}

scenarios::WorkloadOptions ToOptions(const WorkloadFlags& flags) {
  scenarios::WorkloadOptions options;
  options.op_count = flags.op_count;
  options.component = *scenarios::ParseWorkloadComponent(flags.component);  // checked by CLI11
  options.illegal = flags.illegal;
  options.torn_sectors = flags.torn_sectors;
  options.purge_past_snapshot = flags.purge_past_snapshot;
  return options;
}

Result<targets::TargetParams> ParseParams(const std::vector<std::string>& texts) {
  targets::TargetParams params;
  for (const std::string& text : texts) {
    const size_t equals = text.find('=');
    if (equals == std::string::npos || equals == 0) {
      return Status::InvalidArgument("--param \"" + text + "\" is not NAME=VALUE");
    }
    if (!params.emplace(text.substr(0, equals), text.substr(equals + 1)).second) {
      return Status::InvalidArgument("--param " + text.substr(0, equals) + " given twice");
    }
  }
  return params;
}

Result<std::string> TargetSpec(const std::string& target, const CLI::Option* target_option,
                               const WorkloadFlags& workload, const CLI::Option* component) {
  if (component->count() == 0) return target;
  if (target_option->count() > 0) {
    return Status::InvalidArgument("--target and --component exclude each other");
  }
  return workload.component;
}

Result<std::pair<TortureTarget, targets::TargetOptions>> ReplayTarget(
    const std::string& target, const CLI::Option* target_option, const WorkloadFlags& workload,
    const CLI::Option* component_option, const std::vector<std::string>& param_texts) {
  WALSIM_ASSIGN_OR_RETURN(targets::TargetParams params, ParseParams(param_texts));
  WALSIM_ASSIGN_OR_RETURN(std::string spec,
                          TargetSpec(target, target_option, workload, component_option));
  WALSIM_ASSIGN_OR_RETURN(TortureTarget found, SingleTarget(spec, params));
  targets::TargetOptions options;
  options.workload = ToOptions(workload);
  options.params = found.params;
  return std::make_pair(found, options);
}

}  // namespace walsim::tools
