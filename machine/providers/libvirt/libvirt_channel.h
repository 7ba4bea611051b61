#pragma once
// A virtio-serial channel of a running domain, reached through libvirt itself
// (virDomainOpenChannel) rather than its unix socket: on a remote host only libvirt-qemu may open
// that socket, while libvirtd relays the channel to any client that may manage the domain, over
// the connection it already has (qemu+ssh: the same SSH session).
#include "platform/unix_socket.h"
#include "providers/libvirt/libvirt_connection.h"

#include <string>

namespace machine {

// A stream to `port` of `domain`: one end of a socket pair whose other end two threads relay to
// and from libvirt's stream; they own `connection` and end with the stream or with the returned
// socket. The channel has one reader at a time: this takes it over from a previous one (a killed
// forwarder's). Throws Error when libvirt refuses (the domain is not running).
platform::Fd open_channel(LibvirtConnection connection, const std::string &domain,
                          const std::string &port);

} // namespace machine
