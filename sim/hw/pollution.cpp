#include "sim/hw/pollution.h"

#include <algorithm>
#include <cmath>

namespace wakesim::hw {

using engine::Time;

Pollution::Pollution(const Topology& topology, double llc_weight)
    : topology_(topology),
      llc_weight_q_(static_cast<uint64_t>(std::llround(std::clamp(llc_weight, 0.0, 1.0) * (1 << kWeightQ)))),
      streams_(topology.pcpus()),
      cores_(topology.cores()),
      domains_(topology.llc_domains()) {}

void Pollution::set_profile(PcpuId p, const TouchProfile* profile, Time now) {
  Stream& s = streams_[p.value];
  if (s.profile == profile) return;
  Counter& core = cores_[static_cast<size_t>(topology_.core_of(p))];
  Counter& domain = domains_[static_cast<size_t>(topology_.llc_of(p))];
  advance(core, now);
  advance(domain, now);
  advance(all_cores_, now);
  core.rate_q -= s.rate_q;
  all_cores_.rate_q -= s.rate_q;
  domain.rate_q -= s.llc_rate_q;
  s.profile = profile;
  s.rate_q = s.llc_rate_q = 0;
  if (profile == nullptr) return;  // idle or kernel code: the stint of the last source goes on after it

  const double rate = std::round(profile->rate.per_second * 1e-12 * static_cast<double>(uint64_t{1} << kRateQ));
  s.rate_q = rate >= 4e18 ? uint64_t{4'000'000'000'000'000'000} : static_cast<uint64_t>(rate);
  s.llc_rate_q = static_cast<uint64_t>((static_cast<engine::Uint128>(s.rate_q) * llc_weight_q_) >> kWeightQ);
  core.rate_q += s.rate_q;
  all_cores_.rate_q += s.rate_q;
  domain.rate_q += s.llc_rate_q;
  if (profile->source == nullptr || profile->source != s.last_source) {  // a new stint
    core.open -= s.open_footprint;
    domain.open -= s.llc_open_footprint;
    s.last_source = profile->source;
    s.open_footprint = std::min(profile->footprint.value, kMaxFootprint);
    s.llc_open_footprint = (s.open_footprint * llc_weight_q_) >> kWeightQ;  // < 2^62: no overflow
    core.footprint += s.open_footprint;
    core.open += s.open_footprint;
    domain.footprint += s.llc_open_footprint;
    domain.open += s.llc_open_footprint;
  }
}

}  // namespace wakesim::hw
