#pragma once
// The files of a WSL machine, in the machine's data folder (machine/layout.h).
#include "machine/layout.h"

#include <filesystem>

namespace machine {

struct WslFiles {
    explicit WslFiles(const Layout &layout);

    std::filesystem::path install_dir; // `wsl --import`'s install location
    std::filesystem::path disk;        // WSL's disk of the distribution, in install_dir
    std::filesystem::path ignition;    // the config as WSL applies it, again at every start
};

} // namespace machine
