#include "machine/ssh_session.h"

#include "machine/command.h"
#include "machine/errors.h"

#include "platform/file_io.h"
#include "platform/socket_io.h"
#include "platform/waitable_input.h"

#include <cerrno>
#include <chrono>
#include <fcntl.h> // O_* flags for sftp_open
#include <filesystem>
#include <fmt/format.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <optional>
#include <thread>
#include <vector>

namespace machine {

namespace {

struct ChannelDeleter {
    void operator()(ssh_channel channel) const {
        ssh_channel_close(channel);
        ssh_channel_free(channel);
    }
};
using Channel = std::unique_ptr<ssh_channel_struct, ChannelDeleter>;

struct KeyDeleter {
    void operator()(ssh_key key) const { ssh_key_free(key); }
};
using Key = std::unique_ptr<ssh_key_struct, KeyDeleter>;

struct SftpDeleter {
    void operator()(sftp_session sftp) const { sftp_free(sftp); }
};
using Sftp = std::unique_ptr<sftp_session_struct, SftpDeleter>;

struct SftpFileDeleter {
    void operator()(sftp_file file) const { sftp_close(file); }
};
using SftpFile = std::unique_ptr<sftp_file_struct, SftpFileDeleter>;

struct SftpAttributesDeleter {
    void operator()(sftp_attributes attributes) const { sftp_attributes_free(attributes); }
};
using SftpAttributes = std::unique_ptr<sftp_attributes_struct, SftpAttributesDeleter>;

std::string host_key_fingerprint(ssh_session session) {
    ssh_key raw = nullptr;
    if (ssh_get_server_publickey(session, &raw) != SSH_OK)
        throw SshError("the guest sent no host key");
    Key key(raw);
    unsigned char *hash = nullptr;
    size_t length = 0;
    if (ssh_get_publickey_hash(key.get(), SSH_PUBLICKEY_HASH_SHA256, &hash, &length) != SSH_OK)
        throw SshError("cannot hash the guest's host key");
    char *text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, length);
    ssh_clean_pubkey_hash(&hash);
    std::string fingerprint = text;
    ssh_string_free_char(text);
    return fingerprint;
}

// Copies whatever the channel has on stdout/stderr to the local fds; false at EOF.
bool drain_channel(ssh_channel channel, int out_fd, int err_fd) {
    char buffer[32768];
    for (int is_stderr : {0, 1}) {
        for (;;) {
            int n = ssh_channel_read_nonblocking(channel, buffer, sizeof buffer, is_stderr);
            if (n == SSH_ERROR)
                throw SshError("the SSH channel failed while reading");
            if (n <= 0)
                break;
            // A reader that went away loses the rest; the remote side still runs to its end.
            platform::write_fully(is_stderr ? err_fd : out_fd, buffer, std::size_t(n));
        }
    }
    return !ssh_channel_is_eof(channel);
}

// One loop for `exec` and `shell`: local input to the channel, channel output to local fds,
// until the remote side closes. Waits in poll() on both, so it costs no CPU while idle.
int pump(ssh_session session, ssh_channel channel, int in_fd, int out_fd, int err_fd,
         const std::function<bool()> &on_tick) {
    bool input_open = in_fd >= 0;
    std::optional<platform::WaitableInput> input;
    if (input_open)
        input.emplace(in_fd);
    int ssh_fd = int(ssh_get_fd(session)); // a SOCKET on Windows: fits, as platform/winsock.h says
    while (drain_channel(channel, out_fd, err_fd) || ssh_channel_poll(channel, 0) > 0 ||
           ssh_channel_poll(channel, 1) > 0) {
        if (!ssh_channel_is_open(channel))
            break;
        auto readable = platform::wait_any_readable({ssh_fd, input_open ? input->wait_fd() : -1},
                                                    std::chrono::milliseconds(100));
        if (on_tick && !on_tick())
            break;
        if (input_open && readable[1]) {
            char buffer[32768];
            std::size_t n = 0;
            try {
                n = input->read(buffer, sizeof buffer);
            } catch (const SystemError &) {
                // local input failed: treated as its end
            }
            if (n > 0) {
                if (ssh_channel_write(channel, buffer, uint32_t(n)) == SSH_ERROR)
                    throw SshError("the SSH channel failed while writing");
            } else {
                input_open = false;
                ssh_channel_send_eof(channel);
            }
        }
    }
    drain_channel(channel, out_fd, err_fd);
    ssh_channel_send_eof(channel);
    ssh_channel_close(channel);
    int status = -1;
    for (int i = 0; i < 50 && status < 0; ++i) { // the exit status may trail the EOF slightly
        status = ssh_channel_get_exit_status(channel);
        if (status < 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return status < 0 ? 255 : status;
}

constexpr const char *preferred_ciphers =
    "aes128-ctr,aes256-ctr,chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,"
    "aes256-gcm@openssh.com";
constexpr const char *preferred_macs =
    "hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512,hmac-sha2-256";

} // namespace

void SshSession::SessionDeleter::operator()(ssh_session_struct *session) const {
    ssh_disconnect(session);
    ssh_free(session);
}

SshSession::SshSession(const SshTarget &target, std::chrono::seconds timeout)
    : session_(ssh_new()), target_(target) {
    if (!session_)
        throw SshError("cannot create an SSH session");
    auto *s = session_.get();
    long seconds = timeout.count();
    int verbosity = SSH_LOG_NOLOG;
    ssh_options_set(s, SSH_OPTIONS_HOST, target.host.c_str());
    ssh_options_set(s, SSH_OPTIONS_PORT, &target.port);
    ssh_options_set(s, SSH_OPTIONS_USER, target.user.c_str());
    ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &seconds);
    ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
    ssh_options_set(s, SSH_OPTIONS_HOSTKEYS, "ssh-ed25519");
    // Under software emulation the guest's sshd is the bottleneck, and there AES-CTR with
    // HMAC-SHA-512 (encrypt-then-MAC) costs least: ~1.4x the throughput of chacha20-poly1305,
    // OpenSSH's first choice, measured (the host's own share is small either way). The guests
    // that refuse it get the usual choices after it.
    ssh_options_set(s, SSH_OPTIONS_CIPHERS_C_S, preferred_ciphers);
    ssh_options_set(s, SSH_OPTIONS_CIPHERS_S_C, preferred_ciphers);
    ssh_options_set(s, SSH_OPTIONS_HMAC_C_S, preferred_macs);
    ssh_options_set(s, SSH_OPTIONS_HMAC_S_C, preferred_macs);
    // Requests are small writes: without this, Nagle's algorithm and the guest's delayed ACK
    // held one back for ~30 ms whenever a connection came after a pause.
    int nodelay = 1;
    ssh_options_set(s, SSH_OPTIONS_NODELAY, &nodelay);
    // Never read ~/.ssh/config or known_hosts: the pinned key is the only truth.
    ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
    ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
    if (ssh_connect(s) != SSH_OK)
        throw SshError(fmt::format("cannot connect to machine \"{}\" over SSH (port {}): {}",
                                   target.machine_name, target.port, ssh_get_error(s)),
                       "is it running? see `machine list`");
    auto fingerprint = host_key_fingerprint(s);
    if (fingerprint != target.host_key_fingerprint)
        throw SshError(
            fmt::format("the host key of machine \"{}\" has changed ({} instead of the {} pinned "
                        "at init); refusing to connect",
                        target.machine_name, fingerprint, target.host_key_fingerprint),
            "if you re-provisioned the guest on purpose, recreate the machine with `machine rm` "
            "and `machine init`");
    ssh_key raw = nullptr;
    if (ssh_pki_import_privkey_file(target.identity_path.c_str(), nullptr, nullptr, nullptr,
                                    &raw) != SSH_OK)
        throw SshError("cannot read the SSH key " + target.identity_path);
    Key key(raw);
    if (ssh_userauth_publickey(s, nullptr, key.get()) != SSH_AUTH_SUCCESS)
        throw SshError(fmt::format("machine \"{}\" refused the key {} for user {}",
                                   target.machine_name, target.identity_path, target.user));
}

SshSession::~SshSession() = default;

int SshSession::exec(const std::string &command, int in_fd, int out_fd, int err_fd) {
    Channel channel(ssh_channel_new(session_.get()));
    if (!channel || ssh_channel_open_session(channel.get()) != SSH_OK ||
        ssh_channel_request_exec(channel.get(), command.c_str()) != SSH_OK)
        throw SshError("cannot run a command over SSH: " +
                       std::string(ssh_get_error(session_.get())));
    return pump(session_.get(), channel.get(), in_fd, out_fd, err_fd, nullptr);
}

int SshSession::shell(const std::string &term, const std::function<WindowSize()> &window_size,
                      const std::function<bool()> &window_changed, int in_fd, int out_fd) {
    Channel channel(ssh_channel_new(session_.get()));
    auto size = window_size();
    if (!channel || ssh_channel_open_session(channel.get()) != SSH_OK ||
        ssh_channel_request_pty_size(channel.get(), term.c_str(), size.columns, size.rows) !=
            SSH_OK ||
        ssh_channel_request_shell(channel.get()) != SSH_OK)
        throw SshError("cannot open a shell over SSH: " +
                       std::string(ssh_get_error(session_.get())));
    auto *raw = channel.get();
    return pump(session_.get(), raw, in_fd, out_fd, out_fd, [&] {
        if (window_changed()) {
            auto now = window_size();
            ssh_channel_change_pty_size(raw, now.columns, now.rows);
        }
        return true;
    });
}

namespace {

// OpenSSH's sftp-server refuses packets over 256 KiB; 32 KiB is what every server takes.
constexpr std::size_t chunk = 32 * 1024;

[[noreturn]] void sftp_fail(sftp_session sftp, const std::string &what) {
    throw SshError(fmt::format("{} (sftp error {})", what, sftp_get_error(sftp)));
}

// Streams `fd` into `cat > REMOTE` on an exec channel. (sftp_write waits for the server's answer
// to each 32 KiB packet, and libssh 0.10 cannot pipeline writes: under emulation that was
// ~1 MB/s; a channel streams at the cipher's speed.)
void stream_to_guest(ssh_session session, int fd, const std::string &remote, std::uint64_t total,
                     const std::function<void(std::uint64_t, std::uint64_t)> &progress) {
    Channel channel(ssh_channel_new(session));
    auto command = "cat > " + shell_quote(remote);
    if (!channel || ssh_channel_open_session(channel.get()) != SSH_OK ||
        ssh_channel_request_exec(channel.get(), command.c_str()) != SSH_OK)
        throw SshError("cannot write " + remote + " in the guest: " + ssh_get_error(session));
    std::vector<char> buffer(256 * 1024);
    std::uint64_t done = 0;
    bool failed = false;
    for (;;) {
        auto n = platform::read_some(fd, buffer.data(), buffer.size());
        if (n == 0)
            break;
        // Blocking: returns once the guest's window took all of it.
        if (ssh_channel_write(channel.get(), buffer.data(), uint32_t(n)) == SSH_ERROR) {
            failed = true; // `cat` gave up; its stderr says why
            break;
        }
        done += std::uint64_t(n);
        progress(done, total);
    }
    ssh_channel_send_eof(channel.get());
    std::string errors;
    char text[4096];
    int n;
    while ((n = ssh_channel_read(channel.get(), text, sizeof text, 1)) > 0)
        errors.append(text, std::size_t(n));
    int status = -1;
    for (int i = 0; i < 50 && status < 0; ++i) { // the exit status may trail the EOF slightly
        status = ssh_channel_get_exit_status(channel.get());
        if (status < 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (failed || status != 0)
        throw SshError(
            "cannot write " + remote + " in the guest" +
            (errors.empty() ? std::string() : ": " + errors.substr(0, errors.find('\n'))));
}

void upload_file(ssh_session session, sftp_session sftp, const std::filesystem::path &local,
                 const std::string &remote,
                 const std::function<void(std::uint64_t, std::uint64_t)> &progress) {
    auto fd = platform::open_for_reading(local);
    auto info = platform::file_info(fd.get());
    // Created with its own mode first, so a private file is never readable by others meanwhile.
    if (!SftpFile(sftp_open(sftp, remote.c_str(), O_WRONLY | O_CREAT | O_TRUNC, info.mode & 0700)))
        sftp_fail(sftp, "cannot create " + remote + " in the guest");
    stream_to_guest(session, fd.get(), remote, info.size, progress);
    if (sftp_chmod(sftp, remote.c_str(), info.mode) != 0) // the guest's umask must not win
        sftp_fail(sftp, "cannot set the mode of " + remote + " in the guest");
}

void upload_tree(ssh_session session, sftp_session sftp, const std::filesystem::path &local,
                 const std::string &remote,
                 const std::function<void(std::uint64_t, std::uint64_t)> &progress) {
    if (!std::filesystem::is_directory(local))
        return upload_file(session, sftp, local, remote, progress);
    auto mode = unsigned(std::filesystem::status(local).permissions()) & 07777;
    if (sftp_mkdir(sftp, remote.c_str(), mode) != 0 &&
        sftp_get_error(sftp) != SSH_FX_FILE_ALREADY_EXISTS &&
        sftp_get_error(sftp) != SSH_FX_FAILURE)
        sftp_fail(sftp, "cannot create folder " + remote + " in the guest");
    for (const auto &entry : std::filesystem::directory_iterator(local))
        upload_tree(session, sftp, entry.path(), remote + "/" + entry.path().filename().string(),
                    progress);
    sftp_chmod(sftp, remote.c_str(), mode);
}

void download_tree(sftp_session sftp, const std::string &remote, const std::filesystem::path &local,
                   const std::function<void(std::uint64_t, std::uint64_t)> &progress) {
    SftpAttributes attributes(sftp_stat(sftp, remote.c_str()));
    if (!attributes)
        sftp_fail(sftp, remote + " does not exist in the guest");
    auto mode = attributes->permissions & 07777;
    if (attributes->type == SSH_FILEXFER_TYPE_DIRECTORY) {
        std::filesystem::create_directories(local);
        auto *dir = sftp_opendir(sftp, remote.c_str());
        if (!dir)
            sftp_fail(sftp, "cannot list " + remote + " in the guest");
        std::vector<std::string> names;
        while (auto *entry = sftp_readdir(sftp, dir)) {
            std::string name = entry->name;
            sftp_attributes_free(entry);
            if (name != "." && name != "..")
                names.push_back(name);
        }
        sftp_closedir(dir);
        for (const auto &name : names)
            download_tree(sftp, remote + "/" + name, local / name, progress);
        std::filesystem::permissions(local, std::filesystem::perms(mode));
        return;
    }
    SftpFile file(sftp_open(sftp, remote.c_str(), O_RDONLY, 0));
    if (!file)
        sftp_fail(sftp, "cannot read " + remote + " in the guest");
    auto fd = platform::create_with_mode(local, mode);
    std::vector<char> buffer(chunk);
    std::uint64_t done = 0, total = attributes->size;
    for (;;) {
        auto n = sftp_read(file.get(), buffer.data(), buffer.size());
        if (n < 0)
            sftp_fail(sftp, "cannot read " + remote + " in the guest");
        if (n == 0)
            break;
        if (!platform::write_fully(fd.get(), buffer.data(), std::size_t(n)))
            throw SystemError("cannot write " + local.string(), EIO);
        done += std::uint64_t(n);
        progress(done, total);
    }
    platform::set_mode(fd.get(), mode); // the local umask must not win
}

} // namespace

void SshSession::upload(const std::string &local, const std::string &remote,
                        const std::function<void(std::uint64_t, std::uint64_t)> &progress) {
    Sftp sftp(sftp_new(session_.get()));
    if (!sftp || sftp_init(sftp.get()) != SSH_OK)
        throw SshError("cannot start sftp in the guest");
    // Copying into an existing folder puts the source inside it, as cp does.
    std::string target = remote;
    if (SftpAttributes a(sftp_stat(sftp.get(), remote.c_str()));
        a && a->type == SSH_FILEXFER_TYPE_DIRECTORY)
        target = remote + "/" + std::filesystem::path(local).filename().string();
    upload_tree(session_.get(), sftp.get(), local, target, progress);
}

void SshSession::download(const std::string &remote, const std::string &local,
                          const std::function<void(std::uint64_t, std::uint64_t)> &progress) {
    Sftp sftp(sftp_new(session_.get()));
    if (!sftp || sftp_init(sftp.get()) != SSH_OK)
        throw SshError("cannot start sftp in the guest");
    std::filesystem::path target = local;
    if (std::filesystem::is_directory(target))
        target /= std::filesystem::path(remote).filename();
    download_tree(sftp.get(), remote, target, progress);
}

} // namespace machine
