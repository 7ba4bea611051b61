#include "provisioning/agent/unit_file.h"

#include "provisioning/agent/text.h"

#include <algorithm>
#include <array>

namespace machine::agent {

namespace {

constexpr std::size_t max_unit_name = 255;

constexpr std::array<std::string_view, 11> unit_types = {
    ".service", ".socket", ".device", ".mount", ".automount", ".swap",
    ".target",  ".path",   ".timer",  ".slice", ".scope"};

void assign(std::vector<std::string> &list, std::string_view value) {
    if (value.empty()) {
        list.clear();
        return;
    }
    for (auto word : split(value, ' '))
        for (auto piece : split(word, '\t'))
            if (!piece.empty())
                list.emplace_back(piece);
}

std::string_view suffix_of(std::string_view name) {
    auto dot = name.rfind('.');
    return dot == std::string_view::npos ? std::string_view{} : name.substr(dot);
}

} // namespace

InstallSection parse_install_section(std::string_view unit_text) {
    InstallSection install;
    bool in_install = false;
    std::string line;
    auto lines = split(unit_text, '\n');
    for (std::size_t i = 0; i < lines.size(); ++i) {
        auto piece = trim(lines[i]);
        if (!piece.empty() && (piece.front() == '#' || piece.front() == ';'))
            continue;
        if (line.empty() && piece.empty())
            continue;
        // A trailing backslash continues the line (comment lines in between are dropped).
        if (!piece.empty() && piece.back() == '\\') {
            piece.remove_suffix(1);
            line += piece;
            line += ' ';
            continue;
        }
        line += piece;
        std::string_view whole = line;
        if (whole.front() == '[') {
            in_install = whole == "[Install]";
        } else if (in_install) {
            auto equals = whole.find('=');
            if (equals != std::string_view::npos) {
                auto key = trim(whole.substr(0, equals));
                auto value = trim(whole.substr(equals + 1));
                if (key == "WantedBy")
                    assign(install.wanted_by, value);
                else if (key == "RequiredBy")
                    assign(install.required_by, value);
                else if (key == "Alias")
                    assign(install.alias, value);
                else if (key == "Also")
                    assign(install.also, value);
                else if (key == "DefaultInstance")
                    install.default_instance = value;
            }
        }
        line.clear();
    }
    return install;
}

std::vector<SymlinkSpec> enable_links(const std::string &name, const std::string &unit_path,
                                      const InstallSection &install) {
    auto link_name = name;
    auto at = name.find('@');
    if (at != std::string::npos && name.compare(at, 2, "@.") == 0) {
        if (install.default_instance.empty())
            return {};
        link_name = name.substr(0, at + 1) + install.default_instance + name.substr(at + 1);
    }
    const std::string base(admin_unit_directory);
    std::vector<SymlinkSpec> links;
    for (const auto &target : install.wanted_by)
        links.push_back({base + "/" + target + ".wants/" + link_name, unit_path});
    for (const auto &target : install.required_by)
        links.push_back({base + "/" + target + ".requires/" + link_name, unit_path});
    for (const auto &alias : install.alias)
        links.push_back({base + "/" + alias, unit_path});
    return links;
}

bool valid_unit_name(std::string_view name) {
    if (name.empty() || name.size() > max_unit_name)
        return false;
    auto suffix = suffix_of(name);
    if (std::find(unit_types.begin(), unit_types.end(), suffix) == unit_types.end() ||
        suffix.size() == name.size())
        return false;
    if (std::count(name.begin(), name.end(), '@') > 1 || name.front() == '@')
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == ':' || c == '-' || c == '_' || c == '.' || c == '\\' || c == '@';
    });
}

std::string template_of(std::string_view name) {
    auto at = name.find('@');
    auto suffix = suffix_of(name);
    if (at == std::string_view::npos || at + 1 + suffix.size() >= name.size())
        return {};
    return std::string(name.substr(0, at + 1)) + std::string(suffix);
}

} // namespace machine::agent
