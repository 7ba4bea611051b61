#include "machine/mux_forwarder.h"

#include "machine/errors.h"
#include "machine/idle_pause.h"
#include "machine/mux/mux_session.h"
#include "machine/mux_ports.h"
#include "machine/shared_folder_changes.h"
#include "platform/unix_socket.h"

#include <optional>
#include <thread>

namespace machine {

namespace {

using namespace std::chrono_literals;

// How long a guest may take to answer the first HELLO before it counts as having no agent.
constexpr auto first_answer = 20s;

// The VM's events for one session, or nullptr: the clock then still goes at each HELLO and every
// minute.
std::unique_ptr<VmEvents> watch_events(const ForwarderOptions &options) {
    if (!options.watch_events)
        return nullptr;
    try {
        return options.watch_events();
    } catch (const Error &error) {
        options.log(std::string("forwarder: not watching the VM's pauses: ") + error.what());
        return nullptr;
    }
}

mux::Resumes drain_resumes(VmEvents &events, const ForwarderOptions &options) {
    try {
        return events.resumed() ? mux::Resumes::resumed : mux::Resumes::none;
    } catch (const Error &error) {
        options.log(std::string("forwarder: the VM's events ended: ") + error.what());
        return mux::Resumes::ended;
    }
}

} // namespace

bool forward_over_mux(const ForwarderOptions &options, int listener, int quiet_listener,
                      const std::function<bool()> &keep_going) {
    bool answered = false;
    auto began = platform::Clock::now();
    while (keep_going()) {
        bool gave_up = false;
        try {
            mux::EndpointOptions endpoint;
            endpoint.listener = listener;
            endpoint.quiet_listener = quiet_listener;
            endpoint.log = options.log;
            if (options.mux_ports) {
                endpoint.listeners = [&] { return options.mux_ports->listeners(); };
                endpoint.listeners_changed = options.mux_ports->changed_fd();
            }
            if (options.folder_changes) {
                endpoint.changed_files = options.folder_changes->ready_fd();
                endpoint.drain_changed_files = [&] { return options.folder_changes->drain(); };
            }
            auto events = watch_events(options);
            std::optional<IdlePause> idle;
            if (events) {
                endpoint.resumes = events->fd();
                endpoint.drain_resumes = [&] { return drain_resumes(*events, options); };
                if (options.idle_pause.count() > 0) {
                    idle.emplace(
                        IdlePauseOptions{options.idle_pause, options.held_awake, options.log},
                        *events);
                    endpoint.wake = [&] { return idle->wake(); };
                    endpoint.paused = [&] { return idle->paused(); };
                }
            }
            endpoint.host_clock = [] {
                auto now = std::chrono::system_clock::now().time_since_epoch();
                return std::int64_t(std::chrono::nanoseconds(now).count());
            };
            mux::Session session(options.connect_agent().release(), endpoint);
            session.run([&] {
                if (session.peer_ready() && !answered) {
                    options.log("forwarder: the guest agent answered; forwarding over machine-mux");
                    answered = true;
                }
                if (idle && session.peer_ready())
                    idle->look(session.busy_streams());
                gave_up = !answered && platform::Clock::now() - began > first_answer;
                return !gave_up && keep_going();
            });
        } catch (const SystemError &error) {
            options.log(std::string("forwarder: ") + error.what());
            gave_up = !answered && platform::Clock::now() - began > first_answer;
        }
        if (gave_up) {
            options.log("forwarder: no answer on the machine-mux port; forwarding over SSH");
            return false;
        }
        if (keep_going()) {
            options.log("forwarder: the machine-mux link ended; reconnecting");
            std::this_thread::sleep_for(500ms);
        }
    }
    return true;
}

} // namespace machine
