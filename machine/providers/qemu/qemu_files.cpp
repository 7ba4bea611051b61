#include "providers/qemu/qemu_files.h"

#include "machine/names.h"
#include "platform/sha256.h"

namespace machine {

QemuFiles::QemuFiles(const Layout &layout)
    : disk(layout.data_dir() / "disk.qcow2"), ignition(layout.data_dir() / "ignition.json"),
      seed_image(layout.data_dir() / "seed.iso"), efi_vars(layout.data_dir() / "efi-vars.fd"),
      log(layout.data_dir() / "qemu.log"), pid(layout.runtime_dir() / "qemu.pid"),
      qmp_socket(layout.runtime_dir() / "qmp.sock"),
      events_socket(layout.runtime_dir() / "events.sock"),
      ready_socket(layout.runtime_dir() / "ready.sock"),
      mux_socket(layout.runtime_dir() / "mux.sock"), memory(layout.data_dir() / "memory.ram"),
      saved_state(layout.data_dir() / "saved.state"),
      saved_from(layout.data_dir() / "saved.fingerprint"), runtime_dir_(layout.runtime_dir()),
      data_dir_(layout.data_dir()) {}

VirtiofsdFiles QemuFiles::virtiofsd(std::size_t index) const {
    auto name = "virtiofsd-" + std::to_string(index);
    return {runtime_dir_ / (name + ".sock"), runtime_dir_ / (name + ".pid"),
            data_dir_ / (name + ".log")};
}

std::string ready_pipe_name(const Layout &layout) {
    validate_machine_name(layout.name()); // nothing in it then needs escaping in a pipe name
    auto folder = layout.runtime_dir().u8string();
    platform::Sha256 hash;
    hash.update(folder.data(), folder.size());
    return "machine-" + layout.name() + "+" + hash.hex_digest().substr(0, 16) + "-ready";
}

} // namespace machine
