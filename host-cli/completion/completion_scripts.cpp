#include "completion/completion_scripts.h"

#include <fmt/format.h>

namespace machine::cli {

namespace {

std::string joined(const std::vector<std::string> &words, const std::string &between = " ") {
    std::string text;
    for (const auto &word : words)
        text += (text.empty() ? "" : between) + word;
    return text;
}

std::vector<std::string> verb_names(const CompletionModel &model) {
    std::vector<std::string> names;
    for (const auto &verb : model.verbs)
        names.push_back(verb.name);
    return names;
}

// In single quotes for every shell here: a quote inside becomes a plain one left out.
std::string quoted(std::string text) {
    std::erase(text, '\'');
    return "'" + text + "'";
}

std::string bash(const CompletionModel &model) {
    std::string cases;
    for (const auto &verb : model.verbs)
        cases += fmt::format("    {}) flags={}; names={} ;;\n", verb.name,
                             quoted(joined(verb.flags)), verb.machine_names ? 1 : 0);
    return fmt::format(R"SH(# bash completion for machine (`machine completion bash`)
_machine() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} verb="" flags names=0 i
    for ((i = 1; i < COMP_CWORD; i++)); do
        if [[ ${{COMP_WORDS[i]}} != -* ]]; then verb=${{COMP_WORDS[i]}}; break; fi
    done
    case $verb in
    "") COMPREPLY=($(compgen -W {} -- "$cur")); return ;;
{}    *) return ;;
    esac
    if [[ $cur == -* || $names == 0 ]]; then
        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$(machine list -q 2>/dev/null)" -- "$cur"))
    fi
}}
complete -F _machine machine
)SH",
                       quoted(joined(verb_names(model)) + " " + joined(model.global_flags)), cases);
}

std::string zsh(const CompletionModel &model) {
    std::string verbs, cases;
    for (const auto &verb : model.verbs) {
        verbs += fmt::format("        {}\n", quoted(verb.name + ":" + verb.description));
        cases += fmt::format("    {}) flags=({}); names={} ;;\n", verb.name, joined(verb.flags),
                             verb.machine_names ? 1 : 0);
    }
    return fmt::format(R"SH(#compdef machine
# zsh completion for machine (`machine completion zsh`)
_machine() {{
    local -a verbs flags
    local names=0
    verbs=(
{}    )
    if (( CURRENT == 2 )); then
        _describe -t verbs 'machine verb' verbs
        return
    fi
    case ${{words[2]}} in
{}    esac
    if [[ $PREFIX == -* || $names == 0 ]]; then
        compadd -- $flags
    else
        compadd -- ${{(f)"$(machine list -q 2>/dev/null)"}}
    fi
}}
if [[ ${{funcstack[1]}} == _machine ]]; then _machine "$@"; else compdef _machine machine; fi
)SH",
                       verbs, cases);
}

std::string fish(const CompletionModel &model) {
    std::string text = "# fish completion for machine (`machine completion fish`)\n"
                       "complete -c machine -f\n";
    std::vector<std::string> with_names;
    for (const auto &verb : model.verbs) {
        text += fmt::format("complete -c machine -n __fish_use_subcommand -a {} -d {}\n", verb.name,
                            quoted(verb.description));
        for (const auto &flag : verb.flags)
            text += fmt::format("complete -c machine -n '__fish_seen_subcommand_from {}' -{} {}\n",
                                verb.name, flag.rfind("--", 0) == 0 ? "l" : "s",
                                flag.substr(flag.find_first_not_of('-')));
        if (verb.machine_names)
            with_names.push_back(verb.name);
    }
    text += fmt::format("complete -c machine -n '__fish_seen_subcommand_from {}' -a '(machine "
                        "list -q 2>/dev/null)'\n",
                        joined(with_names));
    return text;
}

std::string powershell(const CompletionModel &model) {
    std::string verbs;
    std::vector<std::string> with_names;
    for (const auto &verb : model.verbs) {
        std::vector<std::string> flags;
        for (const auto &flag : verb.flags)
            flags.push_back(quoted(flag));
        verbs += fmt::format("        {} = @({})\n", quoted(verb.name), joined(flags, ", "));
        if (verb.machine_names)
            with_names.push_back(quoted(verb.name));
    }
    return fmt::format(
        R"SH(# PowerShell completion for machine (`machine completion powershell | Out-String | Invoke-Expression`)
Register-ArgumentCompleter -Native -CommandName machine, machine.exe -ScriptBlock {{
    param($wordToComplete, $commandAst, $cursorPosition)
    $verbs = @{{
{}    }}
    $withNames = @({})
    $words = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object {{ "$_" }})
    $verb = $words | Where-Object {{ $_ -notlike '-*' -and $_ -ne $wordToComplete }} |
        Select-Object -First 1
    if (-not $verb) {{ $candidates = $verbs.Keys }}
    elseif ($wordToComplete -like '-*' -or $withNames -notcontains $verb) {{
        $candidates = $verbs[$verb]
    }}
    else {{ $candidates = @(machine list -q 2>$null) }}
    $candidates | Where-Object {{ $_ -like "$wordToComplete*" }} | Sort-Object | ForEach-Object {{
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
    }}
}}
)SH",
        verbs, joined(with_names, ", "));
}

} // namespace

std::string completion_script(const std::string &shell, const CompletionModel &model) {
    if (shell == "bash")
        return bash(model);
    if (shell == "zsh")
        return zsh(model);
    if (shell == "fish")
        return fish(model);
    if (shell == "powershell")
        return powershell(model);
    return {};
}

} // namespace machine::cli
