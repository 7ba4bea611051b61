#include "cli_runner.h"

#include "platform/process_runner.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace machine::test {

namespace fs = std::filesystem;

CliSandbox::CliSandbox() {
    std::string pattern = (fs::temp_directory_path() / "machine-test-XXXXXX").string();
    if (!::mkdtemp(pattern.data()))
        throw std::runtime_error("mkdtemp failed");
    root_ = pattern;
    fs::create_directories(root_ / "home");
    // podman wants the files it is pointed at to exist
    std::ofstream(root_ / "containers.conf");
    fs::create_directories(root_ / "docker");
    std::ofstream(root_ / "docker" / "config.json") << "{}\n";
    platform::SpawnProcessRunner runner;
    runner.check({"qemu-img", {"create", "-q", "-f", "qcow2", image(), "1G"}, {}});
}

CliSandbox::~CliSandbox() {
    // Machines a test left running must not outlive their sandbox.
    if (fs::exists(config_dir() / "machines"))
        run({"reset", "--force"});
    std::error_code ec;
    fs::remove_all(root_, ec);
}

ProcessResult CliSandbox::run(const std::vector<std::string> &args,
                              const std::map<std::string, std::string> &extra_env) const {
    Command command{MACHINE_BINARY,
                    args,
                    {{"XDG_CONFIG_HOME", (root_ / "config").string()},
                     {"XDG_DATA_HOME", (root_ / "data").string()},
                     {"XDG_RUNTIME_DIR", (root_ / "run").string()},
                     {"HOME", (root_ / "home").string()},
                     // podman (as root: /etc/containers) and docker keep connections here
                     {"CONTAINERS_CONF", (root_ / "containers.conf").string()},
                     {"DOCKER_CONFIG", (root_ / "docker").string()},
                     {"TZ", "UTC"}}};
    for (const auto &[key, value] : extra_env)
        command.env[key] = value;
    platform::SpawnProcessRunner runner;
    return runner.run(command);
}

std::map<std::string, std::uintmax_t> CliSandbox::snapshot() const {
    std::map<std::string, std::uintmax_t> entries;
    std::error_code ec;
    for (const auto &entry : fs::recursive_directory_iterator(root_, ec)) {
        auto relative = fs::relative(entry.path(), root_).string();
        if (relative.find("/locks") != std::string::npos ||
            relative.find(".index.json") != std::string::npos ||
            relative.find("images/cache") != std::string::npos)
            continue;
        entries[relative] = entry.is_regular_file() ? entry.file_size() : 0;
    }
    return entries;
}

bool is_one_error_line(const std::string &err) {
    return err.rfind("Error: ", 0) == 0 && err.find('\n') == err.size() - 1;
}

} // namespace machine::test
