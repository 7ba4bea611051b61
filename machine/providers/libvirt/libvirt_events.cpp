#include "providers/libvirt/libvirt_events.h"

#include "providers/libvirt/libvirt_api.h"

#include <mutex>
#include <thread>

namespace machine {

void start_libvirt_events() {
    static std::once_flag started;
    std::call_once(started, [] {
        if (libvirt_api().virEventRegisterDefaultImpl() < 0)
            return; // then streams are relayed by no one: open_channel says so
        std::thread([] {
            for (;;)
                libvirt_api().virEventRunDefaultImpl();
        }).detach();
    });
}

} // namespace machine
