// The kvm scenario's metrics, histograms and tables (metric_registry.h), declared apart from the model
// in kvm_scenario.cpp, which returns them from KvmScenario::metrics().
#pragma once

#include "sim/experiment/metric_registry.h"

namespace wakesim::experiment {

// Valid for the life of the program.
const MetricDeclarations& kvm_metrics();

}  // namespace wakesim::experiment
