// How the hyperv provider writes and runs PowerShell: quoting (with hostile names and paths, read
// back the way PowerShell reads them), the script wrapper, the command line, -EncodedCommand.
#include "machine/errors.h"
#include "providers/hyperv/powershell_script.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace machine;

namespace {

std::string base64_decode(const std::string &text) {
    static const std::string alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned bits = 0;
    int count = 0;
    for (char c : text) {
        if (c == '=')
            break;
        auto value = alphabet.find(c);
        REQUIRE(value != std::string::npos);
        bits = bits << 6 | unsigned(value);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out += char((bits >> count) & 0xff);
        }
    }
    return out;
}

// What PowerShell makes of ps_quote()'s two forms: a single-quoted literal ('' is '), or the
// base64 expression.
std::string read_back(const std::string &quoted) {
    const std::string prefix = "([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('";
    if (quoted.starts_with(prefix)) {
        REQUIRE(quoted.ends_with("')))"));
        return base64_decode(quoted.substr(prefix.size(), quoted.size() - prefix.size() - 4));
    }
    REQUIRE(quoted.size() >= 2);
    REQUIRE(quoted.front() == '\'');
    REQUIRE(quoted.back() == '\'');
    std::string text;
    for (std::size_t i = 1; i + 1 < quoted.size(); ++i) {
        if (quoted[i] == '\'') {
            REQUIRE(quoted[i + 1] == '\''); // a lone quote would end the string early
            ++i;
        }
        text += quoted[i];
    }
    return text;
}

bool ascii_only(const std::string &text) {
    for (char c : text)
        if (static_cast<unsigned char>(c) > 0x7e || (c < 0x20 && c != '\n'))
            return false;
    return true;
}

} // namespace

TEST_CASE("ps_quote: plain text becomes a single-quoted literal", "[hyperv]") {
    CHECK(ps_quote("machine-dev") == "'machine-dev'");
    CHECK(ps_quote("") == "''");
    CHECK(ps_quote("it's") == "'it''s'");
    CHECK(ps_quote("C:\\Users\\u\\AppData\\Local\\machine\\data\\dev\\disk.vhdx") ==
          "'C:\\Users\\u\\AppData\\Local\\machine\\data\\dev\\disk.vhdx'");
    // Nothing is special inside single quotes but the quote itself.
    CHECK(ps_quote("$(Remove-Item C:\\ -Recurse) `n \"x\" ${env:PATH}") ==
          "'$(Remove-Item C:\\ -Recurse) `n \"x\" ${env:PATH}'");
}

TEST_CASE("ps_quote: other text travels as base64 of its UTF-8", "[hyperv]") {
    CHECK(ps_quote("a\nb") ==
          "([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('YQpi')))");
    CHECK(ps_quote("C:\\Users\\Jos\xc3\xa9") ==
          "([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('QzpcVXNlcnNcSm9zw6k=')))");
}

TEST_CASE("ps_quote: hostile names and paths read back unchanged and break nothing out",
          "[hyperv]") {
    std::vector<std::string> hostile = {
        "'",
        "''",
        "'; Remove-Item -Recurse -Force C:\\; '",
        "x' + (Invoke-Expression 'calc') + 'y",
        "\xe2\x80\x98; calc; \xe2\x80\x99", // U+2018 / U+2019: PowerShell takes them as quotes
        "\xe2\x80\x9a\xe2\x80\x9b",         // U+201A, U+201B likewise
        "line one\r\nline two",
        "tab\there",
        std::string("nul\0byte", 8),
        "C:\\Users\\J\xc3\xb6rg M\xc3\xbcller\\AppData\\Local\\machine\\data\\dev",
        "\\\\.\\pipe\\machine-dev-com1",
        "$env:USERPROFILE",
        "`",
        "#",
        "<# not a comment #>",
        "\xff\xfe not UTF-8",
    };
    for (const auto &text : hostile) {
        INFO("text: " << text);
        auto quoted = ps_quote(text);
        CHECK(read_back(quoted) == text);
        CHECK(ascii_only(quoted)); // stdin is read in the console's code page: ASCII survives it
        CHECK(quoted.find('\n') == std::string::npos);
    }
}

TEST_CASE("ps_script: one statement that stops at the first error, then a blank line", "[hyperv]") {
    auto script = ps_script("say hello", {"$name = 'world'", "", "if ($name) {",
                                          "    Write-Output ('hello ' + $name)", "}"});
    CHECK(script == R"(# machine: say hello
& {
    try {
        $ErrorActionPreference = 'Stop'
        $ProgressPreference = 'SilentlyContinue'
        $name = 'world'
        if ($name) {
            Write-Output ('hello ' + $name)
        }
    } catch {
        [Console]::Error.WriteLine($_.Exception.Message)
        exit 1
    }
    exit 0
}

)");
    CHECK(ps_script_step(script) == "say hello");
    CHECK(ps_script_step("Write-Output 1\n") == "");
}

TEST_CASE("powershell_command: the script goes on stdin, never on the command line", "[hyperv]") {
    auto command = powershell_command("Write-Output 1\n");
    CHECK(command.program == "powershell.exe");
    CHECK(command.args == std::vector<std::string>{"-NoProfile", "-NonInteractive",
                                                   "-ExecutionPolicy", "Bypass", "-Command", "-"});
    CHECK(command.env.empty());
    CHECK(command.input == "Write-Output 1\n");
}

TEST_CASE("ps_encoded_command: base64 of UTF-16LE, for ASCII scripts only", "[hyperv]") {
    CHECK(ps_encoded_command("A") == "QQA=");
    CHECK(ps_encoded_command("exit 0\n") == "ZQB4AGkAdAAgADAACgA=");
    CHECK(base64_decode(ps_encoded_command("dir")) == std::string("d\0i\0r\0", 6));
    CHECK_THROWS_AS(ps_encoded_command("Jos\xc3\xa9"), Error);
}
