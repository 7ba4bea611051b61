#pragma once
// vfkit's and krunkit's command-line grammar, as their sources parse it (crc-org/vfkit
// pkg/cmdline, pkg/config; containers/krunkit src/cmdline.rs, src/virtio.rs), for the fake
// hypervisor: every flag, device and option they know is taken, anything else is refused with
// their complaint, so the provider's argv is checked by more than our own eyes.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace machine::test {

struct FakeVsock {
    std::uint32_t port = 0;
    std::string socket;
    bool listen = true; // the host listens (vfkit dials it per guest connection)
};

struct FakeShare {
    std::string dir, tag;
};

// What a command line asked for.
struct FakeVm {
    int cpus = 1;
    std::uint64_t memory_mib = 512;
    std::string efi_store; // vfkit: --bootloader efi,variable-store=...
    bool efi_create = false;
    std::vector<std::string> disks;
    std::string console_log;
    std::string network; // "nat", or the unix socket a network backend serves
    std::vector<FakeVsock> vsock;
    std::vector<FakeShare> shares;
    std::string rest_socket; // --restful-uri unix://PATH; empty: none
    bool rosetta = false, nested = false;
};

class GrammarError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Throw GrammarError with what the real program would say.
FakeVm parse_vfkit(const std::vector<std::string> &args);
FakeVm parse_krunkit(const std::vector<std::string> &args);

} // namespace machine::test
