#pragma once
// What only a running domain's XML says: where libvirt put the host end of a virtio-serial
// channel.
#include <string>

namespace machine {

// The unix socket path of the channel whose target is named `port` ("org.machine.mux.0"), or ""
// when the XML has none. Reads libvirt's own formatting (single-quoted attributes).
std::string channel_socket(const std::string &live_xml, const std::string &port);

} // namespace machine
