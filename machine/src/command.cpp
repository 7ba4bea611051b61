#include "machine/command.h"

#include "machine/errors.h"

namespace machine {

std::string shell_quote(const std::string &word) {
    if (!word.empty() &&
        word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "0123456789@%+=:,./_-") == std::string::npos)
        return word;
    std::string quoted = "'";
    for (char c : word)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

std::string Command::display() const {
    std::string line = shell_quote(program);
    for (const auto &arg : args)
        line += " " + shell_quote(arg);
    return line;
}

ProcessResult ProcessRunner::check(const Command &command) {
    auto result = run(command);
    if (result.exit_code != 0)
        throw ProcessFailed(command.display(), result.exit_code, result.err);
    return result;
}

} // namespace machine
