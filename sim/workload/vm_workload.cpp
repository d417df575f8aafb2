#include "sim/workload/vm_workload.h"

#include <fmt/format.h>

#include "sim/engine/errors.h"

namespace wakesim::workload {

using engine::Time;

const config::Section<VmParams>& VmParams::schema() {
  static const auto s =
      config::Section<VmParams>("vms", "the VMs, their affinity and their interrupt load")
          .field(&VmParams::count, "count", "number of VMs", {.min = 1, .max = 1 << 20})
          .field(&VmParams::vcpus, "vcpus", "vCPUs per VM", {.min = 1, .max = 4096})
          .field(&VmParams::pcpus, "pcpus", "pCPUs the VMs use, the first N in Linux order (0: all)", {.min = 0})
          .field(&VmParams::vcpus_per_pcpu, "vcpus_per_pcpu",
                 "derived: vCPUs per pCPU the VMs use (count x vcpus / pcpus, 0: not set); setting it sets vms.count, "
                 "which must come out whole, and conflicts with setting vms.count in the same file or --set list",
                 {.min = 0.0, .max = 65536.0})
          .choice(&VmParams::affinity, "affinity",
                  "pinned (vCPU i on pCPU i mod N), floating, or socket (one socket per VM)",
                  {{"pinned", Affinity::kPinned}, {"floating", Affinity::kFloating}, {"socket", Affinity::kSocket}})
          .field(&VmParams::device_arrivals, "device_arrivals", "VT-d posted interrupts of each vCPU that takes them")
          .field(&VmParams::device_rate_per_pcpu, "device_rate_per_pcpu",
                 "derived: VT-d interrupts per second per pCPU the VMs use (0: not set); setting it scales "
                 "vms.device_arrivals, keeping its shape, to rate x pcpus / (vms.count x vCPUs taking them) per vCPU")
          .field(&VmParams::device_vcpus, "device_vcpus",
                 "vCPUs per VM that take device interrupts, the first N (0: all)", {.min = 0})
          .field(&VmParams::request, "request", "guest work to handle one device interrupt")
          .field(&VmParams::ipi_probability, "ipi_probability",
                 "probability that a device request ends with IPIs to siblings", {.min = 0.0, .max = 1.0})
          .field(&VmParams::ipi_targets, "ipi_targets", "sibling vCPUs each IPI goes to (capped at vcpus - 1)",
                 {.min = 1, .max = 4095})
          .field(&VmParams::ipi_work, "ipi_work", "guest work to handle one IPI")
          .field(&VmParams::timer_arrivals, "timer_arrivals", "guest timer expiries of each vCPU (software wake path)")
          .field(&VmParams::timer_work, "timer_work", "guest work to handle one timer expiry")
          .field(&VmParams::guest_touch_rate, "guest_touch_rate",
                 "new memory the guest touches per second it runs (pushes host lines out of the caches)")
          .field(&VmParams::guest_footprint, "guest_footprint",
                 "working set of one vCPU: once touched in a stint, the guest brings in nothing new",
                 {.min = engine::Bytes{64}});
  return s;
}

const config::Section<NoiseParams>& NoiseParams::schema() {
  static const auto s =
      config::Section<NoiseParams>("noise", "host tasks competing for the pCPUs (noisy neighbour)")
          .field(&NoiseParams::tasks, "tasks", "number of noise tasks", {.min = 0, .max = 1 << 20})
          .field(&NoiseParams::pinned, "pinned", "task i runs only on pCPU i mod N (else anywhere the VMs run)")
          .field(&NoiseParams::burst, "burst", "CPU time of one burst")
          .field(&NoiseParams::sleep, "sleep", "sleep between two bursts")
          .field(&NoiseParams::touch_rate, "touch_rate", "new memory a noise task touches per second it runs")
          .field(&NoiseParams::footprint, "footprint", "working set of one noise task", {.min = engine::Bytes{64}});
  return s;
}

// A host task that alternates a CPU burst (preemptible at its slice end) and a timer-driven sleep.
class VmWorkload::NoiseTask final : public kernel::Task {
 public:
  NoiseTask(kernel::Kvm& kvm, const NoiseParams& params, int index, kernel::CpuSetPtr allowed)
      : Task(kvm.scheduler(), fmt::format("noise{}", index), std::move(allowed)),
        params_(params),
        rng_(kvm.machine().sim().stream(static_cast<uint64_t>(index), "noise")),
        touches_{params.touch_rate, params.footprint, this} {}

