#include "platform/process_runner.h"

#include "machine/errors.h"
#include "platform/windows_error.h"
#include "platform/windows_text.h"

#include <algorithm>
#include <optional>
#include <thread>

extern "C" wchar_t **_wenviron;

namespace machine::platform {

namespace {

// One anonymous pipe; the child's end is inheritable, ours is not (so no other child holds it
// open and keeps us from seeing the end).
struct Pipe {
    WinHandle ours, theirs;
    explicit Pipe(bool child_reads) {
        SECURITY_ATTRIBUTES inherit{sizeof inherit, nullptr, TRUE};
        HANDLE read = nullptr, write = nullptr;
        if (!CreatePipe(&read, &write, &inherit, 0))
            throw_windows_error("cannot create a pipe", GetLastError());
        ours = WinHandle(child_reads ? write : read);
        theirs = WinHandle(child_reads ? read : write);
        SetHandleInformation(ours.get(), HANDLE_FLAG_INHERIT, 0);
    }
};

WinHandle null_device(DWORD access) {
    SECURITY_ATTRIBUTES inherit{sizeof inherit, nullptr, TRUE};
    return WinHandle(CreateFileW(L"NUL", access, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
                                 OPEN_EXISTING, 0, nullptr));
}

// The inherited environment with the command's variables set over it, as CreateProcessW wants
// it: NAME=value strings, each ended by a NUL, the block by another.
std::wstring environment_block(const Command &command) {
    std::wstring block;
    for (wchar_t **entry = _wenviron; entry && *entry; ++entry) {
        std::wstring text = *entry;
        auto name = to_utf8(text.substr(0, text.find(L'=', 1)));
        if (!command.env.count(name))
            block += text + L'\0';
    }
    for (const auto &[name, value] : command.env)
        block += to_wide(name + "=" + value) + L'\0';
    return block + L'\0';
}

struct Child {
    WinHandle process;
    DWORD pid = 0;
};

// CreateProcessW with the standard handles given; a missing program is HostNotReady.
Child start_process(const Command &command, HANDLE in, HANDLE out, HANDLE err, DWORD flags) {
    std::vector<std::string> argv{command.program};
    argv.insert(argv.end(), command.args.begin(), command.args.end());
    auto line = to_wide(windows_command_line(argv));
    auto env = environment_block(command);
    STARTUPINFOW startup{};
    startup.cb = sizeof startup;
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdInput = in;
    startup.hStdOutput = out;
    startup.hStdError = err;
    PROCESS_INFORMATION info{};
    if (!CreateProcessW(nullptr, line.data(), nullptr, nullptr, TRUE,
                        flags | CREATE_UNICODE_ENVIRONMENT | CREATE_NO_WINDOW, env.data(), nullptr,
                        &startup, &info)) {
        DWORD code = GetLastError();
        if (code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND)
            throw HostNotReady(command.program + " is not installed or not on PATH",
                               "install it (see the README) and try again");
        throw_windows_error("cannot run " + command.program, code);
    }
    CloseHandle(info.hThread);
    return {WinHandle(info.hProcess), info.dwProcessId};
}

void read_all(HANDLE from, std::string &into) {
    char buffer[65536];
    DWORD n = 0;
    while (ReadFile(from, buffer, sizeof buffer, &n, nullptr) && n > 0)
        into.append(buffer, n);
}

} // namespace

ProcessResult SpawnProcessRunner::run(const Command &command) {
    Pipe out(false), err(false);
    std::optional<Pipe> in;
    WinHandle null_in;
    if (command.input.empty())
        null_in = null_device(GENERIC_READ);
    else
        in.emplace(true);
    auto child = start_process(command, in ? in->theirs.get() : null_in.get(), out.theirs.get(),
                               err.theirs.get(), 0);
    out.theirs.reset(), err.theirs.reset();

    // Anonymous pipes have no readiness to wait on: one thread per stream, so none fills up and
    // stalls the child. A child that stops reading early makes the write fail, which is fine.
    ProcessResult result;
    std::thread writer, error_reader([&] { read_all(err.ours.get(), result.err); });
    if (in) {
        in->theirs.reset();
        writer = std::thread([&] {
            DWORD n = 0;
            for (std::size_t done = 0; done < command.input.size(); done += n)
                if (!WriteFile(in->ours.get(), command.input.data() + done,
                               DWORD(std::min<std::size_t>(command.input.size() - done, 1 << 20)),
                               &n, nullptr))
                    break;
            in->ours.reset();
        });
    }
    read_all(out.ours.get(), result.out);
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
    auto child = start_process(command, null_in.get(), out.get(), out.get(),
                               DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP);
    return int(child.pid);
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
