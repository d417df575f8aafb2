#include "sim/kernel/wakeup_design.h"

#include "sim/engine/name_registry.h"

namespace wakesim::kernel {
namespace {
// Filled during static initialisation, read-only afterwards.
engine::NameRegistry<DesignEntry>& registry() {
  static engine::NameRegistry<DesignEntry> entries;
  return entries;
}
}  // namespace

bool register_design(DesignEntry entry) { return registry().add(std::move(entry)); }
const DesignEntry* find_design(const std::string& name) { return registry().find(name); }
std::vector<const DesignEntry*> all_designs() { return registry().all(); }
const std::vector<std::string>& duplicate_designs() { return registry().duplicates(); }

}  // namespace wakesim::kernel
