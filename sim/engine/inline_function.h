// A move-only callable with its target stored inline: like std::function, but it never allocates
// (a target larger than the capacity does not compile). For callbacks created on the hot path
// (hrtimers armed per guest timer), where std::function allocates any capture over 16 bytes.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace wakesim::engine {

template <class Signature, size_t Capacity = 48>
class InlineFunction;

template <class R, class... Args, size_t Capacity>
class InlineFunction<R(Args...), Capacity> {
 public:
  InlineFunction() = default;
  // Implicit, as std::function's: a lambda converts. The requires-clause keeps copies and moves away from
  // it (clang-tidy 14's forwarding-reference check does not read requires-clauses).
  template <class F>
  requires(!std::is_same_v<std::decay_t<F>, InlineFunction> && std::is_invocable_r_v<R, std::decay_t<F>&, Args...>)
      InlineFunction(F&& f) {  // NOLINT(google-explicit-constructor,bugprone-forwarding-reference-overload)
    using Fn = std::decay_t<F>;
    static_assert(sizeof(Fn) <= Capacity, "the callable's captures exceed InlineFunction's capacity");
    static_assert(alignof(Fn) <= alignof(std::max_align_t), "over-aligned callable");
    static_assert(std::is_nothrow_move_constructible_v<Fn>, "the callable must be nothrow-movable");
    ::new (static_cast<void*>(storage_)) Fn(std::forward<F>(f));
    ops_ = &kOps<Fn>;
  }
  InlineFunction(InlineFunction&& other) noexcept { take(other); }
  InlineFunction& operator=(InlineFunction&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  InlineFunction(const InlineFunction&) = delete;
  InlineFunction& operator=(const InlineFunction&) = delete;
  ~InlineFunction() { reset(); }

  explicit operator bool() const { return ops_ != nullptr; }
  R operator()(Args... args) { return ops_->call(storage_, std::forward<Args>(args)...); }

 private:
  struct Ops {
    R (*call)(void* target, Args&&... args);
    void (*move_to)(void* from, void* to) noexcept;
    void (*destroy)(void* target) noexcept;
  };
  template <class Fn>
  static constexpr Ops kOps = {
      [](void* target, Args&&... args) -> R { return (*static_cast<Fn*>(target))(std::forward<Args>(args)...); },
      [](void* from, void* to) noexcept {
        ::new (to) Fn(std::move(*static_cast<Fn*>(from)));
        static_cast<Fn*>(from)->~Fn();
      },
      [](void* target) noexcept { static_cast<Fn*>(target)->~Fn(); },
  };

  void take(InlineFunction& other) noexcept {
    if (other.ops_ == nullptr) return;
    other.ops_->move_to(other.storage_, storage_);
    ops_ = std::exchange(other.ops_, nullptr);
  }
  void reset() noexcept {
    if (ops_ != nullptr) std::exchange(ops_, nullptr)->destroy(storage_);
  }

  alignas(std::max_align_t) std::byte storage_[Capacity];
  const Ops* ops_ = nullptr;
};

}  // namespace wakesim::engine
