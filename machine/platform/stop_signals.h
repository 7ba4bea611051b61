#pragma once
// How a long-running process (the forwarder) is asked to end: SIGTERM or SIGINT (on Windows
// Ctrl+C, Ctrl+Break or its console closing) set a flag its loop reads between waits, so it ends
// cleanly (its socket removed) instead of dying mid-write.
namespace machine::platform {

// Installs the handlers, and ignores SIGPIPE: a peer gone away is an error return, not death.
void catch_stop_signals();

// True once a stop signal arrived.
bool stop_requested();

} // namespace machine::platform
