// The checker is itself tested: hand-made wrong recoveries must each be caught
// with the right invariant named, and right recoveries must pass.
#include "scenarios/model/checker.h"

#include <gtest/gtest.h>

namespace walsim::scenarios {
namespace {

wal::Entry E(uint64_t index, uint64_t term, std::string data) {
  return {term, index, wal::EntryType::kNormal, std::move(data)};
}

logstore::Log L(uint64_t index, uint64_t term, std::string data) {
  logstore::Log log;
  log.index = index;
  log.term = term;
  log.data = std::move(data);
  return log;
}

class CheckerTest : public ::testing::Test {
 protected:
  // A WAL model with entries 1..3 acknowledged and synced, then entry 4
  // issued (in flight when the crash came).
  void SetUp() override {
    wal_.Create("meta", 1);
    std::vector<wal::Entry> first = {E(1, 1, "a"), E(2, 1, "b"), E(3, 1, "c")};
    ASSERT_TRUE(wal_.BeginSave({1, 0, 3}, first, 2));
    wal_.Acknowledge(true);
    std::vector<wal::Entry> second = {E(4, 1, "d")};
    ASSERT_TRUE(wal_.BeginSave({1, 0, 4}, second, 3));
  }

  WalRecovery Recovered(std::vector<wal::Entry> entries, wal::HardState hs) {
    WalRecovery recovery;
    recovery.status = Status::Ok();
    recovery.result = wal::ReadAllResult{"meta", hs, std::move(entries)};
    return recovery;
  }

