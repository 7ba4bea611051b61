#include "providers/qemu/qemu_files.h"

namespace machine {

QemuFiles::QemuFiles(const Layout &layout)
    : disk(layout.data_dir() / "disk.qcow2"), ignition(layout.data_dir() / "ignition.json"),
      seed_image(layout.data_dir() / "seed.iso"), efi_vars(layout.data_dir() / "efi-vars.fd"),
      log(layout.data_dir() / "qemu.log"), pid(layout.runtime_dir() / "qemu.pid"),
      qmp_socket(layout.runtime_dir() / "qmp.sock"),
      ready_socket(layout.runtime_dir() / "ready.sock"),
      mux_socket(layout.runtime_dir() / "mux.sock") {}

} // namespace machine
