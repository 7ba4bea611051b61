#include "providers/hyperv/powershell_script.h"

#include "machine/errors.h"

#include <algorithm>

namespace machine {

namespace {

std::string base64(const std::string &bytes) {
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        std::size_t left = std::min<std::size_t>(3, bytes.size() - i);
        unsigned n = 0;
        for (std::size_t k = 0; k < 3; ++k)
            n = n << 8 | (k < left ? unsigned(static_cast<unsigned char>(bytes[i + k])) : 0u);
        out += alphabet[n >> 18];
        out += alphabet[(n >> 12) & 63];
        out += left > 1 ? alphabet[(n >> 6) & 63] : '=';
        out += left > 2 ? alphabet[n & 63] : '=';
    }
    return out;
}

bool printable_ascii(const std::string &text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

} // namespace

std::string ps_quote(const std::string &text) {
    if (!printable_ascii(text))
        return "([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('" + base64(text) +
               "')))";
    std::string quoted = "'";
    for (char c : text) {
        if (c == '\'')
            quoted += '\''; // the one escape a single-quoted string has: '' for '
        quoted += c;
    }
    return quoted + "'";
}

std::string ps_script(const std::string &step, const std::vector<std::string> &body) {
    std::string script = "# machine: " + step +
                         "\n"
                         "& {\n"
                         "    try {\n"
                         "        $ErrorActionPreference = 'Stop'\n"
                         "        $ProgressPreference = 'SilentlyContinue'\n";
    // No blank line inside: at PowerShell's prompt, which `-Command -` is, a blank line ends an
    // unfinished statement (the block would be cut short and fail to parse).
    for (const auto &line : body)
        if (!line.empty())
            script += "        " + line + "\n";
    script += "    } catch {\n"
              "        [Console]::Error.WriteLine($_.Exception.Message)\n"
              "        exit 1\n"
              "    }\n"
              "    exit 0\n"
              "}\n"
              "\n";
    return script;
}

std::string ps_script_step(const std::string &script) {
    const std::string prefix = "# machine: ";
    if (!script.starts_with(prefix))
        return {};
    return script.substr(prefix.size(), script.find('\n') - prefix.size());
}

Command powershell_command(const std::string &script) {
    return {"powershell.exe",
            {"-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-Command", "-"},
            {},
            script};
}

std::string ps_encoded_command(const std::string &script) {
    std::string utf16;
    for (char c : script) {
        if (static_cast<unsigned char>(c) > 0x7f)
            throw Error("a PowerShell script to encode holds non-ASCII text; ps_quote() it");
        utf16 += c;
        utf16 += '\0';
    }
    return base64(utf16);
}

} // namespace machine
