#include "providers/wsl/wsl_files.h"

namespace machine {

WslFiles::WslFiles(const Layout &layout)
    : install_dir(layout.data_dir() / "wsl"), disk(install_dir / "ext4.vhdx"),
      ignition(layout.data_dir() / "ignition.json") {}

} // namespace machine
