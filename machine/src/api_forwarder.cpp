#include "machine/api_forwarder.h"

#include "machine/errors.h"
#include "machine/mux_forwarder.h"
#include "platform/api_pipe.h"
#include "platform/socket_io.h"
#include "platform/stop_signals.h"
#include "platform/unix_socket.h"

#include <fmt/format.h>
#include <libssh/libssh.h>
#include <list>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace machine {

namespace {

using namespace std::chrono_literals;

constexpr std::size_t buffer_limit = 256 * 1024; // per stream, guest -> client
constexpr std::size_t chunk = 64 * 1024;
// Opening a channel costs a round trip to the guest's sshd, and clients come in bursts (the docker
// CLI opens several connections per command), so while they come one channel is opened ahead for
// the next. None is kept once they stop: an open connection would keep the guest's
// socket-activated podman service from exiting at idle.
constexpr auto warm_for = 10s;

struct ChannelDeleter {
    void operator()(ssh_channel channel) const {
        ssh_channel_close(channel);
        ssh_channel_free(channel);
    }
};

// A channel to the guest's podman socket; opened without waiting, so one slow open stalls no
// other stream.
struct GuestChannel {
    std::unique_ptr<ssh_channel_struct, ChannelDeleter> handle;
    enum State { opening, open, refused } state = opening;

    ssh_channel get() const { return handle.get(); }
    bool usable() const {
        return state == opening ||
               (state == open && !ssh_channel_is_eof(get()) && ssh_channel_is_open(get()));
    }
};

// One client connection and its channel.
struct Stream {
    platform::Fd client;
    GuestChannel channel;
    std::string to_client;
    bool client_done = false; // the client closed its sending side; EOF sent to the guest
    bool guest_done = false;  // the guest closed its side
    bool client_shut = false; // we shut the client's receiving side down
    bool failed = false;

    // An opening channel is never freed: sshd would keep its end to the podman socket.
    bool finished() const {
        return failed || channel.state == GuestChannel::refused ||
               (channel.state == GuestChannel::open && client_done && guest_done &&
                to_client.empty());
    }
};

class Loop {
public:
    // The listeners' clients are all carried alike (SSH has no idle pause).
    Loop(const ForwarderOptions &options, std::vector<platform::UnixListener *> listeners)
        : options_(options), listeners_(std::move(listeners)) {}

    void run() {
        while (!platform::stop_requested() && options_.machine_running()) {
            if (!session_ && !connect())
                continue;
            step();
        }
        options_.log("forwarder: machine stopped; exiting");
    }

private:
    bool connect() {
        try {
            session_.emplace(options_.target, 10s);
            auto *raw = session_->raw();
            options_.log(fmt::format("forwarder: connected to the guest ({}, {})",
                                     ssh_get_cipher_out(raw), ssh_get_hmac_out(raw)));
            return true;
        } catch (const Error &e) {
            options_.log(std::string("forwarder: ") + e.what() + "; retrying");
            streams_.clear();
            std::this_thread::sleep_for(1s);
            return false;
        }
    }

    void drop_session() {
        options_.log("forwarder: lost the guest; reconnecting");
        streams_.clear();
        spare_.reset();
        session_.reset();
    }

    GuestChannel open_channel() {
        GuestChannel channel{{ssh_channel_new(session_->raw()), {}}};
        advance_open(channel);
        return channel;
    }

    // Sends the open request or takes its answer, whichever is due.
    void advance_open(GuestChannel &channel) {
        if (channel.state != GuestChannel::opening)
            return;
        auto *session = session_->raw();
        int rc = SSH_ERROR;
        if (channel.get()) {
            ssh_set_blocking(session, 0);
            rc = ssh_channel_open_forward_unix(channel.get(), options_.guest_socket.c_str(),
                                               "127.0.0.1", 0);
            ssh_set_blocking(session, 1);
            ssh_blocking_flush(session, 1000); // the request itself must not wait in a buffer
        }
        if (rc == SSH_AGAIN)
            return;
        channel.state = rc == SSH_OK ? GuestChannel::open : GuestChannel::refused;
        if (rc != SSH_OK)
            options_.log(fmt::format("forwarder: cannot reach {} in the guest: {}",
                                     options_.guest_socket, ssh_get_error(session)));
    }

    void accept_clients(platform::UnixListener &listener) {
        for (;;) {
            auto client = listener.accept(platform::Clock::now());
            if (!client)
                return;
            last_client_ = platform::Clock::now();
            Stream stream;
            stream.client = std::move(client);
            if (spare_ && spare_->usable())
                stream.channel = std::move(*spare_);
            else
                stream.channel = open_channel();
            spare_.reset();
            streams_.push_back(std::move(stream));
        }
    }

    // Keeps one channel opened ahead while clients come, and none after.
    void tend_spare() {
        bool warm = platform::Clock::now() - last_client_ < warm_for;
        if (spare_)
            advance_open(*spare_);
        if (spare_ && spare_->state == GuestChannel::refused)
            last_client_ = {}; // try again with the next client, not in a loop
        if (spare_ && spare_->state == GuestChannel::open)
            ssh_channel_poll(spare_->get(), 0); // takes in an EOF, should the guest's end close
        if (spare_ && spare_->state != GuestChannel::opening && (!warm || !spare_->usable()))
            spare_.reset();
        if (!spare_ && warm && last_client_ != platform::Clock::time_point{})
            spare_ = open_channel();
    }

