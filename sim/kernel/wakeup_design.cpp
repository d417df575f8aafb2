#include "sim/kernel/wakeup_design.h"

#include <map>

namespace wakesim::kernel {
namespace {
// Filled during static initialisation, read-only afterwards.
std::map<std::string, DesignEntry>& registry() {
  static std::map<std::string, DesignEntry> entries;
  return entries;
}
}  // namespace

void register_design(DesignEntry entry) {
  const std::string name = entry.name;
  registry().emplace(name, std::move(entry));
}

const DesignEntry* find_design(const std::string& name) {
  auto it = registry().find(name);
  return it == registry().end() ? nullptr : &it->second;
}

std::vector<const DesignEntry*> all_designs() {
  std::vector<const DesignEntry*> out;
  for (const auto& [name, entry] : registry()) out.push_back(&entry);
  return out;
}

}  // namespace wakesim::kernel
