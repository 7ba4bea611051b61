#include "platform/terminal.h"

#include "platform/windows_handle.h"

#include <io.h>
#include <mutex>

namespace machine::platform {

namespace {

// The console behind a C runtime descriptor, or null: _isatty() is true for any character device
// (NUL too), GetConsoleMode() only for a console.
HANDLE console_of(int fd) {
    if (!_isatty(fd))
        return nullptr;
    auto handle = reinterpret_cast<HANDLE>(_get_osfhandle(fd));
    DWORD mode = 0;
    return handle != INVALID_HANDLE_VALUE && GetConsoleMode(handle, &mode) ? handle : nullptr;
}

// The console's screen buffer whichever standard stream is redirected (stdin is an input handle,
// which has no size); opened once, for the process's one console.
HANDLE screen() {
    static WinHandle screen(CreateFileW(L"CONOUT$", GENERIC_READ | GENERIC_WRITE,
                                        FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING,
                                        0, nullptr));
    return screen.get();
}

// The visible window's columns and rows (not the scroll-back buffer's).
bool window_size(int &columns, int &rows) {
    CONSOLE_SCREEN_BUFFER_INFO info{};
    if (!screen() || !GetConsoleScreenBufferInfo(screen(), &info))
        return false;
    columns = info.srWindow.Right - info.srWindow.Left + 1;
    rows = info.srWindow.Bottom - info.srWindow.Top + 1;
    return columns > 0 && rows > 0;
}

} // namespace

struct RawTerminal::Saved {
    HANDLE input;
    DWORD input_mode;
    DWORD output_mode;
    bool output_saved;
    UINT input_code_page;
    UINT output_code_page;
};

RawTerminal::RawTerminal(int fd) : fd_(fd) {
    HANDLE input = console_of(fd);
    DWORD input_mode = 0;
    if (!input || !GetConsoleMode(input, &input_mode))
        return;
    DWORD output_mode = 0;
    bool output_saved = screen() && GetConsoleMode(screen(), &output_mode);
    saved_ = std::make_unique<Saved>(
        Saved{input, input_mode, output_mode, output_saved, GetConsoleCP(), GetConsoleOutputCP()});
    // cfmakeraw's counterpart: no echo, no line editing, Ctrl+C a byte rather than a signal; keys
    // as the VT sequences the remote terminal expects.
    SetConsoleMode(input, (input_mode &
                           ~DWORD(ENABLE_ECHO_INPUT | ENABLE_LINE_INPUT | ENABLE_PROCESSED_INPUT)) |
                              ENABLE_VIRTUAL_TERMINAL_INPUT);
    // The remote side draws with VT sequences and wraps lines as a VT terminal does.
    if (output_saved)
        SetConsoleMode(screen(), output_mode | ENABLE_PROCESSED_OUTPUT |
                                     ENABLE_VIRTUAL_TERMINAL_PROCESSING |
                                     DISABLE_NEWLINE_AUTO_RETURN);
    // Its bytes are UTF-8, and so are the keys it expects; the console's default is the OEM page.
    SetConsoleCP(CP_UTF8);
    SetConsoleOutputCP(CP_UTF8);
}

RawTerminal::~RawTerminal() {
    if (!saved_)
        return;
    SetConsoleMode(saved_->input, saved_->input_mode);
    if (saved_->output_saved)
        SetConsoleMode(screen(), saved_->output_mode);
    SetConsoleCP(saved_->input_code_page);
    SetConsoleOutputCP(saved_->output_code_page);
}

bool is_terminal(int fd) {
    return console_of(fd) != nullptr;
}

void terminal_size(int fd, int &columns, int &rows) {
    if (!console_of(fd) || !window_size(columns, rows)) {
        columns = 80;
        rows = 24;
    }
}

bool terminal_resized() {
    // Windows has no SIGWINCH: the window's size is compared with the last call's (the first
    // call only notes it).
    static std::mutex mutex;
    static int last_columns = 0, last_rows = 0;
    int columns = 0, rows = 0;
    if (!window_size(columns, rows))
        return false;
    std::lock_guard lock(mutex);
    bool changed = last_columns != 0 && (columns != last_columns || rows != last_rows);
    last_columns = columns;
    last_rows = rows;
    return changed;
}

} // namespace machine::platform
