// Get-VM's states as the lifecycle sees them.
#include "machine/errors.h"
#include "providers/hyperv/vm_state.h"

#include <catch2/catch.hpp>

using namespace machine;

TEST_CASE("vm state: what runs nothing is stopped", "[hyperv]") {
    for (const char *state : {"Off", "Off\r\n", "  Off\n", "Saved", "FastSaved", "Hibernated",
                              "OffCritical", "SavedCritical", "Missing"}) {
        INFO(state);
        CHECK(parse_vm_state(state) == MachineState::stopped);
    }
}

TEST_CASE("vm state: a VM in memory is running, passing states too", "[hyperv]") {
    for (const char *state :
         {"Running\r\n", "Starting", "Stopping", "Saving", "Pausing", "Paused", "Resuming", "Reset",
          "FastSaving", "Other", "RunningCritical", "StartingCritical", "PausedCritical"}) {
        INFO(state);
        CHECK(parse_vm_state(state) == MachineState::running);
    }
}

TEST_CASE("vm state: output that is no state is an error", "[hyperv]") {
    for (const char *output : {"", "\r\n", "Off\r\nRunning", "2", "Off;", "Running Critical"}) {
        INFO(output);
        CHECK_THROWS_AS(parse_vm_state(output), ProtocolError);
    }
}
