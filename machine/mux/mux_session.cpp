#include "mux_session.h"

#include "machine/platform/link_io.h"

#include <algorithm>
#include <vector>

namespace machine::mux {

namespace {

namespace io = platform::link_io;

constexpr std::size_t read_chunk = 65536;
// Local sockets are read only while less than this waits for the link: the link is shared, so a
// full one is backpressure for every stream alike, and memory stays bounded.
constexpr std::size_t link_backlog = 1024 * 1024;
// Where the listeners start among the polled fds: after the link's two, the listeners' change,
// the VM's resumes and the changed files.
constexpr std::size_t listeners_at = 5;

std::size_t bytes_in(const std::deque<std::string> &datagrams) {
    std::size_t bytes = 0;
    for (const auto &datagram : datagrams)
        bytes += datagram.size();
    return bytes;
}

} // namespace

Session::Session(int link, EndpointOptions options) : Session(link, link, std::move(options)) {}

Session::Session(int link_in, int link_out, EndpointOptions options)
    : link_in_(link_in), link_out_(link_out), options_(std::move(options)),
      resumes_(options_.resumes) {
    if (!options_.log)
        options_.log = [](const std::string &) {};
    io::make_nonblocking(link_in_);
    io::make_nonblocking(link_out_);
    queue(our_hello(true));
    refresh_listeners();
}

Session::~Session() {
    drop_all();
    io::close(link_in_);
    if (link_out_ != link_in_)
        io::close(link_out_);
}

void Session::queue(const Frame &frame) {
    out_ += encode(frame);
}

void Session::run(const std::function<bool()> &keep_going) {
    std::vector<io::Polled> fds;
    std::vector<std::uint32_t> ids;
    while (keep_going()) {
        fds.clear();
        ids.clear();
        // One fd both ways, or two; a writing side with nothing to write stays out.
        bool one_fd = link_in_ == link_out_;
        short out_events = out_.empty() ? 0 : io::writable;
        fds.push_back({link_in_, short(io::readable | (one_fd ? out_events : 0)), 0});
        fds.push_back({one_fd || !out_events ? -1 : link_out_, out_events, 0});
        fds.push_back({options_.listeners_changed, io::readable, 0});
        fds.push_back({resumes_, io::readable, 0});
        fds.push_back({options_.changed_files, io::readable, 0});
        for (const auto &listener : listeners_) // clients wait until the peer said HELLO
            fds.push_back({peer_ready_ ? listener.fd : -1, io::readable, 0});
        auto first_stream = fds.size();
        for (auto &[id, stream] : streams_) {
            short events = 0;
            if (!stream.local_eof && stream.send_credit > 0 && out_.size() < link_backlog)
                events |= io::readable;
            if (!stream.to_local.empty() || !stream.datagrams.empty())
                events |= io::writable;
            // An fd with nothing wanted stays out: its POLLHUP would wake us forever.
            fds.push_back({events ? stream.fd : -1, events, 0});
            ids.push_back(id);
        }
        // A paused VM's link is quiet: a client, QEMU's end going, or a signal still wake us.
        auto waited = io::wait(fds, options_.paused() ? 60000 : 1000);
        if (waited == io::Wait::interrupted)
            continue;
        if (waited == io::Wait::failed) {
            options_.log("mux: poll failed");
            return;
        }
        if (fds[0].revents & (io::readable | io::hung_up | io::failed))
            if (!read_link())
                return;
        auto listening = listeners_; // a frame read above cannot change it; a refresh can
        for (std::size_t i = 0; i < listening.size(); ++i)
            if (fds[i + listeners_at].revents & io::readable) {
                if (listening[i].datagram)
                    receive_datagram(listening[i]);
                else
                    accept_client(listening[i]);
            }
        if (fds[2].revents & io::readable)
            refresh_listeners();
        if (fds[3].revents & (io::readable | io::hung_up | io::failed)) {
            auto said = options_.drain_resumes();
            if (said == Resumes::resumed)
                send_clock();
            else if (said == Resumes::ended)
                resumes_ = -1;
        }
        if (fds[4].revents & io::readable)
            send_changed_files();
        keep_clock();
        for (std::size_t i = 0; i < ids.size(); ++i) {
            auto found = streams_.find(ids[i]);
            if (found == streams_.end() || fds[i + first_stream].fd < 0)
                continue; // closed by a frame read above
            auto revents = fds[i + first_stream].revents;
            if (revents & (io::writable | io::failed))
                write_local(found->first, found->second);
            found = streams_.find(ids[i]);
            if (found != streams_.end() && (revents & (io::readable | io::hung_up | io::failed)) &&
                !found->second.local_eof)
                read_local(found->first, found->second);
        }
        expire_idle_datagrams();
        if (!out_.empty() && !write_link())
            return;
    }
}

void Session::refresh_listeners() {
    std::vector<Listener> now;
    if (options_.listener >= 0)
        now.push_back({options_.listener, "podman", false});
    if (options_.quiet_listener >= 0)
        now.push_back({options_.quiet_listener, "podman", false, true});
    if (options_.listeners)
        for (auto &listener : options_.listeners())
            now.push_back(std::move(listener));
    // A UDP stream goes with its socket (its port is no longer published).
    std::vector<std::uint32_t> orphaned;
    for (const auto &entry : streams_) {
        auto socket = entry.second.listener;
        if (socket >= 0 &&
            std::none_of(now.begin(), now.end(), [&](const Listener &l) { return l.fd == socket; }))
            orphaned.push_back(entry.first);
    }
    for (auto id : orphaned)
        close_stream(id, "the port is no longer published");
    listeners_ = std::move(now);
}

void Session::expire_idle_datagrams() {
    auto now = std::chrono::steady_clock::now();
    std::vector<std::uint32_t> idle;
    for (const auto &[id, stream] : streams_)
        if (stream.datagram && now - stream.used > datagram_idle)
            idle.push_back(id);
    for (auto id : idle)
        close_stream(id, "idle");
}

bool Session::read_link() {
    char buffer[read_chunk];
    auto n = io::read(link_in_, buffer, sizeof buffer);
    if (n < 0 && io::would_block())
        return true;
    if (n <= 0) {
        options_.log(n == 0 ? "mux: the link ended" : "mux: the link failed");
        return false;
    }
    reader_.feed(std::string_view(buffer, std::size_t(n)));
    for (;;) {
        try {
            auto frame = reader_.next();
            if (!frame)
                return true;
            handle(std::move(*frame));
        } catch (const ProtocolError &error) {
            // Start over, both ends: ours drops its streams and asks the other to do the same;
            // its answer is the HELLO our reader resynchronises on.
            options_.log(std::string("mux: protocol error, starting over: ") + error.what());
            drop_all();
            next_id_ = 1;
            peer_ready_ = false;
            queue(our_hello(true));
        }
    }
}

bool Session::write_link() {
    while (!out_.empty()) {
        auto n = io::write(link_out_, out_.data(), out_.size());
        if (n < 0 && io::would_block())
            return true;
        if (n <= 0) {
            options_.log("mux: cannot write to the link");
            return false;
        }
        out_.erase(0, std::size_t(n));
    }
    return true;
}

void Session::handle(Frame frame) {
    auto found = streams_.find(frame.stream);
    switch (frame.type) {
    case FrameType::hello:
        peer_ready_ = true;
        peer_takes_ = takes(frame);
        if (reply_wanted(frame)) { // the other end (re)started: a new session
            drop_all();
            next_id_ = 1;
            queue(our_hello(false));
        } // else it answers ours, having dropped its streams then: ours opened since are valid
        send_clock(); // a guest restored from a saved state, or just booted, is behind
        return;
    case FrameType::time:
        if (options_.set_clock)
            options_.set_clock(time_of(frame));
        return;
    case FrameType::changed:
        if (options_.file_changed)
            options_.file_changed(frame.payload);
        return;
    case FrameType::open: {
        if (!options_.connect || found != streams_.end() || frame.stream < next_id_)
            throw ProtocolError("an OPEN this end does not take");
        next_id_ = frame.stream + 1;
        std::string error;
        int fd = options_.connect(frame.payload, error);
        if (fd < 0) {
            queue({FrameType::close, frame.stream, error.substr(0, 1024)});
            return;
        }
        io::make_nonblocking(fd);
        auto &stream = streams_[frame.stream];
        stream.fd = fd;
        stream.datagram = frame.payload.rfind("udp:", 0) == 0;
        return;
    }
    case FrameType::data: {
        if (found == streams_.end())
            return; // we closed it; the peer had not seen our CLOSE yet
        auto &stream = found->second;
        auto waiting = stream.datagram ? bytes_in(stream.datagrams) : stream.to_local.size();
        if (stream.peer_eof || waiting + frame.payload.size() > initial_credit)
            throw ProtocolError("DATA beyond the credit given");
        if (!stream.datagram) {
            stream.to_local += frame.payload;
            return;
        }
        stream.used = std::chrono::steady_clock::now();
        stream.datagrams.push_back(std::move(frame.payload));
        if (stream.fd < 0) // a host UDP stream: its socket takes datagrams at once
            send_datagrams(found->first, stream);
        return;
    }
    case FrameType::credit:
        if (found != streams_.end()) {
            auto more = std::uint64_t(found->second.send_credit) + credit_of(frame);
            if (more > initial_credit)
                throw ProtocolError("CREDIT beyond what was sent");
            found->second.send_credit = std::uint32_t(more);
        }
        return;
    case FrameType::eof:
        if (found != streams_.end()) {
            found->second.peer_eof = true;
            write_local(found->first, found->second); // shuts down at once if nothing waits
        }
        return;
    case FrameType::close:
        if (found != streams_.end()) {
            if (found->second.fd >= 0)
                io::close(found->second.fd);
            streams_.erase(found);
        }
        return;
    }
}

std::size_t Session::busy_streams() const {
    return std::size_t(std::count_if(streams_.begin(), streams_.end(),
                                     [](const auto &entry) { return !entry.second.quiet; }));
}

void Session::wake(const Listener &listener) {
    if (!listener.quiet && options_.wake && options_.wake())
        send_clock(); // before the client's OPEN: the guest's clock stood still
}

void Session::accept_client(const Listener &listener) {
    int fd = io::accept(listener.fd);
    if (fd < 0)
        return;
    wake(listener);
    auto id = next_id_++;
    auto &stream = streams_[id];
    stream.fd = fd;
    stream.quiet = listener.quiet;
    queue({FrameType::open, id, listener.target});
}

void Session::receive_datagram(const Listener &listener) {
    std::string datagram(read_chunk, '\0');
    std::string peer; // the sender's address (sockaddr)
    auto n = io::receive_from(listener.fd, datagram.data(), datagram.size(), peer);
    if (n < 0)
        return;
    datagram.resize(std::size_t(n));
    wake(listener);
    auto found = std::find_if(streams_.begin(), streams_.end(), [&](const auto &entry) {
        return entry.second.listener == listener.fd && entry.second.peer == peer;
    });
    if (found == streams_.end()) { // a new sender: a stream of its own
        auto id = next_id_++;
        found = streams_.emplace(id, Stream{}).first;
        found->second.datagram = true;
        found->second.listener = listener.fd;
        found->second.peer = peer;
        queue({FrameType::open, id, listener.target});
    }
    auto &stream = found->second;
    stream.used = std::chrono::steady_clock::now();
    if (datagram.size() > stream.send_credit || out_.size() >= link_backlog)
        return; // dropped, as a full UDP buffer would
    stream.send_credit -= std::uint32_t(datagram.size());
    queue({FrameType::data, found->first, std::move(datagram)});
}

void Session::send_datagrams(std::uint32_t id, Stream &stream) {
    while (!stream.datagrams.empty()) {
        const auto &datagram = stream.datagrams.front();
        std::ptrdiff_t n;
        if (stream.fd >= 0)
            n = io::send(stream.fd, datagram.data(), datagram.size());
        else
            n = io::send_to(stream.listener, datagram.data(), datagram.size(), stream.peer);
        if (n < 0 && io::would_block())
            return;
        // Sent, or refused (nobody listens yet): either way it is gone, as UDP goes.
        queue(credit(id, std::uint32_t(datagram.size())));
        stream.datagrams.pop_front();
    }
}

void Session::read_local(std::uint32_t id, Stream &stream) {
    if (stream.datagram) { // guest UDP: one datagram, whole or not at all
        std::string datagram(read_chunk, '\0');
        auto n = io::receive(stream.fd, datagram.data(), datagram.size());
        if (n < 0 || std::size_t(n) > stream.send_credit || out_.size() >= link_backlog)
            return; // nothing, a refusal (ICMP), or dropped for want of room
        datagram.resize(std::size_t(n));
        stream.used = std::chrono::steady_clock::now();
        stream.send_credit -= std::uint32_t(n);
        queue({FrameType::data, id, std::move(datagram)});
        return;
    }
    std::string buffer(std::min<std::size_t>(stream.send_credit, read_chunk), '\0');
    auto n = io::read(stream.fd, buffer.data(), buffer.size());
    if (n < 0 && io::would_block())
        return;
    if (n < 0) {
        close_stream(id, "the local connection failed");
        return;
    }
    if (n == 0) {
        stream.local_eof = true;
        queue({FrameType::eof, id, {}});
    } else {
        buffer.resize(std::size_t(n));
        stream.send_credit -= std::uint32_t(n);
        queue({FrameType::data, id, std::move(buffer)});
    }
    if (stream.local_eof && stream.peer_eof && stream.to_local.empty()) {
        io::close(stream.fd);
        streams_.erase(id); // finished both ways
    }
}

void Session::write_local(std::uint32_t id, Stream &stream) {
    if (stream.datagram)
        return send_datagrams(id, stream);
    while (!stream.to_local.empty()) {
        auto n = io::send(stream.fd, stream.to_local.data(), stream.to_local.size());
        if (n < 0 && io::would_block())
            break;
        if (n < 0) {
            close_stream(id, "the local connection closed");
            return;
        }
        stream.to_local.erase(0, std::size_t(n));
        queue(credit(id, std::uint32_t(n)));
    }
    if (stream.to_local.empty() && stream.peer_eof && !stream.local_shut) {
        io::shutdown_sending(stream.fd);
        stream.local_shut = true;
    }
    if (stream.local_eof && stream.local_shut) {
        io::close(stream.fd);
        streams_.erase(id); // finished both ways
    }
}

void Session::close_stream(std::uint32_t id, const std::string &reason) {
    auto found = streams_.find(id);
    if (found == streams_.end())
        return;
    if (found->second.fd >= 0)
        io::close(found->second.fd);
    streams_.erase(found);
    queue({FrameType::close, id, reason});
}

Frame Session::our_hello(bool reply_wanted) const {
    return hello(reply_wanted,
                 {.time = bool(options_.set_clock), .changes = bool(options_.file_changed)});
}

// Drained even when the peer takes none (an old agent): the fd must not stay readable.
void Session::send_changed_files() {
    auto paths = options_.drain_changed_files();
    if (!peer_ready_ || !peer_takes_.changes)
        return;
    for (const auto &path : paths)
        if (!path.empty() && path[0] == '/' && path.size() <= max_payload)
            queue(changed_frame(path));
}

void Session::send_clock() {
    if (!options_.host_clock || !peer_ready_ || !peer_takes_.time)
        return;
    queue(time_frame(options_.host_clock()));
    clock_sent_ = std::chrono::steady_clock::now();
}

// Called at least once a second: the minute's resend, and a wall-clock jump, seen as the wall
// clock moving by more than the steady clock did (which stands still while the host sleeps).
void Session::keep_clock() {
    if (!options_.host_clock || options_.paused())
        return;
    auto steady = std::chrono::steady_clock::now();
    auto wall = std::chrono::system_clock::now();
    auto gap = (wall - looked_wall_) - (steady - looked_steady_);
    looked_steady_ = steady;
    looked_wall_ = wall;
    if (gap > std::chrono::seconds(1) || gap < -std::chrono::seconds(1) ||
        steady - clock_sent_ >= clock_interval)
        send_clock();
}

void Session::drop_all() {
    for (auto &[id, stream] : streams_)
        if (stream.fd >= 0)
            io::close(stream.fd);
    streams_.clear();
}

} // namespace machine::mux
