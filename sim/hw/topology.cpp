#include "sim/hw/topology.h"

#include <charconv>
#include <cmath>
#include <optional>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "sim/config/input_file.h"
#include "sim/engine/errors.h"
#include "sim/engine/text.h"

namespace wakesim::hw {
namespace {

std::vector<engine::Time> read_matrix(const std::string& path, uint32_t n) {
  std::string error;
  const std::optional<std::string> text = config::read_input_file(path, error);
  if (!text) throw engine::UserError(fmt::format("{}: error: host.cache.latency_matrix: the file {}", path, error));
  std::istringstream in(*text);
  std::vector<engine::Time> m(static_cast<size_t>(n) * n);
  std::string line;
  uint32_t row = 0;
  for (int line_number = 1; std::getline(in, line); ++line_number) {
    if (line.empty() || line[0] == '#') continue;
    if (row == n)
      throw engine::UserError(fmt::format("{}:{}: error: host.cache.latency_matrix: more than {} rows (one per pCPU)",
                                          path, line_number, n));
    uint32_t column = 0;
    size_t start = 0;
    while (start <= line.size()) {
      size_t end = line.find(',', start);
      if (end == std::string::npos) end = line.size();
      const std::string cell = engine::trimmed(std::string_view(line).substr(start, end - start));
      double v = 0;
      auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
      if (cell.empty() || ec != std::errc() || ptr != cell.data() + cell.size() || !std::isfinite(v) || v < 0)
        throw engine::UserError(
            fmt::format("{}:{}:{}: error: host.cache.latency_matrix: '{}' is not a non-negative latency in ns", path,
                        line_number, start + 1, cell));
      if (column == n)
        throw engine::UserError(
            fmt::format("{}:{}: error: host.cache.latency_matrix: more than {} columns", path, line_number, n));
      m[static_cast<size_t>(row) * n + column++] = engine::Time::from_ns(v);
      start = end + 1;
    }
    if (column != n)
      throw engine::UserError(
          fmt::format("{}:{}: error: host.cache.latency_matrix: {} columns, expected {} (one per pCPU)", path,
                      line_number, column, n));
    ++row;
  }
  if (row != n)
    throw engine::UserError(
        fmt::format("{}: error: host.cache.latency_matrix: {} rows, expected {} (one per pCPU)", path, row, n));
  return m;
}

}  // namespace

const char* to_string(Distance d) {
  switch (d) {
    case Distance::kSameThread:
      return "same_thread";
    case Distance::kSmtSibling:
      return "smt_sibling";
    case Distance::kSameLlc:
      return "same_llc";
    case Distance::kSameSocket:
      return "same_socket";
    case Distance::kRemoteSocket:
      return "remote_socket";
  }
  return "?";
}

Topology::Topology(const HostParams& params)
    : sockets_(params.sockets),
      cores_per_socket_(params.cores_per_socket),
      threads_per_core_(params.threads_per_core),
      llc_per_socket_(params.llc_per_socket),
      cores_per_llc_(params.cores_per_socket / params.llc_per_socket),
      pcpus_(static_cast<uint32_t>(params.sockets * params.cores_per_socket * params.threads_per_core)) {
  place_.reserve(pcpus_);
  for (uint32_t p = 0; p < pcpus_; ++p) {
    const uint32_t core = core_index(PcpuId{p});
    const uint32_t socket = core / static_cast<uint32_t>(cores_per_socket_);
    const uint32_t llc = socket * static_cast<uint32_t>(llc_per_socket_) +
                         (core % static_cast<uint32_t>(cores_per_socket_)) / static_cast<uint32_t>(cores_per_llc_);
    place_.push_back(Place{socket, core, llc});
  }
  for (uint32_t d = 0; d < static_cast<uint32_t>(sockets_ * llc_per_socket_); ++d)
    llc_socket_.push_back(d / static_cast<uint32_t>(llc_per_socket_));
  if (!params.cache.latency_matrix.empty()) matrix_ = read_matrix(params.cache.latency_matrix, pcpus_);
}

}  // namespace wakesim::hw
