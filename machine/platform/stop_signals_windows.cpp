#include "platform/stop_signals.h"

#include "platform/windows_handle.h"

#include <atomic>

namespace machine::platform {

namespace {

std::atomic<bool> requested = false;

// Windows calls this on a thread of its own for each console event.
BOOL WINAPI on_console_event(DWORD event) {
    switch (event) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT:
        requested = true;
        return TRUE;
    case CTRL_CLOSE_EVENT:
        requested = true;
        // Windows ends the process as soon as this returns (or after 5 s): the loop reads the
        // flag at least once a second, so give it the time to end the process itself, cleanly.
        Sleep(4000);
        return TRUE;
    default:
        return FALSE;
    }
}

} // namespace

void catch_stop_signals() {
    static const bool installed = [] {
        // A process started in a group of its own ignores Ctrl+C until this says otherwise.
        SetConsoleCtrlHandler(nullptr, FALSE);
        return SetConsoleCtrlHandler(on_console_event, TRUE) != 0;
    }();
    (void)installed; // Windows has no SIGPIPE: a peer gone away is an error return already
}

bool stop_requested() {
    return requested;
}

} // namespace machine::platform
