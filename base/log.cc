#include "base/log.h"

#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace walsim {

std::shared_ptr<spdlog::logger> DefaultLogger() {
  static const auto logger = [] {
    auto l = std::make_shared<spdlog::logger>("walsim",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_level(spdlog::level::info);
    return l;
  }();
  return logger;
}

std::shared_ptr<spdlog::logger> NullLogger() {
  static const auto logger = std::make_shared<spdlog::logger>(
      "walsim-null", std::make_shared<spdlog::sinks::null_sink_mt>());
  return logger;
}

}  // namespace walsim
