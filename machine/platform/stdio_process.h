#pragma once
// A child process whose standard input and output are one stream of ours, for programs that talk
// over their stdio: `wsl.exe ... machine-agent --mux-stdio` (machine-mux) and the agent that
// prints "Ready" when the machine is up. POSIX: a socket pair, the child's stdin and stdout on one
// end. Windows: a loopback socket pair too (so a machine-mux session waits on it as on any
// socket), relayed by two threads to the child's stdin and stdout pipes.
#include "machine/command.h"
#include "platform/unix_socket.h"

#include <chrono>
#include <filesystem>
#include <memory>

namespace machine::platform {

class StdioProcess {
public:
    // Starts `command` (its env added to ours). When `command.input` is not empty it is written
    // first and the child's stdin then ends, so only its stdout is left to read (a program that
    // reads its input to the end before it answers); when empty, the stream carries both ways.
    // The child's stderr is appended to `log` (made 0600) or, when `log` is empty, goes to ours.
    // Throws HostNotReady when the program is missing, SystemError for anything else.
    explicit StdioProcess(const Command &command, const std::filesystem::path &log = {});
    // Ends the stream, gives the child `grace` to exit on its own (a program at the end of its
    // input does), then kills it; either way it is reaped.
    ~StdioProcess();
    StdioProcess(const StdioProcess &) = delete;
    StdioProcess &operator=(const StdioProcess &) = delete;

    static constexpr std::chrono::milliseconds grace{3000};

    // The stream: reading gets the child's stdout, writing feeds its stdin. -1 once taken.
    int fd() const { return stream_.get(); }
    // Hands the stream over (to a machine-mux session, which closes it when it ends); the child
    // is still ended and reaped when this object dies.
    Fd take_stream() { return std::move(stream_); }

    // True while the child runs; reaps it once it has exited.
    bool running();
    // Its exit code (128 + signal when killed) once running() said false; -1 before.
    int exit_code() const { return exit_code_; }

private:
    struct Child; // the OS's handle on it, and on Windows the relay
    Fd stream_;
    std::unique_ptr<Child> child_;
    int exit_code_ = -1;
};

} // namespace machine::platform
