#include "platform/windows_process.h"

#include "machine/errors.h"
#include "platform/windows_error.h"
#include "platform/windows_text.h"

#include <algorithm>

extern "C" wchar_t **_wenviron;

namespace machine::platform {

namespace {

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

} // namespace

WindowsPipe::WindowsPipe(bool child_reads) {
    SECURITY_ATTRIBUTES inherit{sizeof inherit, nullptr, TRUE};
    HANDLE read = nullptr, write = nullptr;
    if (!CreatePipe(&read, &write, &inherit, 0))
        throw_windows_error("cannot create a pipe", GetLastError());
    ours = WinHandle(child_reads ? write : read);
    theirs = WinHandle(child_reads ? read : write);
    SetHandleInformation(ours.get(), HANDLE_FLAG_INHERIT, 0);
}

WinHandle null_device(DWORD access) {
    SECURITY_ATTRIBUTES inherit{sizeof inherit, nullptr, TRUE};
    return WinHandle(CreateFileW(L"NUL", access, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
                                 OPEN_EXISTING, 0, nullptr));
}

WindowsChild start_windows_process(const Command &command, HANDLE in, HANDLE out, HANDLE err,
                                   DWORD flags) {
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
                        flags | CREATE_UNICODE_ENVIRONMENT, env.data(), nullptr, &startup, &info)) {
        DWORD code = GetLastError();
        if (code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND)
            throw HostNotReady(command.program + " is not installed or not on PATH",
                               "install it (see the README) and try again");
        throw_windows_error("cannot run " + command.program, code);
    }
    CloseHandle(info.hThread);
    return {WinHandle(info.hProcess), info.dwProcessId};
}

void pipe_read_all(HANDLE from, std::string &into) {
    char buffer[65536];
    DWORD n = 0;
    while (ReadFile(from, buffer, sizeof buffer, &n, nullptr) && n > 0)
        into.append(buffer, n);
}

bool pipe_write_all(HANDLE to, const char *data, std::size_t size) {
    DWORD n = 0;
    for (std::size_t done = 0; done < size; done += n)
        if (!WriteFile(to, data + done, DWORD(std::min<std::size_t>(size - done, 1 << 20)), &n,
                       nullptr))
            return false;
    return true;
}

} // namespace machine::platform
