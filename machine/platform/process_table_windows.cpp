#include "platform/process_table.h"

#include "platform/windows_error.h"
#include "platform/windows_text.h"

#include <cstdlib>
#include <fstream>
#include <shellapi.h>
#include <winternl.h>

namespace machine::platform {

int read_pid_file(const std::filesystem::path &path) {
    std::ifstream in(path);
    long pid = 0;
    in >> pid;
    return pid > 0 && pid < (1L << 30) ? int(pid) : 0;
}

namespace {

// ProcessCommandLineInformation (Windows 8.1 and later) hands back another process's command
// line as a UNICODE_STRING, with no need to read its memory.
std::wstring command_line_of(int pid) {
    WinHandle process(OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, DWORD(pid)));
    if (!process)
        return {};
    using Query = LONG(WINAPI *)(HANDLE, int, void *, ULONG, ULONG *);
    static auto query = reinterpret_cast<Query>(reinterpret_cast<void *>(
        GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtQueryInformationProcess")));
    constexpr int process_command_line_information = 60;
    ULONG size = 0;
    if (!query)
        return {};
    query(process.get(), process_command_line_information, nullptr, 0, &size);
    std::vector<char> buffer(size + sizeof(UNICODE_STRING));
    if (size == 0 || query(process.get(), process_command_line_information, buffer.data(),
                           ULONG(buffer.size()), &size) != 0)
        return {};
    auto *text = reinterpret_cast<UNICODE_STRING *>(buffer.data());
    return std::wstring(text->Buffer, text->Length / sizeof(wchar_t));
}

} // namespace

bool process_has_argument(int pid, const std::string &needle, bool substring) {
    auto line = command_line_of(pid);
    if (line.empty())
        return false;
    int count = 0;
    std::unique_ptr<LPWSTR, decltype(&LocalFree)> args(CommandLineToArgvW(line.c_str(), &count),
                                                       &LocalFree);
    for (int i = 0; args && i < count; ++i) {
        auto argument = to_utf8(args.get()[i]);
        if (substring ? argument.find(needle) != std::string::npos : argument == needle)
            return true;
    }
    return false;
}

} // namespace machine::platform
