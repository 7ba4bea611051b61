#include "machine/names.h"

#include "machine/errors.h"
#include "machine/printable.h"

#include <fmt/format.h>

namespace machine {

namespace {

bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

} // namespace

void validate_machine_name(std::string_view name) {
    const char *accepted = "use letters, digits, '_', '.' and '-', starting with a letter or digit";
    if (name.empty())
        throw InvalidInput("name", "machine name is empty; " + std::string(accepted));
    if (name.size() > max_name_length)
        throw InvalidInput("name", fmt::format("machine name is {} characters long; at most {} "
                                               "are accepted",
                                               name.size(), max_name_length));
    if (!is_alnum(name.front()))
        throw InvalidInput("name", fmt::format("machine name \"{}\" must start with a letter or "
                                               "digit",
                                               printable(name)));
    for (char c : name)
        if (!is_alnum(c) && c != '_' && c != '.' && c != '-')
            throw InvalidInput("name", fmt::format("machine name \"{}\" contains \"{}\"; {}",
                                                   printable(name), printable({&c, 1}), accepted));
    if (name.find("..") != std::string_view::npos)
        throw InvalidInput("name", fmt::format("machine name \"{}\" contains \"..\"", name));
}

} // namespace machine
