// podman-style `--format` templates: fields, nested fields, functions, escapes, table headers,
// and InvalidInput("--format") for everything else.
#include "machine/errors.h"
#include "output/template.h"
#include "thrown.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace machine;
using machine::cli::Template;
using machine::test::one_line;
using machine::test::thrown;
using nlohmann::json;

namespace {

json row() {
    return json{{"Name", "dev"},
                {"VMType", "qemu"},
                {"LastUp", "2 hours ago"},
                {"Running", false},
                {"Port", 2222},
                {"Tags", nullptr},
                {"Mixed", "MiXeD case"},
                {"Resources", {{"CPUs", 4}, {"Memory", "4GiB"}, {"Disk", {{"Size", 100}}}}}};
}

std::string render(const std::string &format) {
    return Template(format).render(row());
}

InvalidInput bad_format(const std::string &format) {
    return thrown<InvalidInput>([&] { render(format); });
}

} // namespace

TEST_CASE("a field is replaced by its value", "[template]") {
    CHECK(render("{{.Name}}") == "dev");
    CHECK(render("{{ .Name }}") == "dev");
    CHECK(render("{{   .Name\t}}") == "dev");
    CHECK(render("name={{.Name}}!") == "name=dev!");
    CHECK(render("{{.Name}}{{.VMType}}") == "devqemu");
    CHECK(render("plain text") == "plain text");
    CHECK(render("") == "");
}

TEST_CASE("values of every JSON type are printed as podman prints them", "[template]") {
    CHECK(render("{{.Port}}") == "2222");
    CHECK(render("{{.Running}}") == "false");
    CHECK(render("{{.Tags}}") == "<nil>");
    CHECK(render("{{.Resources.Disk}}") == R"({"Size":100})");
}

TEST_CASE("nested fields are reached with dots", "[template]") {
    CHECK(render("{{.Resources.CPUs}}") == "4");
    CHECK(render("{{.Resources.Memory}}") == "4GiB");
    CHECK(render("{{.Resources.Disk.Size}}") == "100");
}

TEST_CASE("json prints the value as JSON, '.' is the whole row", "[template]") {
    CHECK(render("{{json .}}") == row().dump());
    CHECK(render("{{ json . }}") == row().dump());
    CHECK(json::parse(render("{{json .}}")) == row());
    CHECK(render("{{json .Name}}") == "\"dev\"");
    CHECK(render("{{json .Tags}}") == "null");
    CHECK(render("{{json .Resources}}") == row()["Resources"].dump());
    CHECK(render("{{.}}") == row().dump());
}

TEST_CASE("upper and lower change the case of the text", "[template]") {
    CHECK(render("{{upper .Name}}") == "DEV");
    CHECK(render("{{lower .Mixed}}") == "mixed case");
    CHECK(render("{{upper .Mixed}}") == "MIXED CASE");
    CHECK(render("{{upper .Port}}") == "2222");
}

TEST_CASE("escapes written on the command line become tab and newline", "[template]") {
    CHECK(render("{{.Name}}\\t{{.Port}}\\n") == "dev\t2222\n");
    CHECK(render("a\\tb\\nc") == "a\tb\nc");
    CHECK(render("a\\xb") == "a\\xb");
    CHECK(render("trailing\\") == "trailing\\");
}

TEST_CASE("a table template renders rows and a header of upper-cased words", "[template][table]") {
    Template format("table {{.Name}}\\t{{.LastUp}}\\t{{.Resources.CPUs}}\\t{{.VMType}}");
    CHECK(format.is_table());
    CHECK(format.render(row()) == "dev\t2 hours ago\t4\tqemu");
    CHECK(format.header(json::object()) == "NAME\tLAST UP\tCPUS\tVMTYPE");
    CHECK(format.header(json()) == "NAME\tLAST UP\tCPUS\tVMTYPE");
}

TEST_CASE("a header can be overridden per field path", "[template][table]") {
    Template format("table {{.Name}}\\t{{.VMType}}\\t{{.Resources.CPUs}}");
    json headers{{"VMType", "VM TYPE"}, {"Resources.CPUs", "VCPUS"}};
    CHECK(format.header(headers) == "NAME\tVM TYPE\tVCPUS");
}

TEST_CASE("a header keeps literal text and function calls use the field's name", "[template]") {
    Template format("table ID: {{upper .Name}} ({{json .Port}})");
    CHECK(format.header(json::object()) == "ID: NAME (PORT)");
    CHECK(format.render(row()) == "ID: DEV (2222)");
}

TEST_CASE("a template without the table keyword has no header", "[template][table]") {
    CHECK_FALSE(Template("{{.Name}}").is_table());
    CHECK_FALSE(Template("{{json .}}").is_table());
    CHECK(Template("table").is_table());
    CHECK(Template("table").render(row()) == "");
}

TEST_CASE("an unknown field is an InvalidInput naming it and the known fields", "[template]") {
    auto format = GENERATE(as<std::string>{}, "{{.Nope}}", "{{.name}}", "{{upper .Nope}}",
                           "{{json .Nope}}", "x {{.Name}} {{.Nope}}");
    CAPTURE(format);
    auto error = bad_format(format);
    CHECK(error.field() == "--format");
    CHECK_THAT(error.what(), Catch::Contains("\"Nope\"") || Catch::Contains("\"name\""));
    CHECK_THAT(error.what(), Catch::Contains("Name") && Catch::Contains("Resources"));
    CHECK(one_line(error.what()));
}

TEST_CASE("an unknown nested field names the whole path", "[template]") {
    auto error = bad_format("{{.Resources.Disk.Speed}}");
    CHECK(error.field() == "--format");
    CHECK_THAT(error.what(), Catch::Contains("Resources.Disk.Speed") && Catch::Contains("Size"));
    error = bad_format("{{.Name.First}}");
    CHECK_THAT(error.what(), Catch::Contains("Name.First"));
}

TEST_CASE("unbalanced braces are an InvalidInput", "[template]") {
    auto format =
        GENERATE(as<std::string>{}, "{{.Name", "{{.Name}", "{{", "x {{.Name}} {{", "table {{.Name");
    CAPTURE(format);
    auto error = thrown<InvalidInput>([&] { Template{format}; });
    CHECK(error.field() == "--format");
    CHECK_THAT(error.what(), Catch::Contains("}}"));
    CHECK(one_line(error.what()));
}

TEST_CASE("an unknown function is an InvalidInput naming it", "[template]") {
    auto error = thrown<InvalidInput>([] { Template("{{title .Name}}"); });
    CHECK(error.field() == "--format");
    CHECK_THAT(error.what(), Catch::Contains("\"title\"") && Catch::Contains("json"));
    CHECK(one_line(error.what()));
}

TEST_CASE("an action that is not a field is an InvalidInput", "[template]") {
    auto format = GENERATE(as<std::string>{}, "{{}}", "{{ }}", "{{Name}}", "{{json}}",
                           "{{json . .}}", "{{upper .Name .VMType}}", "{{{.Name}}}");
    CAPTURE(format);
    auto error = thrown<InvalidInput>([&] { Template{format}; });
    CHECK(error.field() == "--format");
    CHECK(one_line(error.what()));
}
