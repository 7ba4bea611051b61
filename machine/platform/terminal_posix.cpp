#include "platform/terminal.h"

#include <atomic>
#include <csignal>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

namespace machine::platform {

struct RawTerminal::Saved {
    termios settings;
};

RawTerminal::RawTerminal(int fd) : fd_(fd) {
    termios settings{};
    if (!::isatty(fd) || ::tcgetattr(fd, &settings) != 0)
        return;
    saved_ = std::make_unique<Saved>(Saved{settings});
    ::cfmakeraw(&settings);
    ::tcsetattr(fd, TCSADRAIN, &settings);
}

RawTerminal::~RawTerminal() {
    if (saved_)
        ::tcsetattr(fd_, TCSADRAIN, &saved_->settings);
}

bool is_terminal(int fd) {
    return ::isatty(fd) == 1;
}

void terminal_size(int fd, int &columns, int &rows) {
    winsize size{};
    if (::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
        columns = size.ws_col;
        rows = size.ws_row;
    } else {
        columns = 80;
        rows = 24;
    }
}

namespace {
std::atomic<bool> resized{false};
extern "C" void on_winch(int) {
    resized = true;
}
} // namespace

bool terminal_resized() {
    static bool installed = [] {
        struct sigaction action {};
        action.sa_handler = on_winch;
        ::sigaction(SIGWINCH, &action, nullptr);
        return true;
    }();
    (void)installed;
    return resized.exchange(false);
}

} // namespace machine::platform
