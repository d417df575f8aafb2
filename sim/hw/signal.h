// A one-shot wake-up flag a pCPU context can wait on (the kernel's idle loop and blocked tasks use it):
// wait() returns once notify() has been called; notify() before wait() makes wait() return at once.
#pragma once

namespace wakesim::hw {

class Cpu;

class Signal {
 public:
  Signal() = default;
  Signal(const Signal&) = delete;
  Signal& operator=(const Signal&) = delete;
  ~Signal();
  void notify();
  bool notified() const { return notified_; }
  void clear() { notified_ = false; }

 private:
  friend class Cpu;
  bool notified_ = false;
  Cpu* waiter_ = nullptr;
  int waiter_context_ = 0;
};

}  // namespace wakesim::hw