  WalModel wal_;
};

TEST_F(CheckerTest, WalRecoveryOfAcknowledgedPrefixPasses) {
  Verdict verdict =
      CheckWalRecovery(&wal_, Recovered({E(1, 1, "a"), E(2, 1, "b"), E(3, 1, "c")}, {1, 0, 3}),
                       FaultClass::kLegal, 10);
  EXPECT_TRUE(verdict.ok()) << verdict.ToString();
  EXPECT_EQ(wal_.record_count(), wal_.durable_count());
}

TEST_F(CheckerTest, WalRecoveryIncludingUnacknowledgedEntryPasses) {
  Verdict verdict = CheckWalRecovery(
      &wal_, Recovered({E(1, 1, "a"), E(2, 1, "b"), E(3, 1, "c"), E(4, 1, "d")}, {1, 0, 4}),
      FaultClass::kLegal, 10);
  EXPECT_TRUE(verdict.ok()) << verdict.ToString();
}

TEST_F(CheckerTest, DroppedAcknowledgedEntryViolatesDurable) {
  Verdict verdict =
      CheckWalRecovery(&wal_, Recovered({E(1, 1, "a"), E(2, 1, "b")}, {}), FaultClass::kLegal, 10);
  EXPECT_EQ(verdict.invariant, Invariant::kDurable);
  EXPECT_EQ(verdict.op_number, 10u);
  EXPECT_EQ(verdict.detail, "lost acknowledged entry 3 (durable watermark 3, recovered 2)");
}

TEST_F(CheckerTest, PhantomEntryViolatesExact) {
  Verdict verdict = CheckWalRecovery(
      &wal_,
      Recovered({E(1, 1, "a"), E(2, 1, "b"), E(3, 1, "c"), E(4, 1, "d"), E(5, 1, "e")}, {1, 0, 4}),
      FaultClass::kLegal, 10);
  EXPECT_EQ(verdict.invariant, Invariant::kExact);
  EXPECT_EQ(verdict.detail, "phantom entry 5 (never written, or overwritten)");
}

TEST_F(CheckerTest, ChangedBytesViolateExact) {
  Verdict verdict =
      CheckWalRecovery(&wal_, Recovered({E(1, 1, "a"), E(2, 1, "X"), E(3, 1, "c")}, {1, 0, 3}),
                       FaultClass::kLegal, 10);
  EXPECT_EQ(verdict.invariant, Invariant::kExact);
  EXPECT_NE(verdict.detail.find("entry 2 has other bytes"), std::string::npos) << verdict.detail;
}

TEST_F(CheckerTest, GapViolatesExact) {
  Verdict verdict = CheckWalRecovery(&wal_, Recovered({E(1, 1, "a"), E(3, 1, "c")}, {1, 0, 3}),
                                     FaultClass::kLegal, 10);
  EXPECT_EQ(verdict.invariant, Invariant::kExact);
  EXPECT_EQ(verdict.detail, "gap: recovered entry 3 where 2 belongs");
}

TEST_F(CheckerTest, ReopenErrorUnderLegalFaultsViolatesRecovers) {
  WalRecovery recovery;
  recovery.status = Status::Corruption("crc mismatch at 0000000000000000-0000000000000000.wal:96");
  Verdict verdict = CheckWalRecovery(&wal_, recovery, FaultClass::kLegal, 12);
  EXPECT_EQ(verdict.invariant, Invariant::kRecovers);
  EXPECT_NE(verdict.detail.find("crc mismatch"), std::string::npos);
}

TEST_F(CheckerTest, ClearErrorUnderIllegalFaultsPasses) {
  WalRecovery recovery;
  recovery.status = Status::Corruption("crc mismatch");
  EXPECT_TRUE(CheckWalRecovery(&wal_, recovery, FaultClass::kIllegal, 12).ok());
}

TEST_F(CheckerTest, EarlierValidStateUnderIllegalFaultsPasses) {
  Verdict verdict = CheckWalRecovery(&wal_, Recovered({E(1, 1, "a"), E(2, 1, "b")}, {}),
                                     FaultClass::kIllegal, 10);
  EXPECT_TRUE(verdict.ok()) << verdict.ToString();
  EXPECT_EQ(verdict.lost_acknowledged_count, 2u) << "entry 3 and the HardState are named as lost";
}

TEST_F(CheckerTest, WrongBytesUnderIllegalFaultsViolateNeverSilentlyWrong) {
  Verdict verdict =
      CheckWalRecovery(&wal_, Recovered({E(1, 1, "a"), E(2, 1, "b"), E(3, 1, "Z")}, {1, 0, 3}),
                       FaultClass::kIllegal, 10);
  EXPECT_EQ(verdict.invariant, Invariant::kNeverSilentlyWrong);
  EXPECT_NE(verdict.detail.find("entry 3 has other bytes"), std::string::npos) << verdict.detail;
}

// Invariant 5's evidence rule (DESIGN.md): detectable damage done before
// acknowledged records were issued leaves them intact after it, so a
// recovery that drops them without an error is silently wrong; a fault that
// leaves no evidence (a lying fsync) makes the same shorter view legal.
TEST_F(CheckerTest, SilentLossAfterDetectableDamageViolatesNeverSilentlyWrong) {
  DamageEvidence evidence;
  evidence.last_damage_op_number = 1;  // before entries 1..3 (op 2) were issued
  WalModel copy = wal_;
  Verdict silent = CheckWalRecovery(&wal_, Recovered({E(1, 1, "a"), E(2, 1, "b")}, {}),
                                    FaultClass::kIllegal, 10, evidence);
  EXPECT_EQ(silent.invariant, Invariant::kNeverSilentlyWrong) << silent.ToString();
  evidence.silent_loss_possible = true;
  Verdict no_evidence = CheckWalRecovery(&copy, Recovered({E(1, 1, "a"), E(2, 1, "b")}, {}),
                                         FaultClass::kIllegal, 10, evidence);
  EXPECT_TRUE(no_evidence.ok()) << no_evidence.ToString();
}

TEST_F(CheckerTest, OverwrittenSuffixIsTheModelsView) {
  // Entry 3 is overwritten by a new term: the view drops the old 3 and 4.
  wal_.Acknowledge(true);
  std::vector<wal::Entry> overwrite = {E(3, 2, "c2")};
  ASSERT_TRUE(wal_.BeginSave({2, 1, 3}, overwrite, 4));
  wal_.Acknowledge(true);
  Verdict stale = CheckWalRecovery(
      &wal_, Recovered({E(1, 1, "a"), E(2, 1, "b"), E(3, 1, "c"), E(4, 1, "d")}, {1, 0, 4}),
      FaultClass::kLegal, 11);
  EXPECT_EQ(stale.invariant, Invariant::kDurable) << stale.ToString();
  Verdict right =
      CheckWalRecovery(&wal_, Recovered({E(1, 1, "a"), E(2, 1, "b"), E(3, 2, "c2")}, {2, 1, 3}),
                       FaultClass::kLegal, 11);
  EXPECT_TRUE(right.ok()) << right.ToString();
}

TEST_F(CheckerTest, MustSyncRuleFollowsRaft) {
  WalModel model;
  model.Create("m", 1);
  std::vector<wal::Entry> none;
  EXPECT_TRUE(model.BeginSave({1, 0, 0}, none, 2)) << "a new term must sync";
  EXPECT_FALSE(model.BeginSave({1, 0, 5}, none, 3)) << "a commit-only change need not sync";
  EXPECT_TRUE(model.BeginSave({1, 2, 5}, none, 4)) << "a new vote must sync";
  std::vector<wal::Entry> one = {E(1, 1, "x")};
  EXPECT_TRUE(model.BeginSave({1, 2, 5}, one, 5)) << "entries must sync";
}

// Found by torture: a batch with a gap must not abort the checker.
TEST_F(CheckerTest, APrefixWithAGapIsNoView) {
  WalModel model;
  model.Create("m", 1);
  std::vector<wal::Entry> gap = {E(5, 1, "x")};
  model.BeginSave({}, gap, 2);
  EXPECT_EQ(model.ViewAt(2, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(model.ViewAt(1, {}).ok());
}

TEST_F(CheckerTest, SnapshotNotInPrefixIsNotFound) {
  WalModel model;
  model.Create("m", 1);
  model.BeginSnapshot({5, 1, ""}, 2);
  EXPECT_EQ(model.ViewAt(1, {5, 1, ""}).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(model.ViewAt(2, {5, 1, ""}).ok());
  EXPECT_EQ(model.DurableSnapshot().index, 0u) << "an unacknowledged snapshot is not durable";
  model.Acknowledge(true);
  EXPECT_EQ(model.DurableSnapshot().index, 5u);
}

// ---- LogStore ----------------------------------------------------------------

class LogCheckerTest : public ::testing::Test {
 protected:
  // Logs 1..3 stored and acknowledged, then a delete of the suffix 3..3 in flight.
  void SetUp() override {
    std::vector<logstore::Log> batch = {L(1, 1, "a"), L(2, 1, "b"), L(3, 1, "c")};
    ASSERT_TRUE(model_.BeginStore(batch, 1).ok());
    model_.Acknowledge();
    ASSERT_TRUE(model_.BeginDelete(3, 3, 2).ok());
  }

  LogRecovery Recovered(std::vector<logstore::Log> logs) {
    LogRecovery recovery;
    for (logstore::Log& log : logs) recovery.state.emplace(log.index, std::move(log));
    return recovery;
  }

  LogModel model_;
};

TEST_F(LogCheckerTest, EitherSideOfAnInFlightOperationPasses) {
  LogModel copy = model_;
  EXPECT_TRUE(CheckLogRecovery(&model_, Recovered({L(1, 1, "a"), L(2, 1, "b"), L(3, 1, "c")}),
                               FaultClass::kLegal, 5)
                  .ok());
  EXPECT_TRUE(
      CheckLogRecovery(&copy, Recovered({L(1, 1, "a"), L(2, 1, "b")}), FaultClass::kLegal, 5).ok());
}

TEST_F(LogCheckerTest, DroppedAcknowledgedLogViolatesDurable) {
  model_.Acknowledge();  // the delete of 3 was acknowledged
  std::vector<logstore::Log> more = {L(3, 2, "c2"), L(4, 2, "d2")};
  ASSERT_TRUE(model_.BeginStore(more, 3).ok());
  model_.Acknowledge();
  Verdict verdict = CheckLogRecovery(
      &model_, Recovered({L(1, 1, "a"), L(2, 1, "b"), L(3, 2, "c2")}), FaultClass::kLegal, 7);
  EXPECT_EQ(verdict.invariant, Invariant::kDurable);
  EXPECT_EQ(verdict.detail, "lost acknowledged entry 4 (durable watermark 4, recovered 3)");
}

TEST_F(LogCheckerTest, EarlierStateUnderIllegalFaultsPassesAndCountsTheLoss) {
  model_.Acknowledge();  // the delete of 3 was acknowledged: ops 1 and 2 are durable
  Verdict verdict = CheckLogRecovery(&model_, Recovered({}), FaultClass::kIllegal, 7);
  EXPECT_TRUE(verdict.ok()) << verdict.ToString();
  EXPECT_EQ(verdict.lost_acknowledged_count, 2u);
  EXPECT_EQ(model_.StateAt(0).size(), 0u) << "the model continues from what was recovered";
}

TEST_F(LogCheckerTest, PhantomLogViolatesExact) {
  Verdict verdict =
      CheckLogRecovery(&model_, Recovered({L(1, 1, "a"), L(2, 1, "b"), L(3, 1, "c"), L(4, 1, "d")}),
                       FaultClass::kLegal, 7);
  EXPECT_EQ(verdict.invariant, Invariant::kExact);
  EXPECT_EQ(verdict.detail, "phantom entry 4");
}

TEST_F(LogCheckerTest, ChangedBytesViolateExact) {
  Verdict verdict =
      CheckLogRecovery(&model_, Recovered({L(1, 1, "a"), L(2, 1, "B")}), FaultClass::kLegal, 7);
  EXPECT_EQ(verdict.invariant, Invariant::kExact);
  EXPECT_NE(verdict.detail.find("entry 2 has other bytes"), std::string::npos) << verdict.detail;
}

TEST_F(LogCheckerTest, GapViolatesExact) {
  Verdict verdict =
      CheckLogRecovery(&model_, Recovered({L(1, 1, "a"), L(3, 1, "c")}), FaultClass::kLegal, 7);
  EXPECT_EQ(verdict.invariant, Invariant::kExact);
  EXPECT_EQ(verdict.detail, "gap: recovered index 3 after 1");
}

TEST_F(LogCheckerTest, ModelRejectsWhatTheContractRejects) {
  std::vector<logstore::Log> gap = {L(9, 1, "x")};
  EXPECT_EQ(model_.BeginStore(gap, 9).code(), StatusCode::kInvalidArgument);
  LogModel fresh;
  std::vector<logstore::Log> batch = {L(1, 1, "a"), L(2, 1, "b"), L(3, 1, "c")};
  ASSERT_TRUE(fresh.BeginStore(batch, 1).ok());
  EXPECT_EQ(fresh.BeginDelete(2, 2, 2).code(), StatusCode::kInvalidArgument) << "a middle range";
  EXPECT_EQ(fresh.op_count(), 1u) << "a rejected operation is not issued";
}

TEST(FailStopCheckTest, WriteAcceptedAfterFailedSyncViolatesFailsStop) {
  Verdict verdict = CheckFailStop(Status::Ok(), 41, 42);
  EXPECT_EQ(verdict.invariant, Invariant::kFailsStop);
  EXPECT_EQ(verdict.ToString(),
            "violated fails stop at op 42: write accepted after the failure at op 41");
  EXPECT_TRUE(CheckFailStop(Status::Closed("failed stop"), 41, 42).ok());
}

TEST(DeterminismCheckTest, DifferentTraceHashesViolateDeterministic) {
  Verdict verdict = CheckDeterministic(7, 0x1111, 0x2222);
  EXPECT_EQ(verdict.invariant, Invariant::kDeterministic);
  EXPECT_NE(verdict.detail.find("seed 7"), std::string::npos);
  EXPECT_TRUE(CheckDeterministic(7, 0x1111, 0x1111).ok());
}

}  // namespace
}  // namespace walsim::scenarios
