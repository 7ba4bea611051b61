#include "platform/process_runner.h"

#include "machine/errors.h"
#include "platform/posix_descriptors.h"
#include "platform/posix_spawn.h"
#include "platform/process_info.h"

#include <array>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace machine::platform {

namespace {

struct Pipe {
    int read = -1, write = -1;
    // A socket pair for a child's stdin, so that writing after the child has gone is EPIPE
    // (posix::no_sigpipe), not a SIGPIPE that would end this process.
    enum Kind { pipe, socket_pair };
    explicit Pipe(Kind kind = pipe) {
        int fds[2];
        if ((kind == pipe ? posix::make_pipe(fds) : posix::socket_pair(fds)) != 0)
            throw SystemError("cannot create a pipe", errno);
        read = fds[0];
        write = fds[1];
    }
    ~Pipe() {
        close_read();
        close_write();
    }
    void close_read() {
        if (read >= 0)
            ::close(read), read = -1;
    }
    void close_write() {
        if (write >= 0)
            ::close(write), write = -1;
    }
};

// Writes `input` to the child's stdin and reads both output pipes until both close, without
// letting any of them fill up and stall the child.
void converse(Pipe &in, const std::string &input, Pipe &out, Pipe &err, ProcessResult &result) {
    std::array<pollfd, 3> fds{
        {{out.read, POLLIN, 0}, {err.read, POLLIN, 0}, {in.write, POLLOUT, 0}}};
    std::array<std::string *, 2> sinks{&result.out, &result.err};
    std::size_t written = 0;
    if (input.empty())
        in.close_write(), fds[2].fd = -1;
    int open = 2;
    char buffer[65536];
    while (open > 0) {
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR)
                continue;
            throw SystemError("cannot wait for a child's output", errno);
        }
        if (fds[2].fd >= 0 && fds[2].revents) {
            // A child that stops reading early (EPIPE) has had what it wanted.
            auto n = ::send(in.write, input.data() + written, input.size() - written,
                            posix::no_sigpipe | MSG_DONTWAIT);
            if (n > 0)
                written += std::size_t(n);
            if (written == input.size() || (n < 0 && errno != EINTR && errno != EAGAIN))
                in.close_write(), fds[2].fd = -1;
        }
        for (std::size_t i = 0; i < sinks.size(); ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            auto n = ::read(fds[i].fd, buffer, sizeof buffer);
            if (n > 0) {
                sinks[i]->append(buffer, std::size_t(n));
            } else if (n == 0 || errno != EINTR) {
                fds[i].fd = -1;
                --open;
            }
        }
    }
}

} // namespace

ProcessResult SpawnProcessRunner::run(const Command &command) {
    Pipe in(Pipe::socket_pair), out, err;
    SpawnActions spawn;
    if (command.input.empty())
        posix_spawn_file_actions_addopen(&spawn.actions, 0, "/dev/null", O_RDONLY, 0);
    else
        posix_spawn_file_actions_adddup2(&spawn.actions, in.read, 0);
    posix_spawn_file_actions_adddup2(&spawn.actions, out.write, 1);
    posix_spawn_file_actions_adddup2(&spawn.actions, err.write, 2);

    pid_t pid = spawn_command(command, spawn);
    in.close_read();
    out.close_write();
    err.close_write();

    ProcessResult result;
    converse(in, command.input, out, err, result);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            throw SystemError("cannot wait for " + command.program, errno);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

} // namespace machine::platform

namespace machine::platform {

int spawn_detached(const Command &command, const std::filesystem::path &log) {
    SpawnActions spawn;
    posix_spawn_file_actions_addopen(&spawn.actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&spawn.actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0600);
    posix_spawn_file_actions_adddup2(&spawn.actions, 1, 2);
    // What a detached child makes (QEMU's monitor and machine-mux sockets, the forwarder's files)
    // is the user's alone, 0600, whatever the user's umask: the child inherits this one. Neither
    // makes folders. (posix_spawn has no umask attribute; the CLI's other threads make no files
    // meanwhile.)
    struct PrivateUmask {
        mode_t old = ::umask(0177);
        ~PrivateUmask() { ::umask(old); }
    } umask_while_spawning;
    return spawn_command(command, spawn, Session::new_one);
}

int run_attached(const Command &command) {
    SpawnActions spawn; // none: the child has our descriptors
    auto pid = spawn_command(command, spawn);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            throw SystemError("cannot wait for " + command.program, errno);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool child_running(int pid) {
    int status = 0;
    auto rc = ::waitpid(pid, &status, WNOHANG);
    if (rc == 0)
        return true;
    if (rc < 0 && errno == ECHILD) // not our child: ask the process table
        return process_alive(pid);
    return false;
}

bool process_alive(int pid) {
    if (pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH))
        return false;
    return !process_awaits_reaping(pid);
}

void kill_process(int pid) {
    if (pid > 0)
        ::kill(pid, SIGKILL);
}

} // namespace machine::platform
