#include "output/table.h"

#include <algorithm>
#include <sstream>
#include <vector>

namespace machine::cli {

std::string align_columns(const std::string &tab_separated) {
    constexpr std::size_t min_width = 12, padding = 2;
    std::vector<std::vector<std::string>> rows;
    std::istringstream lines(tab_separated);
    for (std::string line; std::getline(lines, line);) {
        std::vector<std::string> cells;
        std::size_t start = 0;
        for (auto tab = line.find('\t'); tab != std::string::npos; tab = line.find('\t', start)) {
            cells.push_back(line.substr(start, tab - start));
            start = tab + 1;
        }
        cells.push_back(line.substr(start));
        rows.push_back(std::move(cells));
    }
    std::vector<std::size_t> widths;
    for (const auto &cells : rows)
        for (std::size_t i = 0; i + 1 < cells.size(); ++i) {
            widths.resize(std::max(widths.size(), i + 1), min_width);
            widths[i] = std::max(widths[i], cells[i].size() + padding);
        }
    std::string out;
    for (const auto &cells : rows) {
        for (std::size_t i = 0; i < cells.size(); ++i) {
            out += cells[i];
            if (i + 1 < cells.size())
                out.append(widths[i] - cells[i].size(), ' ');
        }
        out += '\n';
    }
    return out;
}

} // namespace machine::cli
