#pragma once
// Whether these tests run under Wine, whose ntdll has an export of its own: some Windows behaviour
// (hvsock, AF_UNIX, a few pipe details) Wine does not have, and the tests say so instead.
#include <windows.h>

namespace machine::test {

inline bool under_wine() {
    return GetProcAddress(GetModuleHandleA("ntdll.dll"), "wine_get_version") != nullptr;
}

} // namespace machine::test
