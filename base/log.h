// The logger production code writes to.
//
// Production code (wal/, logstore/) logs repairs, ignored files and slow syncs
// through a spdlog logger that the caller can replace (each component's
// options carry a std::shared_ptr<spdlog::logger>; null means DefaultLogger()).
// The simulator logs nothing unless asked: its trace is the record.
#pragma once

#include <spdlog/logger.h>

#include <memory>

namespace walsim {

// A logger named "walsim" writing to stderr, created on first use.
std::shared_ptr<spdlog::logger> DefaultLogger();

// A logger that discards everything (for tests and simulations).
std::shared_ptr<spdlog::logger> NullLogger();

}  // namespace walsim
