#include "providers/libvirt/libvirt_events.h"

#include "providers/libvirt/libvirt_api.h"

#include <chrono>
#include <mutex>
#include <thread>

namespace machine {

void start_libvirt_events() {
    static std::once_flag started;
    std::call_once(started, [] {
        if (libvirt_api().virEventRegisterDefaultImpl() < 0)
            return; // then no stream can be watched: open_channel says so
        std::thread([run = libvirt_api().virEventRunDefaultImpl] {
            for (;;)
                if (run() < 0) // not expected; never a busy loop
                    std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }).detach();
    });
}

} // namespace machine
