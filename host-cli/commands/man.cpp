// `machine __man DIR` (hidden): writes machine.1 and a machine-VERB.1 per verb into DIR, from the
// CLI's own definitions (completion/man_pages.h), for packages to install.
#include "completion/man_pages.h"
#include "context.h"
#include "machine/errors.h"

#include <cerrno>
#include <filesystem>
#include <fstream>

namespace machine::cli {

void add_man_command(CLI::App &app) {
    auto *cmd = app.add_subcommand("__man", "Write the man pages into a folder");
    cmd->group(""); // hidden from help
    auto folder = std::make_shared<std::string>();
    cmd->add_option("folder", *folder)->required();
    cmd->callback([&app, folder] {
        std::filesystem::create_directories(*folder);
        for (const auto &page : man_pages(app, MACHINE_VERSION)) {
            auto path = std::filesystem::path(*folder) / page.file_name;
            std::ofstream out(path, std::ios::binary);
            out << page.text;
            if (!out.flush())
                throw SystemError("cannot write " + path.string(), errno);
        }
    });
}

} // namespace machine::cli
