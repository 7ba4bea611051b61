#pragma once
// GetLastError()'s and WSAGetLastError()'s codes as text, and the SystemError that carries them
// (Windows only).
#include "platform/windows_handle.h"

#include <string>

namespace machine::platform {

// The system's message for `code`, with the number: "Access is denied (error 5)".
std::string windows_error_text(DWORD code);

// Throws SystemError: `what` was being done, `code` is why.
[[noreturn]] void throw_windows_error(const std::string &what, DWORD code);

} // namespace machine::platform
