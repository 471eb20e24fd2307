// The parts of `walsim soak` that need no child process: the fiu rule
// language, and the seeded workloads that parent and child must draw alike
// and that the real stores must accept.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "fs/posix_fs.h"
#include "scenarios/model/log_model.h"
#include "tools/soak_fiu.h"
#include "tools/soak_store.h"
#include "tools/soak_workload.h"

namespace walsim::tools {
namespace {

TEST(SoakFiuRules, DefaultParsesIntoLibfiuPosixPoints) {
  Result<std::vector<SoakFiuRule>> rules = ParseSoakFiuRules("default");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  ASSERT_FALSE(rules->empty());
  for (const SoakFiuRule& rule : *rules) {
    EXPECT_TRUE(rule.point.starts_with("posix/io/")) << rule.point;
    EXPECT_GT(rule.probability, 0);
    EXPECT_LE(rule.probability, 1);
  }
}

TEST(SoakFiuRules, EachCallMapsToItsPointAndShortToItsReducePoint) {
  Result<std::vector<SoakFiuRule>> rules =
      ParseSoakFiuRules("fdatasync=eio:0.5,pwrite=short:1,rename=enospc:0.25,open=eio:0.1");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  ASSERT_EQ(rules->size(), 4u);
  EXPECT_EQ((*rules)[0].point, "posix/io/sync/fdatasync");
  EXPECT_EQ((*rules)[0].kind, SoakFaultKind::kEio);
  EXPECT_EQ((*rules)[1].point, "posix/io/rw/pwrite/reduce");
  EXPECT_EQ((*rules)[1].kind, SoakFaultKind::kShort);
  EXPECT_EQ((*rules)[2].point, "posix/io/dir/rename");
  EXPECT_EQ((*rules)[2].kind, SoakFaultKind::kEnospc);
  EXPECT_DOUBLE_EQ((*rules)[2].probability, 0.25);
  EXPECT_EQ((*rules)[3].point, "posix/io/oc/open");
}

TEST(SoakFiuRules, MalformedRulesAreInvalidArgumentNamingTheRule) {
  for (const char* text :
       {"", "pwrite", "pwrite=eio", "mkdir=eio:0.1", "fsync=short:0.1", "pwrite=eio:0",
        "pwrite=eio:1.5", "pwrite=eio:x", "pwrite=eio:0.1,", "pwrite=bad:0.1"}) {
    Result<std::vector<SoakFiuRule>> rules = ParseSoakFiuRules(text);
    ASSERT_FALSE(rules.ok()) << text;
    EXPECT_TRUE(rules.status().Is(StatusCode::kInvalidArgument)) << text;
    EXPECT_EQ(rules.status().message().find('\n'), std::string::npos) << text;
  }
}

TEST(SoakWorkload, TheSameSeedCycleAndStateDrawTheSameWalOperations) {
  WalSoakState state;
  WalSoakWorkload first(5, 3, state);
  WalSoakWorkload second(5, 3, state);
  WalSoakWorkload other_cycle(5, 4, state);
  bool differs = false;
  for (int i = 0; i < 500; i++) {
    WalSoakOp a = first.Next();
    WalSoakOp b = second.Next();
    WalSoakOp c = other_cycle.Next();
    ASSERT_EQ(a.kind, b.kind);
    ASSERT_EQ(a.hard_state, b.hard_state);
    ASSERT_EQ(a.entries.size(), b.entries.size());
    for (size_t e = 0; e < a.entries.size(); e++) ASSERT_EQ(a.entries[e].data, b.entries[e].data);
    differs = differs || a.entries.size() != c.entries.size() || !(a.hard_state == c.hard_state);
  }
  EXPECT_TRUE(differs) << "another cycle drew the same workload";
}

TEST(SoakWorkload, LogOperationsAreAcceptedByTheContractAndTheStoreStaysBounded) {
  scenarios::LogModel model;
  LogSoakWorkload workload(9, 0, {});
  for (uint64_t op_number = 1; op_number <= 2000; op_number++) {
    LogSoakOp op = workload.Next();
    Status begun = op.kind == scenarios::LogModelOp::Kind::kStore
                       ? model.BeginStore(op.logs, op_number)
                       : model.BeginDelete(op.min_index, op.max_index, op_number);
    ASSERT_TRUE(begun.ok()) << "op " << op_number << ": " << begun.ToString();
    model.Acknowledge();
    if (op_number % 100 == 0) model.ResolveTo(model.op_count());
  }
  EXPECT_LE(model.StateAt(model.op_count()).size(), kSoakLogEntryCountMax + 8);
}

// The real WAL on the real disk takes every operation the workload draws,
// and snapshots keep the entries a reopen reads bounded.
TEST(SoakWorkload, TheRealWalAcceptsTheWalWorkloadAndKeepsFewEntriesPastItsSnapshot) {
  std::string root = (std::filesystem::temp_directory_path() / "walsim-soak-test-XXXXXX").string();
  ASSERT_NE(mkdtemp(root.data()), nullptr);
  const std::string dir = root + "/wal";
  fs::PosixFs fs;
  WalSoakWorkload workload(3, 0, {});
  std::unique_ptr<wal::Wal> handle;
  wal::Snapshot newest;
  for (uint64_t op_number = 1; op_number <= 1500; op_number++) {
    WalSoakOp op = workload.Next();
    Status status;
    if (op.kind == WalSoakOpKind::kCreate) {
      Result<std::unique_ptr<wal::Wal>> created =
          wal::Wal::Create(fs, dir, op.metadata, SoakWalOptions());
      status = created.status();
      if (created.ok()) handle = std::move(created).value();
    } else if (op.kind == WalSoakOpKind::kSave) {
      status = handle->Save(op.hard_state, op.entries);
    } else if (op.kind == WalSoakOpKind::kSnapshot) {
      status = handle->SaveSnapshot(op.snapshot);
      newest = op.snapshot;
    } else if (op.kind == WalSoakOpKind::kCut) {
      status = handle->Cut();
    } else {
      status = handle->ReleaseLockTo(op.snapshot.index);
      if (status.ok()) status = wal::PurgeSegments(fs, dir, kSoakWalKeepSegments);
    }
    ASSERT_TRUE(status.ok()) << WalSoakOpName(op.kind) << " op " << op_number << ": "
                             << status.ToString();
  }
  ASSERT_TRUE(handle->Close().ok());
  Result<WalRecoveryOutcome> reopened = RecoverSoakWal(fs, dir, newest);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_GT(newest.index, 0u) << "the workload took no snapshot";
  EXPECT_LE(reopened->state.entries.size(), 2 * kSoakWalEntriesSinceSnapshotMax);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace walsim::tools
