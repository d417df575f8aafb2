// A keyed pseudo-random permutation of [0, n) that costs O(1) per element and no memory: the visiting
// order of the pointer chase's lines and the placement of the walked list's nodes.
//
// Why not a shuffle: the chase reaches 1 GiB = 16 Mi lines, and a Fisher-Yates shuffle of that many
// indices is itself a random-access walk over a 64 MiB array, taking seconds summed over a sweep. A
// 4-round Feistel network over the smallest even-bit domain >= n, restricted to [0, n) by cycle walking
// (Black and Rogaway, "Ciphers with arbitrary finite domains", 2002), is a bijection for any key and
// costs a few ns per element; its output has no stride or locality a hardware prefetcher could follow.
// Deterministic: the same (n, seed) gives the same order on every machine.
#pragma once

#include <array>
#include <cstdint>

namespace wakesim::calibrate {

class RandomOrder {
 public:
  RandomOrder(uint64_t n, uint64_t seed);

  uint64_t size() const { return n_; }
  // The element at position `index` (< size()); distinct positions give distinct elements.
  uint64_t operator()(uint64_t index) const;

 private:
  static constexpr int kRounds = 4;
  uint64_t permute_domain(uint64_t x) const;

  uint64_t n_;
  int half_bits_;  // the domain is [0, 4^half_bits_)
  uint64_t half_mask_;
  std::array<uint64_t, kRounds> keys_;
};

}  // namespace wakesim::calibrate
