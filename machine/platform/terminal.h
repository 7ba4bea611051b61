#pragma once
// The local terminal for interactive sessions: raw mode for as long as the object lives, the
// window size, and whether it changed (SIGWINCH; on Windows, which has none, the size is
// compared with the last call's).
#include <memory>

namespace machine::platform {

class RawTerminal {
public:
    // Does nothing when `fd` is not a terminal.
    explicit RawTerminal(int fd);
    ~RawTerminal();
    RawTerminal(const RawTerminal &) = delete;
    RawTerminal &operator=(const RawTerminal &) = delete;

private:
    struct Saved;
    int fd_;
    std::unique_ptr<Saved> saved_;
};

// The standard streams' descriptors (the same numbers on POSIX and in the Windows CRT).
inline constexpr int stdin_fd = 0, stdout_fd = 1, stderr_fd = 2;

bool is_terminal(int fd);

// Columns and rows of the terminal on `fd` (80x24 when it is not one).
void terminal_size(int fd, int &columns, int &rows);

// Starts watching for window-size changes; returns true once per change since the last call.
bool terminal_resized();

} // namespace machine::platform
