#include "platform/windows_error.h"

#include "machine/errors.h"

namespace machine::platform {

std::string windows_error_text(DWORD code) {
    char *text = nullptr;
    DWORD length = FormatMessageA(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
                                      FORMAT_MESSAGE_IGNORE_INSERTS,
                                  nullptr, code, 0, reinterpret_cast<char *>(&text), 0, nullptr);
    std::string message = length > 0 ? std::string(text, length) : "unknown error";
    LocalFree(text);
    // The system's messages end in ".\r\n"; ours go on after them.
    while (!message.empty() && std::string(".\r\n ").find(message.back()) != std::string::npos)
        message.pop_back();
    return message + " (error " + std::to_string(code) + ")";
}

void throw_windows_error(const std::string &what, DWORD code) {
    throw SystemError(what, int(code), windows_error_text(code));
}

} // namespace machine::platform
