#include "output/print.h"

#include "output/table.h"
#include "output/template.h"

#include <iostream>

namespace machine::cli {

void print_template(const std::string &format, const std::vector<nlohmann::json> &display_rows,
                    const nlohmann::json &headers, bool noheading) {
    Template compiled(format);
    std::string out;
    if (compiled.is_table() && !noheading)
        out += compiled.header(headers) + "\n";
    for (const auto &row : display_rows) {
        auto line = compiled.render(row);
        out += line;
        if (line.empty() || line.back() != '\n')
            out += '\n';
    }
    std::cout << (compiled.is_table() ? align_columns(out) : out) << std::flush;
}

void print_json(const nlohmann::json &value) {
    std::cout << value.dump(4) << std::endl;
}

} // namespace machine::cli
