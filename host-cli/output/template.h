#pragma once
// podman's `--format` templates over JSON rows: `{{.Name}}`, `{{.Resources.CPUs}}`, `{{json .}}`,
// `{{upper .Name}}`, `\t` and `\n` escapes, and a leading `table` for a header row.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace machine::cli {

class Template {
public:
    // Throws InvalidInput("--format") for unbalanced braces or an unknown function.
    explicit Template(std::string format);

    bool is_table() const { return table_; }

    // Renders one row. Throws InvalidInput("--format") naming a field the row lacks.
    std::string render(const nlohmann::json &row) const;

    // The header row of a `table` template: each action's field name, upper-cased and split
    // into words ("LastUp" -> "LAST UP"), unless `headers` names it.
    std::string header(const nlohmann::json &headers) const;

private:
    struct Piece {
        bool action = false;
        std::string text;     // literal text, or the field path ("" for `.`)
        std::string function; // "", "json", "upper", "lower"
    };
    std::vector<Piece> pieces_;
    bool table_ = false;
};

} // namespace machine::cli
