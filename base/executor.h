// Executor: how production code asks for background work without starting
// threads of its own.
//
// The WAL preallocates its next segment through an Executor the caller
// supplies. Under simulation the InlineExecutor runs each task immediately, in
// submission order, so a run stays a pure function of its seed. A real
// deployment may pass a thread-pool executor; tasks must then be safe to run
// on another thread (the submitter documents what it shares).
#pragma once

#include <functional>

namespace walsim {

class Executor {
 public:
  virtual ~Executor() = default;
  // Runs task at some point, exactly once. Never blocks on the task.
  virtual void Submit(std::function<void()> task) = 0;
};

// Runs every task inline, at Submit, in order.
class InlineExecutor final : public Executor {
 public:
  void Submit(std::function<void()> task) override { task(); }
};

}  // namespace walsim
