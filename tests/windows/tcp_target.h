#pragma once
// A TCP server on 127.0.0.1 that stands in for the forwarder's unix socket as the relay's target
// (Wine 8 has no AF_UNIX). Each connection is served on a thread of its own.
#include "platform/interruptible_io.h"
#include "platform/windows_handle.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <thread>

namespace machine::platform {

// One connection, seen from the target.
class Conversation {
public:
    Conversation(SOCKET socket, HANDLE stop) : socket_(socket), io_({stop}) {}
    // The next bytes that arrive; empty once the relay closed its sending side (or on stop).
    std::string receive();
    bool send(const std::string &data);
    void end_sending() { shutdown(socket_, SD_SEND); }

private:
    SOCKET socket_;
    InterruptibleIo io_;
};

class TcpTarget {
public:
    explicit TcpTarget(std::function<void(Conversation &)> serve);
    // Ends every conversation's waits and joins its thread.
    ~TcpTarget();

    // What the relay calls for each client.
    WinSocket connect() const;
    int connections() const { return connections_; }
    int ended();
    // True once every connection so far has ended (the relay closed its socket, or half-closed
    // it and the target answered), false if one is still open after `timeout`.
    bool all_ended_within(std::chrono::milliseconds timeout);

private:
    void accept_connections();

    WinsockUser winsock_;
    std::function<void(Conversation &)> serve_;
    WinSocket listener_;
    int port_ = 0;
    WinHandle stop_;
    std::atomic<bool> stopping_ = false;
    std::atomic<int> connections_ = 0;
    std::mutex mutex_;
    std::condition_variable ended_changed_;
    int ended_ = 0;
    std::list<std::jthread> conversations_; // only the acceptor touches it until it is joined
    std::thread acceptor_;
};

} // namespace machine::platform
