// The Ignition config as the guest agent reads it (from the host, but parsed as root in the
// guest): any bytes give a config or a ConfigError, and a config always plans.
#include "provisioning/agent/errors.h"
#include "provisioning/agent/ignition.h"
#include "provisioning/agent/plan.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    try {
        auto config = machine::agent::parse_ignition(
            std::string_view(reinterpret_cast<const char *>(data), size));
        machine::agent::make_plan(config);
    } catch (const machine::agent::AgentError &) {
    }
    return 0;
}