 protected:
  hw::Path body() override {
    kernel::Scheduler& sched = scheduler_;
    co_await sched.schedule_tail(*this);
    for (;;) {
      Time left = params_.burst.sample_time(rng_);
      while (left > Time::zero()) {
        left = co_await cpu().run_interruptible(left, Time::zero(), nullptr,
                                                touches_.rate.per_second > 0 ? &touches_ : nullptr);
        if (sched.need_resched(cpu().id())) co_await sched.schedule(*this);
      }
      hw::Cpu& cpu = this->cpu();
      sched.add_timer(cpu.id(), cpu.now() + params_.sleep.sample_time(rng_),
                      [this](hw::Cpu& c) -> hw::Path { co_await scheduler_.try_to_wake_up(c, *this); });
      co_await sched.set_current_state_sleeping(cpu, *this);
      co_await sched.schedule(*this);
    }
  }

 private:
  NoiseParams params_;
  engine::RandomStream rng_;
  hw::TouchProfile touches_;
};

VmWorkload::Arrivals::Arrivals(VmWorkload& w, kernel::Vcpu& v, Kind kind)
    : w_(w),
      v_(v),
      kind_(kind),
      process_(kind == Kind::kDevice ? w.params_.device_arrivals : w.params_.timer_arrivals,
               kind == Kind::kDevice ? w.kvm_.machine().sim().stream(v.index(), "device-arrivals")
                                     : w.kvm_.machine().sim().stream(v.index(), "timer-arrivals"),
               v.index()),
      work_(kind == Kind::kDevice ? w.kvm_.machine().sim().stream(v.index(), "device-work")
                                  : w.kvm_.machine().sim().stream(v.index(), "timer-work")) {}

void VmWorkload::Arrivals::schedule_next() {
  auto& sim = w_.kvm_.machine().sim();
  const Time at = process_.next(sim.now());
  if (at == Time::max()) return;
  // A guest programs its next timer deadline when the previous one expires (a one-shot TSC-deadline
  // timer), so KVM's hrtimer is armed now and the host's idle governor sees it coming.
  if (kind_ == Kind::kTimer) w_.kvm_.arm_guest_timer(v_, at, w_.params_.timer_work.sample_time(work_));
  sim.schedule_at(*this, at);
}

void VmWorkload::Arrivals::fire() {
  if (kind_ == Kind::kDevice) w_.kvm_.post_from_device(v_, w_.params_.request.sample_time(work_));
  schedule_next();  // a timer's own expiry is the hrtimer armed at the previous one
}

std::string VmWorkload::Arrivals::describe() const {
  return fmt::format("{} interrupt for vCPU {}", kind_ == Kind::kDevice ? "device" : "timer", v_.index());
}

VmWorkload::VmWorkload(kernel::Kvm& kvm, const VmParams& params, const NoiseParams& noise)
    : kvm_(kvm), params_(params) {
  const hw::Topology& topology = kvm.machine().topology();
  const uint32_t used = params.pcpus == 0 ? topology.pcpus() : static_cast<uint32_t>(params.pcpus);
  if (used > topology.pcpus())
    throw engine::UserError(
        fmt::format("error: vms.pcpus: {} pCPUs asked for, the host has {}", used, topology.pcpus()));
  std::vector<hw::PcpuId> all;
  for (uint32_t p = 0; p < used; ++p) all.push_back(hw::PcpuId{p});
  kernel::Scheduler& sched = kvm.scheduler();
  const kernel::CpuSetPtr everywhere = sched.cpu_set(all);
  uint32_t next_pinned = 0;
  for (int vm = 0; vm < params.count; ++vm) {
    kernel::CpuSetPtr allowed = everywhere;
    if (params.affinity == Affinity::kSocket) {
      const int socket = vm % topology.sockets();
      std::vector<hw::PcpuId> on_socket;
      for (hw::PcpuId p : all)
        if (topology.socket_of(p) == socket) on_socket.push_back(p);
      if (!on_socket.empty()) allowed = sched.cpu_set(std::move(on_socket));
    }
    vms_.emplace_back();
    for (int i = 0; i < params.vcpus; ++i) {
      kernel::CpuSetPtr mine = allowed;
      if (params.affinity == Affinity::kPinned) mine = sched.cpu_set({all[next_pinned++ % all.size()]});
      kernel::Vcpu& v = kvm.add_vcpu(static_cast<uint32_t>(vm), mine);
      v.set_guest_touches(params.guest_touch_rate, params.guest_footprint);
      vms_.back().push_back(&v);
      ipi_rng_.push_back(kvm.machine().sim().stream(v.index(), "guest-ipi"));
    }
  }
  // IPI target lists for after_request, when the guests send IPIs at all: one per pCPU (a sender holds
  // one while it sends), each with room for the other vCPUs of the largest VM, so that a steady load
  // allocates none; more senders at once add lists.
  size_t largest_vm = 0;
  for (const auto& vm : vms_) largest_vm = std::max(largest_vm, vm.size());
  if (params.ipi_probability > 0 && largest_vm >= 2) {
    spare_ipi_lists_.reserve(2 * static_cast<size_t>(kvm.machine().pcpus()));
    for (uint32_t c = 0; c < kvm.machine().pcpus(); ++c) spare_ipi_lists_.emplace_back().reserve(largest_vm - 1);
  }
  kvm.set_guest_model(this);
  kvm.set_assigned_devices(params.device_arrivals.mean_rate() > 0);
  for (int i = 0; i < noise.tasks; ++i) {
    kernel::CpuSetPtr allowed = noise.pinned ? sched.cpu_set({all[static_cast<size_t>(i) % all.size()]}) : everywhere;
    noise_.push_back(std::make_unique<NoiseTask>(kvm, noise, i, std::move(allowed)));
    kvm.scheduler().add_task(*noise_.back());
  }
}

VmWorkload::~VmWorkload() { kvm_.set_guest_model(nullptr); }
// NoiseTask is complete here, so the member vector of unique_ptrs can be destroyed.

void VmWorkload::start() {
  for (auto& vm : vms_) {
    for (size_t i = 0; i < vm.size(); ++i) {
      const bool takes_device = params_.device_vcpus == 0 || static_cast<int>(i) < params_.device_vcpus;
      for (auto kind : {Arrivals::Kind::kDevice, Arrivals::Kind::kTimer}) {
        if (kind == Arrivals::Kind::kDevice && !takes_device) continue;
        arrivals_.push_back(std::make_unique<Arrivals>(*this, *vm[i], kind));
        arrivals_.back()->schedule_next();
      }
    }
  }
}

hw::Path VmWorkload::after_request(hw::Cpu& cpu, kernel::Vcpu& v, kernel::RequestSource source) {
  const auto& siblings = vms_[v.vm()];
  if (source != kernel::RequestSource::kDevice || siblings.size() < 2 || params_.ipi_probability <= 0) co_return;
  engine::RandomStream& rng = ipi_rng_[v.index()];
  if (rng.uniform01() >= params_.ipi_probability) co_return;
  // Distinct siblings, drawn without replacement (a partial Fisher-Yates over the other vCPUs), in a
  // list taken from the spares and given back: as many lists as IPIs in flight at once, not one per
  // vCPU (a 4,096-vCPU VM would hold 4,096 lists of 4,095), and no allocation per IPI.
  std::vector<kernel::Vcpu*> others;
  if (!spare_ipi_lists_.empty()) {
    others = std::move(spare_ipi_lists_.back());
    spare_ipi_lists_.pop_back();
  }
  others.clear();
  for (kernel::Vcpu* s : siblings)
    if (s != &v) others.push_back(s);
  const size_t n = std::min(others.size(), static_cast<size_t>(params_.ipi_targets));
  for (size_t i = 0; i < n; ++i) {
    const size_t pick = i + static_cast<size_t>(rng.below(others.size() - i));
    std::swap(others[i], others[pick]);
    const Time work = params_.ipi_work.sample_time(rng);
    co_await kvm_.send_guest_ipi(cpu, v, *others[i], work);
  }
  spare_ipi_lists_.push_back(std::move(others));
}

uint64_t VmWorkload::requests_completed() const {
  uint64_t n = 0;
  for (const auto& vm : vms_)
    for (const kernel::Vcpu* v : vm) n += v->requests_completed();
  return n;
}

}  // namespace wakesim::workload
