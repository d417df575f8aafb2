#include "sim/engine/event.h"

#include <typeinfo>

#include "sim/engine/event_queue.h"

namespace wakesim::engine {

Event::~Event() {
  if (entries_ != 0 && queue_ != nullptr) queue_->forget(*this);
}

std::string Event::describe() const { return typeid(*this).name(); }

}  // namespace wakesim::engine
