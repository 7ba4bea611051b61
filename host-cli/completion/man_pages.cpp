#include "completion/man_pages.h"

#include <cctype>
#include <fmt/format.h>

namespace machine::cli {

namespace {

// Text as roff shows it: backslashes and hyphens escaped, no line read as a request.
std::string roff(const std::string &text) {
    std::string out;
    for (char c : text) {
        if (c == '\\')
            out += "\\e";
        else if (c == '-')
            out += "\\-";
        else
            out += c;
        if (c == '\n')
            out += "\\&";
    }
    return (!out.empty() && (out[0] == '.' || out[0] == '\'')) ? "\\&" + out : out;
}

std::string upper(std::string text) {
    for (auto &c : text)
        c = char(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

std::string header(const std::string &title, const std::string &version) {
    return fmt::format(".TH {} 1 \"\" \"machine {}\" \"machine manual\"\n", roff(title),
                       roff(version));
}

std::string option_lines(const CLI::App &verb) {
    std::string text;
    for (const auto *option : verb.get_options()) {
        if (!option->nonpositional())
            continue;
        std::vector<std::string> spellings;
        for (const auto &name : option->get_snames())
            spellings.push_back("\\fB\\-" + roff(name) + "\\fR");
        for (const auto &name : option->get_lnames())
            spellings.push_back("\\fB\\-\\-" + roff(name) + "\\fR");
        std::string value;
        if (option->get_expected_min() > 0)
            value = " \\fI" + roff(option->get_type_name()) + "\\fR";
        std::string joined;
        for (const auto &spelling : spellings)
            joined += (joined.empty() ? "" : ", ") + spelling;
        text += fmt::format(".TP\n{}{}\n{}\n", joined, value, roff(option->get_description()));
    }
    return text;
}

std::string arguments(const CLI::App &verb) {
    std::string text;
    for (const auto *option : verb.get_options())
        if (!option->nonpositional())
            text += fmt::format(" [\\fI{}\\fR]", roff(upper(option->get_name(true))));
    return text;
}

ManPage verb_page(const CLI::App &verb, const std::string &version) {
    auto name = "machine-" + verb.get_name();
    std::string text = header(name, version);
    text += fmt::format(".SH NAME\n{} \\- {}\n", roff(name), roff(verb.get_description()));
    text += fmt::format(".SH SYNOPSIS\n\\fBmachine {}\\fR [\\fIOPTIONS\\fR]{}\n",
                        roff(verb.get_name()), arguments(verb));
    text += ".SH OPTIONS\n" + option_lines(verb);
    if (auto footer = verb.get_footer(); !footer.empty())
        text += ".SH NOTES\n" + roff(footer) + "\n";
    text += ".SH SEE ALSO\n\\fBmachine\\fR(1)\n";
    return {name + ".1", text};
}

} // namespace

std::vector<ManPage> man_pages(const CLI::App &app, const std::string &version) {
    std::vector<ManPage> pages;
    std::string verbs;
    for (const auto *verb : app.get_subcommands([](const CLI::App *) { return true; })) {
        if (verb->get_group().empty()) // hidden (the forwarder, this generator)
            continue;
        pages.push_back(verb_page(*verb, version));
        verbs += fmt::format(".TP\n\\fBmachine\\-{}\\fR(1)\n{}\n", roff(verb->get_name()),
                             roff(verb->get_description()));
    }
    std::string text = header("machine", version);
    text += ".SH NAME\nmachine \\- " + roff(app.get_description()) + "\n";
    text += ".SH SYNOPSIS\n\\fBmachine\\fR \\fIVERB\\fR [\\fIOPTIONS\\fR] [\\fIARGS\\fR]\n";
    text += ".SH COMMANDS\n" + verbs;
    text += ".SH OPTIONS\n" + option_lines(app);
    pages.insert(pages.begin(), {"machine.1", text});
    return pages;
}

} // namespace machine::cli
