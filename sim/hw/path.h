// A Path is code that runs on a pCPU, written as a C++20 coroutine so that it reads like the kernel
// path it models: every timed step is an explicit co_await on the pCPU that runs it.
//
//   Path TicketLock::acquire(Cpu& cpu) {
//     co_await cpu.rmw(word_);                          // xadd next
//     co_await cpu.spin_until(word_, [&] { return owner_ == ticket; });
//   }
//
// A path awaiting another path runs it as a sub-path (like a function call) and resumes when it
// returns. Paths start lazily, when awaited or handed to Cpu::start_thread. Frames come from the
// pool of the pCPU among the coroutine's arguments (any argument deriving from FramePoolOwner). An
// exception (a failed WAKESIM_CHECK) propagates out of the event that resumed the path, where the
// simulation annotates it with the simulated time.
#pragma once

#include <coroutine>
#include <type_traits>
#include <utility>

#include "sim/hw/frame_pool.h"

namespace wakesim::hw {

class Path {
 public:
  struct promise_type;
  using Handle = std::coroutine_handle<promise_type>;

  // Called when a top-level path (one not awaited by another path) finishes; returns the coroutine to
  // continue with (std::noop_coroutine() for none).
  class Owner {
   public:
    virtual std::coroutine_handle<> path_finished(Handle finished) noexcept = 0;

   protected:
    ~Owner() = default;
  };

  struct promise_type {
    std::coroutine_handle<> continuation;
    Owner* owner = nullptr;

    Path get_return_object() { return Path(Handle::from_promise(*this)); }
    std::suspend_always initial_suspend() noexcept { return {}; }
    struct FinalAwaiter {
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(Handle h) noexcept {
        promise_type& p = h.promise();
        if (p.owner != nullptr) return p.owner->path_finished(h);
        return p.continuation ? p.continuation : std::noop_coroutine();
      }
      void await_resume() noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { throw; }

    template <class... Args>
    static void* operator new(size_t bytes, Args&&... args) {
      return FramePool::allocate(find_pool(args...), bytes);
    }
    static void operator delete(void* frame) noexcept { FramePool::deallocate(frame); }

   private:
    static FramePool* find_pool() { return nullptr; }
    template <class First, class... Rest>
    static FramePool* find_pool(First& first, Rest&... rest) {
      using T = std::remove_cvref_t<First>;
      if constexpr (std::is_base_of_v<FramePoolOwner, T>) return &first.frame_pool();
      else if constexpr (std::is_pointer_v<T> && std::is_base_of_v<FramePoolOwner, std::remove_pointer_t<T>>)
        return first != nullptr ? &first->frame_pool() : find_pool(rest...);
      else return find_pool(rest...);
    }
  };

  Path() = default;
  Path(Path&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Path& operator=(Path&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  Path(const Path&) = delete;
  Path& operator=(const Path&) = delete;
  ~Path() { reset(); }

  // Awaiting a path runs it to completion as a sub-path.
  bool await_ready() const noexcept { return !h_ || h_.done(); }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) noexcept {
    h_.promise().continuation = parent;
    return h_;
  }
  void await_resume() const noexcept {}

  Handle handle() const { return h_; }
  explicit operator bool() const { return static_cast<bool>(h_); }
  void reset() {
    if (h_) h_.destroy();
    h_ = {};
  }

 private:
  explicit Path(Handle h) : h_(h) {}
  Handle h_;
};

}  // namespace wakesim::hw
