// wakesim's version and the git revision it was built from (generated at build time).
#pragma once

namespace wakesim::experiment {
const char* version();
const char* git_revision();
}  // namespace wakesim::experiment
