// Coverage probes: named events a run counts (FoundationDB's CODE_PROBE,
// Antithesis's "sometimes"), so a torture run shows what it exercised and a
// CI seed range that never reaches one can fail.
//
// The catalogue is closed: ScenarioEnv::Probe asserts that a name is listed,
// so a typo can never hide a probe that is never hit. Each entry says what
// the event is. Names are "<area>/<event>"; faults are "fault/<effect>".
// Plain constants; thread-safe.
#pragma once

#include <array>
#include <string_view>

namespace walsim::scenarios {

struct ProbeInfo {
  std::string_view name;
  std::string_view meaning;
};

inline constexpr std::array kProbeCatalogue = {
    ProbeInfo{"fault/eio", "a rule's eio reached an operation"},
    ProbeInfo{"fault/enospc", "a rule's enospc reached an operation"},
    ProbeInfo{"fault/short", "a rule's short write reached a write"},
    ProbeInfo{"fault/fsync-eio", "a rule's fsync-eio reached a sync"},
    ProbeInfo{"fault/crash", "a rule's crash (a crash point) killed the process mid-command"},
    ProbeInfo{"fault/fsync-lie", "a lying fsync (illegal)"},
    ProbeInfo{"fault/bitrot", "a bit of durable data flipped (illegal)"},
    ProbeInfo{"fault/latent", "a sector became unreadable (illegal)"},
    ProbeInfo{"fault/misdirect", "a write landed at another sector (illegal)"},
    ProbeInfo{"crash/command", "a `crash` command crashed the disk between operations"},
    ProbeInfo{"crash/in-recovery", "a restart lost power part-way (check recovery-crash=N)"},
    ProbeInfo{"check/ok", "a check judged every component's recovery correct"},
    ProbeInfo{"check/wal-torn-tail-repaired", "a restart repaired the WAL's torn tail"},
    ProbeInfo{"check/reported-error", "a recovery reported an error (illegal faults)"},
    ProbeInfo{"check/lossy", "a recovery went back past acknowledged data (illegal faults)"},
    ProbeInfo{"check/log-torn-tail-dropped", "a LogStore open dropped a torn tail"},
    ProbeInfo{"check/wal-valid-snapshots", "ValidSnapshotEntries was judged after a recovery"},
    ProbeInfo{"format/tail-zero-checked",
              "an opened WAL's tail was checked for zeros past its end"},
    ProbeInfo{"read/checked", "an online GetLog was judged against the model"},
    ProbeInfo{"liveness/write", "a store took a write after the faults stopped"},
    ProbeInfo{"fail-stop/refused", "a handle refused a write after an earlier failure"},
};

}  // namespace walsim::scenarios
