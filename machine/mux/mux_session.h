#pragma once
// One end of a machine-mux link (docs/mux-protocol.md): the streams with their credit and
// buffers, in one poll() loop over the link and every stream's local socket. The host end
// accepts clients on a listening socket and opens a stream for each; the guest end connects each
// opened stream to its target. Single-threaded, no busy polling, memory bounded by credit.
#include "mux_frame.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace machine::mux {

struct EndpointOptions {
    // Host: the listening socket whose clients become streams (opened once the peer said HELLO).
    int listener = -1;
    // Guest: a connected socket for an OPEN's target, or -1 with `error` set.
    std::function<int(const std::string &target, std::string &error)> connect;
    std::function<void(const std::string &)> log = [](const std::string &) {};
};

class Session {
public:
    // `link` is the byte channel to the other end; the session makes it non-blocking, sends
    // HELLO (reply wanted), and closes it when destroyed. Fds stay the caller's except streams'.
    Session(int link, EndpointOptions options);
    ~Session();
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    // Runs until the link ends or fails (returns), or `keep_going` says false (checked at least
    // once a second).
    void run(const std::function<bool()> &keep_going);

    // For tests and logs.
    std::size_t stream_count() const { return streams_.size(); }
    bool peer_ready() const { return peer_ready_; }

private:
    struct Stream {
        int fd = -1;
        std::uint32_t send_credit = initial_credit; // what we may still send to the peer
        std::string to_local;                       // received, not yet written to fd
        bool local_eof = false;                     // fd's reading side ended; EOF queued
        bool peer_eof = false;                      // the peer sent EOF
        bool local_shut = false;                    // we shut fd's writing side down
    };

    void queue(const Frame &frame);
    bool read_link();  // false: the link ended
    bool write_link(); // false: the link failed
    void handle(Frame frame);
    void accept_client();
    void read_local(std::uint32_t id, Stream &stream);
    void write_local(std::uint32_t id, Stream &stream);
    void close_stream(std::uint32_t id, const std::string &reason);
    void drop_all();

    int link_;
    EndpointOptions options_;
    FrameReader reader_;
    std::string out_; // encoded frames for the link
    std::map<std::uint32_t, Stream> streams_;
    std::uint32_t next_id_ = 1;
    bool peer_ready_ = false;
};

} // namespace machine::mux
