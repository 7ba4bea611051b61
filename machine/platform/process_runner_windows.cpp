#include "platform/process_runner.h"

#include "machine/errors.h"
#include "platform/windows_error.h"
#include "platform/windows_process.h"

#include <optional>
#include <thread>

namespace machine::platform {

ProcessResult SpawnProcessRunner::run(const Command &command) {
    WindowsPipe out(false), err(false);
    std::optional<WindowsPipe> in;
    WinHandle null_in;
    if (command.input.empty())
        null_in = null_device(GENERIC_READ);
    else
        in.emplace(true);
    auto child = start_windows_process(command, in ? in->theirs.get() : null_in.get(),
                                       out.theirs.get(), err.theirs.get(), CREATE_NO_WINDOW);
    out.theirs.reset(), err.theirs.reset();

    // Anonymous pipes have no readiness to wait on: one thread per stream, so none fills up and
    // stalls the child. A child that stops reading early makes the write fail, which is fine.
    ProcessResult result;
    std::thread writer, error_reader([&] { pipe_read_all(err.ours.get(), result.err); });
    if (in) {
        in->theirs.reset();
        writer = std::thread([&] {
            pipe_write_all(in->ours.get(), command.input.data(), command.input.size());
            in->ours.reset();
        });
    }
    pipe_read_all(out.ours.get(), result.out);
    error_reader.join();
    if (writer.joinable())
        writer.join();
    WaitForSingleObject(child.process.get(), INFINITE);
    DWORD code = 0;
    GetExitCodeProcess(child.process.get(), &code);
    result.exit_code = int(code);
    return result;
}

int spawn_detached(const Command &command, const std::filesystem::path &log) {
    SECURITY_ATTRIBUTES inherit{sizeof inherit, nullptr, TRUE};
    // Appending: every write goes to the end, as O_APPEND does.
    WinHandle out(CreateFileW(log.c_str(), FILE_APPEND_DATA | SYNCHRONIZE,
                              FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &inherit,
                              OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr));
    if (!out)
        throw_windows_error("cannot open " + log.string(), GetLastError());
    auto null_in = null_device(GENERIC_READ);
    // Its own process group and no console: it outlives the CLI and ignores the CLI's Ctrl-C.
    auto child =
        start_windows_process(command, null_in.get(), out.get(), out.get(),
                              DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP | CREATE_NO_WINDOW);
    return int(child.pid);
}

int run_attached(const Command &command) {
    auto child = start_windows_process(command, GetStdHandle(STD_INPUT_HANDLE),
                                       GetStdHandle(STD_OUTPUT_HANDLE),
                                       GetStdHandle(STD_ERROR_HANDLE), 0); // our console too
    WaitForSingleObject(child.process.get(), INFINITE);
    DWORD code = 0;
    GetExitCodeProcess(child.process.get(), &code);
    return int(code);
}

namespace {

WinHandle open_process(int pid, DWORD access) {
    return pid > 0 ? WinHandle(OpenProcess(access, FALSE, DWORD(pid))) : WinHandle();
}

} // namespace

bool child_running(int pid) {
    return process_alive(pid);
}

bool process_alive(int pid) {
    auto process = open_process(pid, PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE);
    return process && WaitForSingleObject(process.get(), 0) == WAIT_TIMEOUT;
}

void kill_process(int pid) {
    if (auto process = open_process(pid, PROCESS_TERMINATE))
        TerminateProcess(process.get(), 137); // as a SIGKILLed process's status reads on POSIX
}

} // namespace machine::platform
