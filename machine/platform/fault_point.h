#pragma once
// Named steps where the fault tests step in: when $MACHINE_TEST_KILL_AT equals the step's name the
// process SIGKILLs itself there; when $MACHINE_TEST_SLEEP_AT does, it pauses for 1.5 s or
// $MACHINE_TEST_SLEEP_MS (to hold a lock while a test races it). Costs two getenv calls when unset.
namespace machine::platform {

void fault_point(const char *step);

} // namespace machine::platform