    // Moves what the guest sent into the stream's buffer, within its limit.
    void pull(Stream &s) {
        char buffer[chunk];
        while (!s.guest_done && s.to_client.size() < buffer_limit) {
            int n = ssh_channel_read_nonblocking(
                s.channel.get(), buffer,
                uint32_t(std::min(chunk, buffer_limit - s.to_client.size())), 0);
            if (n == SSH_ERROR) {
                s.failed = true;
                return;
            }
            if (n > 0) {
                s.to_client.append(buffer, std::size_t(n));
                continue;
            }
            if (ssh_channel_is_eof(s.channel.get()) || ssh_channel_is_closed(s.channel.get()))
                s.guest_done = true;
            return;
        }
    }

    void push(Stream &s) {
        while (!s.to_client.empty()) {
            auto sent =
                platform::send_available(s.client.get(), s.to_client.data(), s.to_client.size());
            if (!sent) {
                s.failed = true;
                return;
            }
            if (*sent == 0)
                return; // the client's socket is full
            s.to_client.erase(0, *sent);
        }
        if (s.guest_done && !s.client_shut) {
            platform::shutdown_sending(s.client.get()); // the client still may send
            s.client_shut = true;
        }
    }

    void read_client(Stream &s) {
        char buffer[chunk];
        auto room = std::min<std::size_t>(chunk, ssh_channel_window_size(s.channel.get()));
        if (room == 0)
            return;
        auto n = platform::receive_available(s.client.get(), buffer, room);
        if (!n)
            return;
        if (*n == 0) {
            s.client_done = true;
            ssh_channel_send_eof(s.channel.get());
            return;
        }
        if (ssh_channel_write(s.channel.get(), buffer, uint32_t(*n)) != int(*n))
            s.failed = true;
    }

    void step() {
        for (auto &s : streams_) {
            advance_open(s.channel); // a refused stream ends: closing the client tells it
            if (s.channel.state != GuestChannel::open)
                continue;
            pull(s);
            push(s);
        }
        streams_.remove_if([](const Stream &s) { return s.finished(); });
        if (!ssh_is_connected(session_->raw()))
            return drop_session();
        tend_spare();

        std::vector<platform::Watch> watches{
            {.fd = int(ssh_get_fd(session_->raw())), .read = true}};
        for (auto *listener : listeners_)
            watches.push_back({.fd = listener->fd(), .read = true});
        bool pending = false;
        for (auto &s : streams_) {
            bool open = s.channel.state == GuestChannel::open;
            watches.push_back(
                {.fd = s.client.get(),
                 .read = open && !s.client_done && ssh_channel_window_size(s.channel.get()) > 0,
                 .write = !s.to_client.empty()});
            // Data libssh already holds will not make its socket readable again.
            if (open && !s.guest_done && s.to_client.size() < buffer_limit &&
                ssh_channel_poll(s.channel.get(), 0) != 0)
                pending = true;
        }
        platform::wait_ready(watches, pending ? 0ms : 1000ms);
        for (std::size_t i = 0; i < listeners_.size(); ++i)
            if (watches[1 + i].readable)
                accept_clients(*listeners_[i]);
        auto watch = watches.begin() + 1 + std::ptrdiff_t(listeners_.size());
        for (auto &s : streams_) {
            if (watch == watches.end())
                break;
            if (s.channel.state == GuestChannel::open && watch->readable)
                read_client(s);
            ++watch;
        }
    }

    const ForwarderOptions &options_;
    std::vector<platform::UnixListener *> listeners_;
    std::optional<SshSession> session_;
    std::list<Stream> streams_;
    std::optional<GuestChannel> spare_;
    platform::Clock::time_point last_client_{};
};

} // namespace

void run_forwarder(const ForwarderOptions &options) {
    platform::catch_stop_signals();
    platform::UnixListener listener(options.listen);
    std::optional<platform::UnixListener> quiet;
    if (!options.quiet_listen.empty())
        quiet.emplace(options.quiet_listen);
    int quiet_fd = quiet ? quiet->fd() : -1;
    // Windows: the docker CLI's default transport, relayed to that socket. POSIX: nothing.
    platform::ApiPipe pipe(options.machine, options.listen, options.log);
    auto keep_going = [&] { return !platform::stop_requested() && options.machine_running(); };
    if (options.connect_agent && forward_over_mux(options, listener.fd(), quiet_fd, keep_going))
        return;
    // A machine without SSH (WSL) has machine-mux alone: an agent slow to answer is asked again.
    if (options.target.host.empty()) {
        while (options.connect_agent && keep_going()) {
            options.log("forwarder: this machine has no SSH; asking its agent again");
            if (forward_over_mux(options, listener.fd(), quiet_fd, keep_going))
                return;
        }
        return;
    }
    options.on_ssh();
    std::vector<platform::UnixListener *> listeners{&listener};
    if (quiet)
        listeners.push_back(&*quiet);
    Loop(options, listeners).run();
}

} // namespace machine
