#pragma once
// PowerShell scripts as data, and how they are run: every Hyper-V step is one script, given to
// `powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command -` on stdin
// (Command::input), never spliced into a command line.
//
// Two facts of `-Command -` shape the text (PowerShell/PowerShell#3223, #21808): it reads stdin
// like a prompt, one statement at a time (so a failure does not stop the next statement, and a
// block that never sees a blank line after it never runs), and it decodes stdin in the console's
// code page, not UTF-8. So each script is one statement, `& { try { ... } catch { exit 1 } }`,
// followed by a blank line, and its text is ASCII alone: ps_quote() passes any other text as
// base64 of its UTF-8.
#include "machine/command.h"

#include <string>
#include <vector>

namespace machine {

// `text` as one PowerShell expression whose value is exactly `text`: a single-quoted literal
// ('it''s') when it is printable ASCII, else `([Text.Encoding]::UTF8.GetString(
// [Convert]::FromBase64String('...')))`, which no quote, newline, `$`, backtick or look-alike
// quote (U+2018...) can break out of. Usable as an argument and inside expressions.
std::string ps_quote(const std::string &text);

// The whole script of one step: a first comment line naming `step` (for whoever reads a log,
// and for the tests' fake PowerShell), then `body` as one statement that stops at the first
// error, writes its message to stderr and exits 1, or exits 0.
std::string ps_script(const std::string &step, const std::vector<std::string> &body);

// The step a script's first line names; "" for text ps_script() did not make.
std::string ps_script_step(const std::string &script);

// powershell.exe (Windows PowerShell 5.1: every Windows has it, with the Hyper-V module and the
// WMI cmdlets) running `script` from stdin.
Command powershell_command(const std::string &script);

// `script` (ASCII) for `powershell.exe -EncodedCommand`: base64 of its UTF-16LE. How a script
// reaches an elevated PowerShell, which cannot be given our stdin.
std::string ps_encoded_command(const std::string &script);

} // namespace machine
