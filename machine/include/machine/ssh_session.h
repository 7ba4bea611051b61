#pragma once
// An SSH connection to a machine's guest with libssh: key authentication only, and the guest's
// host key must be the one pinned at `init` (never trust-on-first-use).
#include <chrono>
#include <functional>
#include <memory>
#include <string>

struct ssh_session_struct;
struct ssh_channel_struct;
struct sftp_session_struct;

namespace machine {

struct SshTarget {
    std::string host = "127.0.0.1";
    int port = 22;
    std::string user;
    std::string identity_path;        // private key file
    std::string host_key_fingerprint; // "SHA256:..."; a different key is refused
    std::string machine_name;         // for messages
};

class SshSession {
public:
    // Connects, checks the host key and authenticates. Throws SshError.
    SshSession(const SshTarget &target, std::chrono::seconds timeout);
    ~SshSession();
    SshSession(const SshSession &) = delete;
    SshSession &operator=(const SshSession &) = delete;

    // Runs `command`, copying `in_fd` to its stdin (until EOF; -1 for none) and its stdout and
    // stderr to `out_fd` and `err_fd`. Returns the command's exit status.
    int exec(const std::string &command, int in_fd, int out_fd, int err_fd);

    // An interactive login shell on a PTY sized like the local terminal; the caller puts the
    // terminal in raw mode. `window_size` is asked for the size again whenever
    // `window_changed()` says so. Returns the shell's exit status.
    struct WindowSize {
        int columns = 80, rows = 24;
    };
    int shell(const std::string &term, const std::function<WindowSize()> &window_size,
              const std::function<bool()> &window_changed, int in_fd, int out_fd);

    // Copies a local file or folder to `remote` (modes kept). `progress(done, total)`.
    void upload(const std::string &local, const std::string &remote,
                const std::function<void(std::uint64_t, std::uint64_t)> &progress);
    void download(const std::string &remote, const std::string &local,
                  const std::function<void(std::uint64_t, std::uint64_t)> &progress);

    // The libssh session, for the API forwarder's event loop (which owns no other handle to it).
    ssh_session_struct *raw() const { return session_.get(); }

private:
    struct SessionDeleter {
        void operator()(ssh_session_struct *session) const;
    };
    std::unique_ptr<ssh_session_struct, SessionDeleter> session_;
    SshTarget target_;
};

} // namespace machine
