#pragma once
// Following a container's logs through a forwarded API socket, as people do most: `docker logs
// -f` and docker-py's containers.run() (which follows the logs) and logs(follow=True).
#include <string>

namespace machine::test {

// Checks both clients against the machine whose API is forwarded to `socket`; a client that is
// not installed is skipped and recorded as such.
void check_logs_follow(const std::string &socket);

} // namespace machine::test
