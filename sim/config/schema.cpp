#include "sim/config/schema.h"

namespace wakesim::config {

const FieldInfo* SectionInfo::find_field(const std::string& key) const {
  for (const FieldInfo& f : fields)
    if (f.key == key) return &f;
  return nullptr;
}

const SectionInfo::Child* SectionInfo::find_child(const std::string& key) const {
  for (const Child& c : children)
    if (c.key == key) return &c;
  return nullptr;
}

const FieldInfo* SectionInfo::find_dotted(const std::string& dotted) const {
  const SectionInfo* section = this;
  size_t start = 0;
  for (size_t dot; (dot = dotted.find('.', start)) != std::string::npos; start = dot + 1) {
    const Child* child = section->find_child(dotted.substr(start, dot - start));
    if (child == nullptr) return nullptr;
    section = child->section;
  }
  return section->find_field(dotted.substr(start));
}

std::vector<std::string> SectionInfo::key_names() const {
  std::vector<std::string> names;
  for (const FieldInfo& f : fields) names.push_back(f.key);
  for (const Child& c : children) names.push_back(c.key);
  return names;
}

namespace {

void document(const SectionInfo& section, const void* object, const std::string& prefix, std::vector<KeyDoc>& out) {
  for (const FieldInfo& f : section.fields) {
    const Value v = f.read(object);
    out.push_back(KeyDoc{prefix + f.key, f.type, v.is_string() ? std::get<std::string>(v.data) : to_toml_text(v),
                         f.constraint, f.help});
  }
  for (const SectionInfo::Child& c : section.children)
    document(*c.section, c.access_const(object), prefix + c.key + ".", out);
}

void read(const SectionInfo& section, const void* object, const std::string& prefix, std::string preset,
          std::vector<KeyValue>& out) {
  for (const FieldInfo& f : section.fields)
    if (f.applied_first) preset = prefix + f.key;
  for (const FieldInfo& f : section.fields)
    out.push_back(KeyValue{prefix + f.key, f.read(object), f.applied_first ? "" : preset});
  for (const SectionInfo::Child& c : section.children)
    read(*c.section, c.access_const(object), prefix + c.key + ".", preset, out);
}

std::optional<std::pair<std::string, std::string>> check(const SectionInfo& section, const void* object,
                                                         const std::string& name) {
  for (const SectionInfo::Child& c : section.children)
    if (auto p = check(*c.section, c.access_const(object), name.empty() ? c.key : name + "." + c.key)) return p;
  for (const auto& fn : section.checks)
    if (Problem p = fn(object)) return std::make_pair(name, *p);
  return std::nullopt;
}

}  // namespace

std::vector<KeyDoc> document_keys(const SectionInfo& root) {
  std::vector<KeyDoc> out;
  document(root, root.defaults.get(), "", out);
  return out;
}

std::vector<KeyValue> read_keys(const SectionInfo& root, const void* object) {
  std::vector<KeyValue> out;
  read(root, object, "", "", out);
  return out;
}

std::optional<std::pair<std::string, std::string>> check_sections(const SectionInfo& root, const void* object) {
  return check(root, object, "");
}

}  // namespace wakesim::config
