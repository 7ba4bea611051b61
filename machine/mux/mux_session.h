#pragma once
// One end of a machine-mux link (docs/mux-protocol.md): the streams with their credit and
// buffers, in one poll() loop over the link and every stream's local socket. The host end
// accepts clients on listening sockets (the API's, and a published port's TCP or UDP) and opens a
// stream to the listener's target for each; the guest end connects each opened stream to its
// target. Single-threaded, no busy polling, memory bounded by credit.
#include "mux_frame.h"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace machine::mux {

// Host: a socket whose clients become streams to `target`: a listening TCP or unix socket (each
// accepted connection), or a bound UDP socket (each sender's address; one datagram a DATA frame).
struct Listener {
    int fd = -1;
    std::string target; // "podman", "tcp:8080", "udp:5353"
    bool datagram = false;
    bool quiet = false; // its clients neither wake a paused VM nor keep one from pausing
};

// A UDP stream nobody used for this long is closed (UDP has no end of its own).
inline constexpr std::chrono::seconds datagram_idle{60};

// What the host's watch on the VM had to say: it ran again after a pause, nothing of note, or the
// watch is over (no longer polled).
enum class Resumes { resumed, none, ended };

struct EndpointOptions {
    // Host: the listening socket whose clients become streams (opened once the peer said HELLO).
    int listener = -1;
    // Host: one more to the same target, for the forwarder's own client (its port watcher): a
    // quiet listener (Listener::quiet).
    int quiet_listener = -1;
    // Host, for the idle pause: called as a client that is not quiet comes, before its stream is
    // opened; runs a paused VM on, and says whether it was paused (its clock is then set). And
    // whether the VM is paused now: no TIME is sent then (it would be stale when read).
    std::function<bool()> wake;
    std::function<bool()> paused = [] { return false; };
    // Guest: a connected socket for an OPEN's target ("udp:" ones a connected UDP socket, whose
    // datagrams each DATA frame carries one of), or -1 with `error` set.
    std::function<int(const std::string &target, std::string &error)> connect;
    std::function<void(const std::string &)> log = [](const std::string &) {};
    // Host: more listeners (published ports), asked again whenever `listeners_changed` turns
    // readable; the function drains it. Fds stay the caller's: it closes one only after the call
    // that no longer lists it.
    std::function<std::vector<Listener>()> listeners;
    int listeners_changed = -1;
    // Host: the host's clock (nanoseconds since the epoch), sent to a guest that takes TIME when
    // it says HELLO, every minute, when the host's wall clock jumps (the host slept or was set),
    // and when `resumes` turns readable (the VM ran again after a pause: its clock stood still);
    // `drain_resumes` empties that fd. Unset: no TIME is sent.
    std::function<std::int64_t()> host_clock;
    int resumes = -1;
    std::function<Resumes()> drain_resumes = [] { return Resumes::ended; };
    // Guest: sets this end's clock from a TIME frame; when set, our HELLOs say we take TIME.
    std::function<void(std::int64_t)> set_clock;
    // Host: files written on the host in a shared folder, by their paths in the guest, each sent
    // as CHANGED to a guest that takes them (queued while the VM is paused: a change does not
    // wake it). `drain_changed_files` returns them and empties `changed_files`, the fd that turns
    // readable when there are some.
    int changed_files = -1;
    std::function<std::vector<std::string>()> drain_changed_files;
    // Guest: shows a CHANGED frame's file to the guest's watchers; when set, our HELLOs say we
    // take CHANGED.
    std::function<void(const std::string &guest_path)> file_changed;
};

// How often the host's time is sent when nothing else sends it.
inline constexpr std::chrono::seconds clock_interval{60};

class Session {
public:
    // `link` is the byte channel to the other end; the session makes it non-blocking, sends
    // HELLO (reply wanted), and closes it when destroyed. Fds stay the caller's except streams'.
    Session(int link, EndpointOptions options);
    // The same over a link whose two directions are two fds (a pipe each way: a process's stdin
    // and stdout); both are the session's.
    Session(int link_in, int link_out, EndpointOptions options);
    ~Session();
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    // Runs until the link ends or fails (returns), or `keep_going` says false (checked at least
    // once a second; while `paused` says so, once a minute).
    void run(const std::function<bool()> &keep_going);

    // For tests and logs.
    std::size_t stream_count() const { return streams_.size(); }
    // The streams of clients that are not quiet: while there is one, the VM is not idle.
    std::size_t busy_streams() const;
    bool peer_ready() const { return peer_ready_; }

private:
    struct Stream {
        int fd = -1; // -1 for a host UDP stream (it sends out of `listener`)
        std::uint32_t send_credit = initial_credit; // what we may still send to the peer
        std::string to_local;                       // received, not yet written to fd
        bool local_eof = false;                     // fd's reading side ended; EOF queued
        bool peer_eof = false;                      // the peer sent EOF
        bool local_shut = false;                    // we shut fd's writing side down
        bool datagram = false;                      // one datagram a DATA frame, both ways
        std::deque<std::string> datagrams;          // datagram: received, not yet sent on
        int listener = -1;                          // host UDP: the socket it sends out of
        std::string peer;                           // host UDP: the sender's address (sockaddr)
        bool quiet = false;                         // host: from a quiet listener
        std::chrono::steady_clock::time_point used = std::chrono::steady_clock::now();
    };

    void queue(const Frame &frame);
    bool read_link();  // false: the link ended
    bool write_link(); // false: the link failed
    void handle(Frame frame);
    void accept_client(const Listener &listener);
    void receive_datagram(const Listener &listener);
    void send_datagrams(std::uint32_t id, Stream &stream);
    void refresh_listeners();
    void expire_idle_datagrams();
    void read_local(std::uint32_t id, Stream &stream);
    void write_local(std::uint32_t id, Stream &stream);
    void close_stream(std::uint32_t id, const std::string &reason);
    void drop_all();
    void send_clock();
    void keep_clock();
    void wake(const Listener &listener);
    Frame our_hello(bool reply_wanted) const;
    void send_changed_files();

    int link_in_;
    int link_out_;
    EndpointOptions options_;
    FrameReader reader_;
    std::string out_; // encoded frames for the link
    std::map<std::uint32_t, Stream> streams_;
    std::uint32_t next_id_ = 1;
    bool peer_ready_ = false;
    Takes peer_takes_;
    int resumes_ = -1; // options_.resumes while the watch goes on
    // When the clock was last sent, and the two clocks at the last look (a jump shows as a gap).
    std::chrono::steady_clock::time_point clock_sent_;
    std::chrono::steady_clock::time_point looked_steady_ = std::chrono::steady_clock::now();
    std::chrono::system_clock::time_point looked_wall_ = std::chrono::system_clock::now();
    std::vector<Listener> listeners_; // the API's first, then the published ports'
};

} // namespace machine::mux
