#pragma once
// libvirt's own event loop, run on a thread of its own for the life of the process: it watches
// the connections' sockets and calls the stream callbacks a channel relays with
// (libvirt_channel.cpp). libvirt wants it registered before the first connection opens.
namespace machine {

// Once per process; later calls return at once.
void start_libvirt_events();

} // namespace machine
