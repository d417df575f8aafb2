// A registry of named entries that register themselves during static initialisation (the scenarios,
// the wakeup designs): lookup by name and a listing in name order. A second entry under a name that is
// taken is refused and remembered, never silently dropped: `duplicates()` lists them, and the CLI and
// the registry tests fail on any (a static initialiser cannot report an error itself).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace wakesim::engine {

template <class Entry>  // Entry has a `std::string name`
class NameRegistry {
 public:
  // False (and the name remembered in duplicates()) if the name is taken; the first entry stays.
  bool add(Entry entry) {
    std::string name = entry.name;
    if (entries_.contains(name)) {
      duplicates_.push_back(std::move(name));
      return false;
    }
    entries_.emplace(std::move(name), std::move(entry));
    return true;
  }
  const Entry* find(const std::string& name) const {
    const auto it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second;
  }
  std::vector<const Entry*> all() const {  // sorted by name
    std::vector<const Entry*> out;
    out.reserve(entries_.size());
    for (const auto& [name, entry] : entries_) out.push_back(&entry);
    return out;
  }
  const std::vector<std::string>& duplicates() const { return duplicates_; }

 private:
  std::map<std::string, Entry> entries_;
  std::vector<std::string> duplicates_;
};

}  // namespace wakesim::engine
