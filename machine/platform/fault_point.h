#pragma once
// Named steps where the fault tests kill the process: when $MACHINE_TEST_KILL_AT equals the step's
// name, the process SIGKILLs itself there. Costs one getenv when unset.
namespace machine::platform {

void fault_point(const char *step);

} // namespace machine::platform
