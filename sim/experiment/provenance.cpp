#include "sim/experiment/provenance.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <ctime>
#include <thread>

#include <fmt/format.h>

#include "sim/experiment/timings.h"
#include "sim/experiment/version.h"

namespace wakesim::experiment {

std::string iso_time(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

void add_provenance(nlohmann::ordered_json& manifest, int jobs, std::chrono::system_clock::time_point start,
                    std::chrono::system_clock::time_point end) {
  manifest["wakesim_version"] = version();
  manifest["git_revision"] = git_revision();
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  utsname uts{};
  ::uname(&uts);
  manifest["host"] = nlohmann::ordered_json{{"name", host},
                                            {"system", fmt::format("{} {} {}", uts.sysname, uts.release, uts.machine)},
                                            {"hardware_threads", std::thread::hardware_concurrency()},
                                            {"jobs", jobs},
                                            {"peak_rss_bytes", process_peak_rss_bytes()}};
  manifest["start_time"] = iso_time(start);
  manifest["end_time"] = iso_time(end);
}

}  // namespace wakesim::experiment
