// One machine's broken config is reported (file and field), the others keep working, and
// `rm -f` still removes it.
#include "cli_runner.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

using machine::test::CliSandbox;

namespace {

std::string read(const std::filesystem::path &path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string replaced(std::string text, const std::string &from, const std::string &to) {
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

} // namespace

TEST_CASE("a corrupt config breaks only its own machine", "[cli][corrupt]") {
    CliSandbox sandbox;
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "good"}).exit_code == 0);
    REQUIRE(sandbox.run({"init", "--image", sandbox.image(), "bad"}).exit_code == 0);
    auto file = sandbox.config_dir() / "machines" / "bad.yaml";
    auto original = read(file);

    struct Damage {
        std::string what, text, field;
    };
    std::vector<Damage> damages = {
        {"bad YAML", "name: [unclosed\n", "line"},
        {"truncated", original.substr(0, original.size() / 3), ""},
        {"empty", "", "(top level)"},
        {"wrong type", replaced(original, "cpus: ", "cpus: many #"), "resources.cpus"},
        {"unknown key", original + "surprise: 1\n", "surprise"},
        {"unknown nested key", replaced(original, "resources:\n", "resources:\n  extra: 1\n"),
         "resources.extra"},
        {"missing field", replaced(original, "rootful: false\n", ""), "rootful"},
        {"wrong name", replaced(original, "name: bad", "name: other"), "name"},
    };
    for (const auto &damage : damages) {
        INFO(damage.what);
        std::ofstream(file, std::ios::trunc) << damage.text;

        auto list = sandbox.run({"list", "--format", "{{.Name}} {{.LastUp}}"});
        CHECK(list.exit_code == 0);
        CHECK(list.out == "bad Broken\ngood Never\n");
        CHECK(list.err.find(file.string()) != std::string::npos);
        CHECK(list.err.find(damage.field) != std::string::npos);

        auto json = nlohmann::json::parse(sandbox.run({"list", "--format", "json"}).out);
        REQUIRE(json.size() == 2);
        CHECK(json[0]["Problem"].get<std::string>().find(file.string()) != std::string::npos);
        CHECK(json[1]["Name"] == "good");

        CHECK(sandbox.run({"inspect", "good"}).exit_code == 0);
        CHECK(sandbox.run({"set", "good", "--cpus", "1"}).exit_code == 0);
        auto inspect = sandbox.run({"inspect", "bad"});
        CHECK(inspect.exit_code == 125);
        CHECK(inspect.err.find(file.string()) != std::string::npos);
    }

    CHECK(sandbox.run({"rm", "-f", "bad"}).exit_code == 0);
    CHECK(sandbox.run({"list", "--quiet"}).out == "good\n");
    CHECK_FALSE(std::filesystem::exists(sandbox.data_dir() / "machines" / "bad"));
    CHECK(std::filesystem::exists(sandbox.data_dir() / "machines" / "good" / "disk.qcow2"));
}
