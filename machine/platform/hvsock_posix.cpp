// Hyper-V sockets exist only on a Windows host: here every call says so.
#include "machine/errors.h"
#include "platform/hvsock.h"

namespace machine::platform {

namespace {

class NoHvsock : public Hvsock {
public:
    std::unique_ptr<HvsockListener> listen(const std::string &, const std::string &) override {
        refuse();
    }
    Fd connect(const std::string &, const std::string &) override { refuse(); }

private:
    [[noreturn]] static void refuse() {
        throw HostNotReady("Hyper-V machines run only on Windows",
                           "use another provider here, e.g. --provider qemu");
    }
};

} // namespace

Hvsock &host_hvsock() {
    static NoHvsock hvsock;
    return hvsock;
}

} // namespace machine::platform
