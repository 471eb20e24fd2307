// `walsim sim ...`: the simulated disk from the command line.
//   walsim sim demo [--seed N] [--trace]
//     Runs the crash demo (sim/sim_demo.h) and prints what survived per file
//     under each crash model, then the trace hash. Same seed, same output.
#include <cstdio>

#include "sim/sim_demo.h"
#include "tools/commands.h"

namespace walsim::tools {

void AddSimCommands(CLI::App& app) {
  CLI::App* sim = app.add_subcommand("sim", "the deterministic simulated disk");
  sim->require_subcommand(1);
  CLI::App* demo =
      sim->add_subcommand("demo", "write files, crash under each crash model, show what survived");
  auto options = std::make_shared<sim::DemoOptions>();
  demo->add_option("--seed", options->seed, "the run's seed (all randomness derives from it)");
  demo->add_flag("--trace", options->show_trace, "also print every trace line");
  demo->callback([options] {
    std::string report = sim::RunCrashDemo(*options);
    std::fwrite(report.data(), 1, report.size(), stdout);
    SetExitCode(kExitOk);
  });
}

}  // namespace walsim::tools
