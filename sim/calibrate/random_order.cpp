#include "sim/calibrate/random_order.h"

#include <stdexcept>

namespace wakesim::calibrate {
namespace {

// SplitMix64's finaliser (Steele, Lea, Flood 2014): a cheap 64-bit mixer whose every output bit depends
// on every input bit, used both to derive round keys and as the Feistel round function.
uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

RandomOrder::RandomOrder(uint64_t n, uint64_t seed) : n_(n), half_bits_(1) {
  if (n == 0) throw std::logic_error("RandomOrder over an empty range");
  while (half_bits_ < 32 && (uint64_t{1} << (2 * half_bits_)) < n) ++half_bits_;
  half_mask_ = (uint64_t{1} << half_bits_) - 1;
  uint64_t state = seed;
  for (auto& key : keys_) {
    state += 0x9e3779b97f4a7c15ULL;  // SplitMix64's increment: successive keys are independent
    key = mix(state);
  }
}

uint64_t RandomOrder::permute_domain(uint64_t x) const {
  uint64_t left = x >> half_bits_;
  uint64_t right = x & half_mask_;
  for (const uint64_t key : keys_) {
    const uint64_t next_right = left ^ (mix(right ^ key) & half_mask_);
    left = right;
    right = next_right;
  }
  return (left << half_bits_) | right;
}

uint64_t RandomOrder::operator()(uint64_t index) const {
  if (index >= n_) throw std::out_of_range("RandomOrder index out of range");
  // Cycle walking: the domain is < 4n, so on average fewer than four steps land back in [0, n).
  uint64_t x = index;
  do x = permute_domain(x);
  while (x >= n_);
  return x;
}

}  // namespace wakesim::calibrate
