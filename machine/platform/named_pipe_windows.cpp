#include "platform/named_pipe.h"

#include "machine/errors.h"
#include "platform/interruptible_io.h"
#include "platform/windows_error.h"

#include <list>

namespace machine::platform {

namespace {

constexpr DWORD buffer_size = 64 * 1024; // each way, as dockerd's pipe

} // namespace

PipeRelay::PipeRelay(std::string pipe_name, ConnectTarget connect_target, Log log)
    : pipe_name_(std::move(pipe_name)), connect_target_(std::move(connect_target)),
      log_(log ? std::move(log) : [](const std::string &) {}),
      stop_(CreateEventW(nullptr, TRUE, FALSE, nullptr)) {
    if (!stop_)
        throw_windows_error("cannot create an event", GetLastError());
    acceptor_ = std::thread(
        [this, first = create_instance(true)]() mutable { accept_clients(std::move(first)); });
}

PipeRelay::~PipeRelay() {
    SetEvent(stop_.get());
    acceptor_.join();
}

WinHandle PipeRelay::create_instance(bool first) {
    DWORD open_mode = PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED;
    if (first)
        open_mode |= FILE_FLAG_FIRST_PIPE_INSTANCE; // fails when the name is someone else's
    // Read in message mode to see a client's zero-length message (its CloseWrite).
    DWORD pipe_mode =
        PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS;
    WinHandle instance(CreateNamedPipeA(pipe_name_.c_str(), open_mode, pipe_mode,
                                        PIPE_UNLIMITED_INSTANCES, buffer_size, buffer_size, 0,
                                        security_.attributes()));
    DWORD error = instance ? 0 : GetLastError();
    // A check that does not rely on the flag (Wine, for one, ignores it): a first instance
    // is the only one.
    DWORD instances = 0;
    if (first && instance &&
        GetNamedPipeHandleStateA(instance.get(), nullptr, &instances, nullptr, nullptr, nullptr,
                                 0) &&
        instances > 1)
        error = ERROR_ACCESS_DENIED;
    if (first && (error == ERROR_ACCESS_DENIED || error == ERROR_PIPE_BUSY))
        throw HostNotReady("the named pipe " + pipe_name_ + " is already served by another program",
                           "find and stop the program that serves it, then try again");
    if (error != 0)
        throw_windows_error("cannot create the named pipe " + pipe_name_, error);
    return instance;
}

void PipeRelay::accept_clients(WinHandle waiting) {
    std::list<PipeConnection> connections; // joined when this function returns
    InterruptibleIo io({stop_.get()});
    for (;;) {
        auto connected = io.connect_client(waiting.get());
        if (connected.error == ERROR_OPERATION_ABORTED)
            return;
        WinHandle next;
        try {
            next = create_instance(false);
        } catch (const std::exception &error) {
            log_("named pipe " + pipe_name_ + ": " + error.what() +
                 "; no longer accepting clients");
        }
        // ERROR_NO_DATA: the client has come and gone already, but what it wrote is still there.
        bool client = connected.ok() || connected.error == ERROR_NO_DATA;
        if (!client)
            log_("named pipe " + pipe_name_ +
                 ": waiting for a client failed: " + windows_error_text(connected.error));
        try {
            if (client)
                connections.emplace_back(std::move(waiting), connect_target_, stop_.get(), log_);
        } catch (const std::exception &error) {
            log_("named pipe " + pipe_name_ + ": " + error.what());
        }
        if (!next) {
            WaitForSingleObject(stop_.get(), INFINITE); // the connections go on until then
            return;
        }
        waiting = std::move(next);
        connections.remove_if(
            [](const PipeConnection &connection) { return connection.finished(); });
    }
}

} // namespace machine::platform
