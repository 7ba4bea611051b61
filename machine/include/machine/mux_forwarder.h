#pragma once
// The fast transport of the API forwarder: the host end of machine-mux (docs/mux-protocol.md) on
// the socket QEMU serves for the guest agent's virtio-serial port. The forwarder's listening
// socket is shared: clients wait in its backlog until the agent has said HELLO.
#include "machine/api_forwarder.h"

#include <functional>

namespace machine {

// Serves clients of `listener` (and of `quiet_listener`, -1 for none) over machine-mux,
// reconnecting whenever the link ends, until `keep_going` says false: then true. False at once
// when the guest never answers (an image without our agent): the caller falls back to SSH.
bool forward_over_mux(const ForwarderOptions &options, int listener, int quiet_listener,
                      const std::function<bool()> &keep_going);

} // namespace machine
