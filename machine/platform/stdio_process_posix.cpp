#include "platform/stdio_process.h"

#include "machine/errors.h"
#include "platform/posix_descriptors.h"
#include "platform/posix_spawn.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace machine::platform {

namespace {

// Every byte of `input`, blocking; a child that stopped reading (EPIPE) has had what it wanted.
// posix::no_sigpipe: its going away must not end this process with SIGPIPE.
void send_input(int fd, const std::string &input) {
    std::size_t sent = 0;
    while (sent < input.size()) {
        auto n = ::send(fd, input.data() + sent, input.size() - sent, posix::no_sigpipe);
        if (n > 0)
            sent += std::size_t(n);
        else if (errno == EPIPE || errno == ECONNRESET)
            return;
        else if (errno != EINTR)
            throw SystemError("cannot write to a child's stdin", errno);
    }
}

int exit_code_of(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

} // namespace

struct StdioProcess::Child {
    int pid = -1;
};

StdioProcess::StdioProcess(const Command &command, const std::filesystem::path &log) {
    int pair[2];
    if (posix::socket_pair(pair) != 0)
        throw SystemError("cannot create a socket pair", errno);
    stream_ = Fd(pair[0]);
    Fd child_end(pair[1]);

    SpawnActions spawn;
    posix_spawn_file_actions_adddup2(&spawn.actions, child_end.get(), 0);
    posix_spawn_file_actions_adddup2(&spawn.actions, child_end.get(), 1);
    if (!log.empty())
        posix_spawn_file_actions_addopen(&spawn.actions, 2, log.c_str(),
                                         O_WRONLY | O_CREAT | O_APPEND, 0600);
    child_ = std::make_unique<Child>(Child{spawn_command(command, spawn)});
    child_end = Fd(); // the child holds its end now: its exit is our end of file

    if (command.input.empty())
        return;
    try {
        send_input(stream_.get(), command.input);
    } catch (...) {
        // No destructor runs for a constructor that throws: the child is ended here.
        ::kill(child_->pid, SIGKILL);
        int status = 0;
        while (::waitpid(child_->pid, &status, 0) < 0 && errno == EINTR) {
        }
        throw;
    }
    ::shutdown(stream_.get(), SHUT_WR); // the child's stdin ends; its stdout stays
}

StdioProcess::~StdioProcess() {
    stream_ = Fd();
    if (!child_ || exit_code_ >= 0)
        return;
    auto deadline = Clock::now() + grace;
    while (running()) {
        if (Clock::now() >= deadline) {
            ::kill(child_->pid, SIGKILL);
            int status = 0;
            while (::waitpid(child_->pid, &status, 0) < 0 && errno == EINTR) {
            }
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

bool StdioProcess::running() {
    if (exit_code_ >= 0)
        return false;
    int status = 0;
    auto rc = ::waitpid(child_->pid, &status, WNOHANG);
    if (rc == 0 || (rc < 0 && errno == EINTR))
        return true;
    exit_code_ = rc == child_->pid ? exit_code_of(status) : 128; // ECHILD: reaped elsewhere
    return false;
}

} // namespace machine::platform
