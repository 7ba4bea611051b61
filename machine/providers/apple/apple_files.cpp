#include "providers/apple/apple_files.h"

namespace machine {

AppleFiles::AppleFiles(const Layout &layout)
    : disk(layout.data_dir() / "disk.raw"), efi_vars(layout.data_dir() / "efi-vars"),
      ignition(layout.data_dir() / "ignition.json"),
      hypervisor_log(layout.data_dir() / "hypervisor.log"),
      gvproxy_log(layout.data_dir() / "gvproxy.log"), pid(layout.runtime_dir() / "vm.pid"),
      rest_socket(layout.runtime_dir() / "rest.sock"),
      ready_socket(layout.runtime_dir() / "ready.sock"),
      ignition_socket(layout.runtime_dir() / "ignition.sock"),
      mux_socket(layout.runtime_dir() / "mux.sock"),
      gvproxy_socket(layout.runtime_dir() / "gvproxy.sock"),
      gvproxy_pid(layout.runtime_dir() / "gvproxy.pid") {}

} // namespace machine
