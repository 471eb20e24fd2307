#include "scenarios/targets/target.h"

#include <algorithm>
#include <charconv>

#include "scenarios/model/checker.h"

namespace walsim::targets {

const std::vector<ParamSpec>& Target::params() const {
  static const std::vector<ParamSpec> kNone;
  return kNone;
}

std::optional<scenarios::Script> Target::Workload(uint64_t /*seed*/,
                                                  const TargetOptions& /*options*/) const {
  return std::nullopt;
}

scenarios::TortureOutcome RunTargetSeed(const Target& target, uint64_t seed,
                                        const TargetOptions& options) {
  const TargetRun run = target.Run(seed, options, /*keep_trace=*/false);
  if (run.outcome.failed() || !options.check_determinism) return run.outcome;
  const TargetRun replay = target.Run(seed, options, /*keep_trace=*/false);
  scenarios::TortureOutcome outcome = run.outcome;
  const scenarios::Verdict verdict =
      scenarios::CheckDeterministic(seed, run.outcome.trace_hash, replay.outcome.trace_hash);
  if (verdict.ok() && replay.output_hash == run.output_hash &&
      replay.outcome.status == run.outcome.status) {
    return outcome;
  }
  outcome.status = scenarios::TortureStatus::kNondeterministic;
  outcome.invariant = std::string(scenarios::InvariantName(scenarios::Invariant::kDeterministic));
  outcome.verdict = verdict.ok() ? "violated deterministic at op 0: seed " + std::to_string(seed) +
                                       " gave the same trace hash but another report"
                                 : verdict.ToString();
  return outcome;
}

namespace {

const ParamSpec* FindSpec(const Target& target, std::string_view name) {
  for (const ParamSpec& spec : target.params()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

bool Accepts(const ParamSpec& spec, std::string_view value) {
  if (!spec.choices.empty()) {
    return std::find(spec.choices.begin(), spec.choices.end(), value) != spec.choices.end();
  }
  uint64_t number = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  return ec == std::errc() && end == value.data() + value.size() && number >= spec.int_min &&
         number <= spec.int_max;
}

std::string Allowed(const ParamSpec& spec) {
  if (spec.choices.empty()) {
    return "an integer " + std::to_string(spec.int_min) + ".." + std::to_string(spec.int_max);
  }
  std::string text;
  for (std::string_view choice : spec.choices) {
    text += (text.empty() ? "" : "|") + std::string(choice);
  }
  return text;
}

}  // namespace

std::string ParamValue(const Target& target, const TargetOptions& options, std::string_view name) {
  const ParamSpec* spec = FindSpec(target, name);
  WALSIM_ASSERT(spec != nullptr);
  auto it = options.params.find(name);
  return it != options.params.end() ? it->second : std::string(spec->default_value);
}

Status CheckParams(const Target& target, const TargetParams& params) {
  for (const auto& [name, value] : params) {
    const ParamSpec* spec = FindSpec(target, name);
    if (spec == nullptr) {
      return Status::InvalidArgument("target " + std::string(target.name()) + " takes no param \"" +
                                     name + "\"");
    }
    if (!Accepts(*spec, value)) {
      std::string message = "--param " + name;
      message += "=" + value + ": target ";
      message += std::string(target.name()) + " takes " + Allowed(*spec);
      return Status::InvalidArgument(message);
    }
  }
  return Status::Ok();
}

std::string ParamFlags(const TargetParams& params) {
  std::string flags;
  for (const auto& [name, value] : params) {
    if (!flags.empty()) flags += ' ';
    flags += "--param ";
    flags += name;
    flags += '=';
    flags += value;
  }
  return flags;
}

}  // namespace walsim::targets
