#pragma once
// What `systemctl enable` reads from a unit file and the symlinks it makes, done without
// systemctl: the agent runs before the boot is far enough along for systemctl to be safe to
// wait on, and in tests there is no systemd at all.
#include <string>
#include <string_view>
#include <vector>

namespace machine::agent {

// Where unit files are looked up, in systemd's order of precedence.
inline const std::vector<std::string> unit_directories = {
    "/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"};

// Where the agent writes unit files, drop-ins and enablement symlinks.
inline constexpr std::string_view admin_unit_directory = "/etc/systemd/system";

// The [Install] section of a unit file. Lists are space-separated and may repeat; an empty
// assignment ("WantedBy=") clears what came before, as in systemd.
struct InstallSection {
    std::vector<std::string> wanted_by;
    std::vector<std::string> required_by;
    std::vector<std::string> alias;
    std::vector<std::string> also;
    std::string default_instance;
};

InstallSection parse_install_section(std::string_view unit_text);

struct SymlinkSpec {
    std::string path;   // absolute, in the guest
    std::string target; // what the link points to
    bool operator==(const SymlinkSpec &) const = default;
};

// The links `systemctl enable NAME` makes for the unit file at `unit_path`:
// /etc/systemd/system/T.wants/NAME for each WantedBy=T, T.requires/ for RequiredBy=, and
// /etc/systemd/system/A for each Alias=A. A template (foo@.service) is enabled as its
// DefaultInstance=, or not at all.
std::vector<SymlinkSpec> enable_links(const std::string &name, const std::string &unit_path,
                                      const InstallSection &install);

// foo.service, foo@bar.socket, foo@.service, -.mount, home-core-src.mount: a name with a known
// unit type suffix and only the characters systemd allows.
bool valid_unit_name(std::string_view name);

// "foo@.service" for the instance "foo@bar.service"; empty when `name` is no instance.
std::string template_of(std::string_view name);

} // namespace machine::agent
