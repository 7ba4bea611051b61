#pragma once
// QEMU: thin glue around the pure builders in this folder.
#include "machine/command.h"
#include "machine/provider.h"

namespace machine {

class QemuProvider : public Provider {
public:
    explicit QemuProvider(ProcessRunner &runner) : runner_(runner) {}

    std::string name() const override { return "qemu"; }
    ProviderFeatures features() const override;
    void create(const MachineConfig &config, const Layout &layout) override;
    void remove(const MachineConfig &config, const Layout &layout) override;
    MachineState state(const MachineConfig &config, const Layout &layout) override;
    void grow_disk(const MachineConfig &config, const Layout &layout,
                   std::uint64_t disk_gib) override;

private:
    ProcessRunner &runner_;
};

} // namespace machine
