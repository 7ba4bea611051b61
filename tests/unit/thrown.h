#pragma once
// Runs an action that must throw `E` and hands back the exception, so a test can check its
// fields (field(), file(), the message) rather than only its type.
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>

namespace machine::test {

template <typename E, typename F> E thrown(F &&action) {
    try {
        action();
    } catch (const E &error) {
        return error;
    }
    throw std::logic_error("expected an exception, but none was thrown");
}

// Error messages are printed on one line after "Error: ".
inline bool one_line(const std::string &message) {
    return !message.empty() && message.find('\n') == std::string::npos &&
           message.find('\r') == std::string::npos;
}

// No raw control characters (a name with "\x1b[2J" must not clear the user's screen).
inline bool printable(const std::string &message) {
    for (unsigned char c : message)
        if (c < 0x20 || c == 0x7f)
            return false;
    return true;
}

} // namespace machine::test
