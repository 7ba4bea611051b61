#include "platform/host.h"

#include "machine/errors.h"
#include "platform/windows_error.h"
#include "platform/windows_text.h"

#include <cstdlib>
#include <ws2tcpip.h>

namespace machine::platform {

std::string host_arch() {
    SYSTEM_INFO info{};
    GetNativeSystemInfo(&info);
    return info.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_ARM64 ? "aarch64" : "x86_64";
}

int host_user_id() {
    return -1;
}

std::uint64_t host_memory_mib() {
    MEMORYSTATUSEX status{};
    status.dwLength = sizeof status;
    return GlobalMemoryStatusEx(&status) ? status.ullTotalPhys >> 20 : 0;
}

bool kvm_usable() {
    return false;
}

int free_loopback_port() {
    WinsockUser winsock;
    WinSocket probe(::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int length = sizeof address;
    if (!probe ||
        ::bind(probe.get(), reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
        ::getsockname(probe.get(), reinterpret_cast<sockaddr *>(&address), &length) != 0)
        throw_windows_error("cannot find a free port on 127.0.0.1", DWORD(WSAGetLastError()));
    return ntohs(address.sin_port);
}

namespace {

// An absolute folder from the environment, or an empty path.
std::filesystem::path env_path(const wchar_t *name) {
    const wchar_t *value = _wgetenv(name);
    std::filesystem::path path = value ? value : L"";
    return path.is_absolute() ? path : std::filesystem::path();
}

std::filesystem::path profile_dir(const wchar_t *name) {
    auto dir = env_path(name);
    if (dir.empty())
        throw HostNotReady("%" + to_utf8(name) + "% is not set", "log in as a user with a profile");
    return dir;
}

} // namespace

// As podman does on Windows: configs roam with the profile (%APPDATA%), disks stay on this
// computer (%LOCALAPPDATA%). XDG variables, when set, still win (the tests use them).
std::filesystem::path user_config_dir() {
    auto dir = env_path(L"XDG_CONFIG_HOME");
    return (dir.empty() ? profile_dir(L"APPDATA") : dir) / "machine";
}

std::filesystem::path user_data_dir() {
    auto dir = env_path(L"XDG_DATA_HOME");
    return (dir.empty() ? profile_dir(L"LOCALAPPDATA") : dir) / "machine";
}

std::filesystem::path user_runtime_dir() {
    auto dir = env_path(L"XDG_RUNTIME_DIR");
    return dir.empty() ? profile_dir(L"LOCALAPPDATA") / "machine" / "run" : dir / "machine";
}

std::filesystem::path find_program(const std::string &name) {
    std::filesystem::path program = to_wide(name);
    const wchar_t *path = _wgetenv(L"PATH");
    std::wstring dirs = path ? path : L"";
    for (std::size_t begin = 0; begin <= dirs.size();) {
        auto end = std::min(dirs.find(L';', begin), dirs.size());
        std::filesystem::path dir = dirs.substr(begin, end - begin);
        begin = end + 1;
        if (dir.empty())
            continue;
        // A bare name means NAME.exe, as CreateProcess reads it.
        for (auto candidate : {dir / program, (dir / program).concat(L".exe")}) {
            std::error_code ec;
            if (std::filesystem::is_regular_file(candidate, ec))
                return candidate;
        }
    }
    return {};
}

std::string own_executable() {
    std::wstring path(MAX_PATH, L'\0');
    for (;;) {
        DWORD n = GetModuleFileNameW(nullptr, path.data(), DWORD(path.size()));
        if (n == 0)
            throw_windows_error("cannot find the running program", GetLastError());
        if (n < path.size())
            return to_utf8(path.substr(0, n));
        path.resize(path.size() * 2);
    }
}

} // namespace machine::platform
