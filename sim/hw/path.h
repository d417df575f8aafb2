// A Path is code that runs on a pCPU, written as a C++20 coroutine so that it reads like the kernel
// path it models: every timed step is an explicit co_await on the pCPU that runs it.
//
//   Path TicketLock::acquire(Cpu& cpu) {
//     co_await cpu.rmw(word_);                          // xadd next
//     co_await cpu.spin_until(word_, [&] { return owner_ == ticket; });
//   }
//
// A path awaiting another path runs it as a sub-path (like a function call) and resumes when it
// returns; PathOf<T> returns a value (`bool woke = co_await kernel.wake_up(cpu, v);`). Paths start lazily,
// when awaited or handed to Cpu::start_thread. Frames come from the pool (its machine's) of the pCPU
// among the coroutine's arguments (any argument deriving from FramePoolOwner), else from the pool of the
// pCPU an argument runs on (one with `FramePool* running_frame_pool()`, e.g. a task), else the heap. An
// exception (a failed WAKESIM_CHECK) propagates out of the event that resumed the path, where the
// simulation annotates it with the simulated time.
#pragma once

#include <concepts>
#include <coroutine>
#include <optional>
#include <type_traits>
#include <utility>

#include "sim/hw/frame_pool.h"

namespace wakesim::hw {

// The promise machinery shared by Path and PathOf<T>.
struct PathPromiseBase {
  // Called when a top-level path (one not awaited by another path) finishes; returns the coroutine to
  // continue with (std::noop_coroutine() for none).
  class Owner {
   public:
    virtual std::coroutine_handle<> path_finished(std::coroutine_handle<> finished) noexcept = 0;

   protected:
    ~Owner() = default;
  };

  std::coroutine_handle<> continuation;
  Owner* owner = nullptr;

  std::suspend_always initial_suspend() noexcept { return {}; }
  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <class Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> h) noexcept {
      PathPromiseBase& p = h.promise();
      if (p.owner != nullptr) return p.owner->path_finished(h);
      return p.continuation ? p.continuation : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }
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
    else if constexpr (requires {
                         { first.running_frame_pool() } -> std::same_as<FramePool*>;
                       }) {
      FramePool* pool = first.running_frame_pool();
      return pool != nullptr ? pool : find_pool(rest...);
    } else if constexpr (std::is_pointer_v<T> && std::is_base_of_v<FramePoolOwner, std::remove_pointer_t<T>>)
      return first != nullptr ? &first->frame_pool() : find_pool(rest...);
    else return find_pool(rest...);
  }
};

template <class T>
struct PathPromise : PathPromiseBase {
  std::optional<T> value;
  template <class U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
};
template <>
struct PathPromise<void> : PathPromiseBase {
  void return_void() {}
};

// A path that returns a T to the path awaiting it (Path is PathOf<void>).
template <class T>
class [[nodiscard]] PathOf {
 public:
  struct promise_type : PathPromise<T> {
    PathOf get_return_object() { return PathOf(Handle::from_promise(*this)); }
  };
  using Handle = std::coroutine_handle<promise_type>;
  using Owner = PathPromiseBase::Owner;

  PathOf() = default;
  PathOf(PathOf&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  PathOf& operator=(PathOf&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  PathOf(const PathOf&) = delete;
  PathOf& operator=(const PathOf&) = delete;
  ~PathOf() { reset(); }

  // Awaiting a path runs it to completion as a sub-path.
  bool await_ready() const noexcept { return !h_ || h_.done(); }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) noexcept {
    h_.promise().continuation = parent;
    return h_;
  }
  T await_resume() {
    if constexpr (!std::is_void_v<T>) return std::move(*h_.promise().value);
  }

  Handle handle() const { return h_; }
  explicit operator bool() const { return static_cast<bool>(h_); }
  void reset() {
    if (h_) h_.destroy();
    h_ = {};
  }

 private:
  explicit PathOf(Handle h) : h_(h) {}
  Handle h_;
};

using Path = PathOf<void>;

}  // namespace wakesim::hw
