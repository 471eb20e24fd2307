// Property: any sequence of Save / Cut / SaveSnapshot / reopen, read back
// with ReadAll, equals a reference view computed from the operations.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "tests/wal/wal_test_env.h"
#include "wal/wal.h"

namespace walsim::wal::testing {
namespace {

#ifdef WALSIM_HAVE_SIM
using PropertyEnv = SimEnv;
#else
using PropertyEnv = PosixEnv;
#endif

// The reference: raft's log as the operations describe it (log[i] holds
// index i + 1; a Save at an existing index drops the suffix from there).
struct Reference {
  std::vector<Entry> log;
  HardState hard_state;
  Snapshot last_snapshot;
  uint64_t last_index = 0;
  uint64_t index_max = 0;  // the highest index ever saved

  void Append(const std::vector<Entry>& batch) {
    if (batch.empty()) return;
    log.resize(batch.front().index - 1);
    log.insert(log.end(), batch.begin(), batch.end());
    last_index = batch.back().index;
    index_max = std::max(index_max, last_index);
  }
  // What ReadAll from a snapshot at start returns: the entries after it.
  std::vector<Entry> View(uint64_t start) const {
    return {log.begin() + static_cast<ptrdiff_t>(std::min<uint64_t>(start, log.size())), log.end()};
  }
};

RC_GTEST_PROP(WalPropertyTest, ReadAllEqualsTheReferenceView, ()) {
  PropertyEnv env;
  const std::string dir = env.Root() + "/wal";
  WalOptions options = QuietOptions();
  options.segment_size_bytes = *rc::gen::inRange<uint64_t>(128, 4096);
  auto created = Wal::Create(env.fs(), dir, "meta", options);
  RC_ASSERT(created.ok());
  std::unique_ptr<Wal> wal = std::move(created).value();
  Reference ref;
  const int op_count = *rc::gen::inRange(1, 40);
  for (int op = 0; op < op_count; op++) {
    const int kind = *rc::gen::inRange(0, 10);
    if (kind < 6) {
      // Save: append, or overwrite a suffix above the last snapshot.
      const uint64_t first =
          *rc::gen::inRange<uint64_t>(ref.last_snapshot.index + 1, ref.last_index + 2);
      const int count = *rc::gen::inRange(0, 5);
      uint64_t term = ref.hard_state.term;
      std::vector<Entry> batch;
      for (int i = 0; i < count; i++) {
        batch.push_back(MakeEntry(first + i, term,
                                  *rc::gen::container<std::string>(*rc::gen::inRange(0, 300),
                                                                   rc::gen::arbitrary<char>())));
      }
      HardState hs = ref.hard_state;
      if (*rc::gen::arbitrary<bool>()) hs = HardState{term + 1, term % 3, hs.commit};
      for (Entry& e : batch) e.term = hs.term;
      RC_LOG() << "save first=" << first << " count=" << count << " term=" << hs.term << "\n";
      RC_ASSERT(wal->Save(hs, batch).ok());
      ref.Append(batch);
      if (!hs.IsEmpty()) ref.hard_state = hs;
    } else if (kind < 7) {
      RC_LOG() << "cut\n";
      RC_ASSERT(wal->Cut().ok());
    } else if (kind < 9) {
      // raft snapshots committed entries only; like etcd's ReadAll, the
      // reference assumes no truncated entry lies above a snapshot.
      if (ref.last_index > ref.last_snapshot.index && ref.last_index == ref.index_max) {
        Snapshot snap{*rc::gen::inRange<uint64_t>(ref.last_snapshot.index + 1, ref.last_index + 1),
                      ref.hard_state.term,
                      {}};
        RC_LOG() << "snapshot " << snap.index << "\n";
        RC_ASSERT(wal->SaveSnapshot(snap).ok());
        ref.last_snapshot = snap;
      }
    } else {
      RC_LOG() << "reopen\n";
      RC_ASSERT(wal->Close().ok());
      auto reopened = Wal::Open(env.fs(), dir, ref.last_snapshot, options);
      RC_ASSERT(reopened.ok());
      wal = std::move(reopened).value();
      auto result = wal->ReadAll();
      RC_ASSERT(result.ok());
      RC_ASSERT(result->entries == ref.View(ref.last_snapshot.index));
    }
  }
  RC_ASSERT(wal->Close().ok());
  for (const Snapshot& start : {Snapshot{}, ref.last_snapshot}) {
    RC_LOG() << "read from " << start.index << "\n";
    auto reader = Wal::OpenForRead(env.fs(), dir, start, options);
    RC_ASSERT(reader.ok());
    auto result = (*reader)->ReadAll();
    RC_ASSERT(result.ok());
    RC_ASSERT(result->metadata == std::string("meta"));
    RC_ASSERT(result->hard_state == ref.hard_state);
    RC_ASSERT(result->entries == ref.View(start.index));
  }
}

}  // namespace
}  // namespace walsim::wal::testing
