#include "sim/kernel/task.h"

#include "sim/kernel/scheduler.h"

namespace wakesim::kernel {

Task::Task(Scheduler& scheduler, std::string name, CpuSetPtr allowed)
    : scheduler_(scheduler),
      name_(std::move(name)),
      allowed_(std::move(allowed)),
      last_cpu_(allowed_->empty() ? hw::PcpuId{0} : allowed_->front()),
      line_(scheduler.machine().topology().socket_of(last_cpu_)),
      pi_lock_(hw::make_spinlock(scheduler.params().lock, scheduler.pi_lock_class(),
                                 scheduler.machine().topology().socket_of(last_cpu_))) {
  pi_lock_->set_instance_name(name_);
}

Task::~Task() = default;

hw::Path Task::on_sched_out(hw::Cpu&, bool) { co_return; }
hw::Path Task::on_sched_in(hw::Cpu&) { co_return; }

}  // namespace wakesim::kernel
