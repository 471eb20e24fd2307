// `walsim soak`: kill -9 cycles of the WAL or the LogStore on the real disk,
// optionally with libfiu failing real syscalls (tools/soak_parent.h).
//
//   walsim soak --target wal|logstore --dir D [--minutes M] [--cycles N]
//               [--seed S] [--fiu RULES|default | --power-loss] [--json FILE]
//
// --power-loss replaces the kill -9 cycles by power-loss states of the real
// syscall trace (tools/soak_powerloss.h), which see missing fsyncs.
//
// Exit codes: 0 no violation, 1 a violation (printed with the seed and the
// cycle that reproduce it), 2 bad usage. `walsim soak-child` is the child
// process the soak starts (not for direct use).
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tools/commands.h"
#include "tools/soak_child.h"
#include "tools/soak_fiu.h"
#include "tools/soak_parent.h"

namespace walsim::tools {

void AddSoakCommands(CLI::App& app);

namespace {

constexpr double kSoakMinutesMax = 7 * 24 * 60;

struct SoakFlags {
  std::string target;
  std::string dir;
  double minutes = 1;
  uint64_t cycles = 0;
  uint64_t seed = 1;
  std::string fiu;
  bool power_loss = false;
  std::string json_path;
};

std::string ReproduceCommand(const SoakFlags& flags, uint64_t cycle) {
  std::string command = "walsim soak --target " + flags.target + " --dir <fresh dir> --seed " +
                        std::to_string(flags.seed) + " --cycles " + std::to_string(cycle + 1);
  if (!flags.fiu.empty()) command += " --fiu '" + flags.fiu + "'";
  if (flags.power_loss) command += " --power-loss";
  return command;
}

nlohmann::json ReportJson(const SoakFlags& flags, const SoakReport& report) {
  nlohmann::json json;
  json["target"] = flags.target;
  json["seed"] = flags.seed;
  json["fiu"] = flags.fiu;
  json["power_loss"] = flags.power_loss;
  json["elapsed_s"] = report.elapsed_s;
  json["cycles"] = report.cycles;
  json["kills"] = report.kills;
  json["kills_before_first_op"] = report.kills_before_first_op;
  json["child_stops_after_error"] = report.child_stops_after_error;
  json["child_recovery_failures"] = report.child_recovery_failures;
  json["ops_begun"] = report.ops_begun;
  json["ops_acknowledged"] = report.ops_acknowledged;
  json["ops_failed"] = report.ops_failed;
  json["ops_in_doubt"] = report.ops_in_doubt;
  json["ops_checked"] = report.ops_begun;
  json["faults"] = report.faults;
  json["errors_surfaced"] = report.errors_surfaced;
  json["faults_tolerated"] = report.faults_tolerated;
  json["last_recovered"] = report.last_recovered;
  nlohmann::json violations = nlohmann::json::array();
  for (const SoakViolation& violation : report.violations) {
    violations.push_back({{"seed", flags.seed},
                          {"cycle", violation.cycle},
                          {"detail", violation.detail},
                          {"reproduce", ReproduceCommand(flags, violation.cycle)}});
  }
  json["violations"] = violations;
  return json;
}

void PrintReport(const SoakFlags& flags, const SoakReport& report) {
  std::printf("soak target=%s seed=%" PRIu64 " fiu=%s%s elapsed=%.1fs\n", flags.target.c_str(),
              flags.seed, flags.fiu.empty() ? "off" : flags.fiu.c_str(),
              flags.power_loss ? " power-loss (kills are power losses of the syscall trace)" : "",
              report.elapsed_s);
  std::printf("cycles=%" PRIu64 " kills=%" PRIu64 " (before the first op: %" PRIu64
              ") child stops after an error=%" PRIu64 " child recovery failures=%" PRIu64 "\n",
              report.cycles, report.kills, report.kills_before_first_op,
              report.child_stops_after_error, report.child_recovery_failures);
  std::printf("ops begun=%" PRIu64 " acknowledged=%" PRIu64 " failed=%" PRIu64
              " in doubt at a kill=%" PRIu64 " checked=%" PRIu64 "\n",
              report.ops_begun, report.ops_acknowledged, report.ops_failed, report.ops_in_doubt,
              report.ops_begun);
  std::string faults;
  for (const auto& [kind, count] : report.faults) {
    faults += " " + kind + "=" + std::to_string(count);
  }
  std::printf("faults injected:%s; errors surfaced=%" PRIu64
              " tolerated (documented best-effort)=%" PRIu64 "\n",
              faults.empty() ? " none" : faults.c_str(), report.errors_surfaced,
              report.faults_tolerated);
  if (!report.last_recovered.empty())
    std::printf("last recovered: %s\n", report.last_recovered.c_str());
  std::printf("violations=%zu\n", report.violations.size());
  for (const SoakViolation& violation : report.violations) {
    std::printf("VIOLATION seed=%" PRIu64 " cycle=%" PRIu64 ": %s\n  reproduce: %s\n", flags.seed,
                violation.cycle, violation.detail.c_str(),
                ReproduceCommand(flags, violation.cycle).c_str());
  }
  std::fflush(stdout);
}

int RunSoakCommand(const SoakFlags& flags) {
  SoakOptions options;
  options.target = *ParseSoakTarget(flags.target);  // checked by CLI11
  Result<std::string> dir = NormalizeUserPath(flags.dir);
  if (!dir.ok()) return ReportError("soak --dir", dir.status());
  options.dir = *dir;
  options.seed = flags.seed;
  options.minutes = flags.minutes;
  options.cycle_count_max = flags.cycles;
  options.fiu_rules = flags.fiu;
  options.power_loss = flags.power_loss;
  char self[4096] = {};
  const ssize_t length = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (length <= 0) return ReportError("soak", Status::IoError("readlink /proc/self/exe failed"));
  options.self_path.assign(self, static_cast<size_t>(length));
  std::ofstream json_file;
  if (!flags.json_path.empty()) {
    Result<std::string> json_path = NormalizeUserPath(flags.json_path);
    if (!json_path.ok()) return ReportError("soak --json", json_path.status());
    json_file.open(*json_path);
    if (!json_file) {
      return ReportError(
          "soak --json",
          Status::InvalidArgument(*json_path + ": cannot write: " + std::strerror(errno)));
    }
  }
  Result<SoakReport> report = RunSoak(options);
  if (!report.ok()) return ReportError("soak", report.status());
  PrintReport(flags, *report);
  if (json_file.is_open()) json_file << ReportJson(flags, *report).dump(2) << "\n";
  return report->violations.empty() ? kExitOk : kExitFailure;
}

void AddChildCommand(CLI::App& app) {
  auto options = std::make_shared<SoakChildOptions>();
  auto target = std::make_shared<std::string>();
  CLI::App* child = app.add_subcommand("soak-child", "");
  child->group("");  // hidden: started by `walsim soak`
  child->add_option("--target", *target)->required()->check(CLI::IsMember({"wal", "logstore"}));
  child->add_option("--dir", options->store_dir)->required();
  AddUnsignedOption(child, "--seed", &options->seed, "seed");
  AddUnsignedOption(child, "--cycle", &options->cycle, "cycle");
  AddUnsignedOption(child, "--snapshot-index", &options->snapshot_index, "snapshot index");
  AddUnsignedOption(child, "--snapshot-term", &options->snapshot_term, "snapshot term");
  child->add_option("--wal-exists", options->wal_exists);
  child->add_option("--fiu", options->fiu_rules);
  child->add_option("--report-fd", options->report_fd)->required()->check(CLI::Range(0, 1023));
  child->callback([options, target] {
    options->target = *ParseSoakTarget(*target);
    SetExitCode(RunSoakChild(*options));
  });
}

}  // namespace

void AddSoakCommands(CLI::App& app) {
  auto flags = std::make_shared<SoakFlags>();
  CLI::App* soak = app.add_subcommand(
      "soak",
      "kill -9 cycles of the WAL or the LogStore on the real disk, checked against "
      "torture's models (optionally with libfiu failing real syscalls)");
  soak->add_option("--target", flags->target, "Store to soak")
      ->required()
      ->check(CLI::IsMember({"wal", "logstore"}));
  soak->add_option("--dir", flags->dir, "Directory to soak in (absent or empty)")->required();
  soak->add_option("--minutes", flags->minutes, "Wall-clock budget (default 1)")
      ->check(CLI::Range(0.0, kSoakMinutesMax));
  AddUnsignedOption(soak, "--cycles", &flags->cycles, "Stop after N cycles (default: the budget)");
  AddUnsignedOption(soak, "--seed", &flags->seed, "Seed of the workload, faults and kills");
  soak->add_option("--fiu", flags->fiu,
                   "libfiu faults: CALL=KIND:P,... (KIND eio|enospc|short) or 'default'")
      ->check([](const std::string& text) {
        Result<std::vector<SoakFiuRule>> rules = ParseSoakFiuRules(text);
        return rules.ok() ? std::string() : rules.status().message();
      });
  soak->add_flag("--power-loss", flags->power_loss,
                 "Power-loss states of the real syscall trace, replayed on the simulated disk, "
                 "instead of kill -9 (sees missing fsyncs; deterministic)")
      ->excludes("--fiu");
  soak->add_option("--json", flags->json_path, "Write the report as JSON to FILE");
  soak->callback([flags] { SetExitCode(RunSoakCommand(*flags)); });
  AddChildCommand(app);
}

}  // namespace walsim::tools
