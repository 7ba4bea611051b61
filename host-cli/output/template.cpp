#include "output/template.h"

#include "machine/errors.h"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <sstream>

namespace machine::cli {

namespace {

std::string trim(const std::string &text) {
    auto begin = text.find_first_not_of(" \t");
    if (begin == std::string::npos)
        return {};
    return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

std::string unescape(const std::string &text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == 't' || text[i + 1] == 'n')) {
            out += text[++i] == 't' ? '\t' : '\n';
        } else {
            out += text[i];
        }
    }
    return out;
}

[[noreturn]] void bad_format(const std::string &problem) {
    throw InvalidInput("--format", "--format: " + problem);
}

std::string words_of(const std::string &field) {
    std::string header;
    for (std::size_t i = 0; i < field.size(); ++i) {
        char c = field[i];
        bool boundary = i > 0 && std::isupper(static_cast<unsigned char>(c)) &&
                        std::islower(static_cast<unsigned char>(field[i - 1]));
        if (boundary)
            header += ' ';
        header += char(std::toupper(static_cast<unsigned char>(c)));
    }
    return header;
}

std::string scalar_text(const nlohmann::json &value) {
    if (value.is_string())
        return value.get<std::string>();
    if (value.is_null())
        return "<nil>";
    return value.dump();
}

std::string go_like_text(const nlohmann::json &value) {
    if (value.is_object() || value.is_array()) {
        // Go prints maps as map[..]; podman users get JSON here, which is more useful.
        return value.dump();
    }
    return scalar_text(value);
}

} // namespace

Template::Template(std::string format) {
    format = unescape(format);
    if (format.rfind("table", 0) == 0) {
        table_ = true;
        format = trim(format.substr(5));
    }
    std::size_t at = 0;
    while (at < format.size()) {
        auto open = format.find("{{", at);
        if (open == std::string::npos) {
            pieces_.push_back({false, format.substr(at), {}});
            break;
        }
        if (open > at)
            pieces_.push_back({false, format.substr(at, open - at), {}});
        auto close = format.find("}}", open);
        if (close == std::string::npos)
            bad_format("\"{{\" without a matching \"}}\"");
        std::istringstream words(trim(format.substr(open + 2, close - open - 2)));
        std::vector<std::string> parts;
        for (std::string word; words >> word;)
            parts.push_back(word);
        Piece piece{true, {}, {}};
        if (parts.size() == 2) {
            piece.function = parts[0];
            if (piece.function != "json" && piece.function != "upper" && piece.function != "lower")
                bad_format(fmt::format("unknown function \"{}\"; use json, upper or lower",
                                       piece.function));
            parts.erase(parts.begin());
        }
        if (parts.size() != 1 || parts[0].empty() || parts[0][0] != '.')
            bad_format(fmt::format("\"{}\" is not a field; write e.g. {{{{.Name}}}}",
                                   format.substr(open, close + 2 - open)));
        piece.text = parts[0].substr(1);
        pieces_.push_back(piece);
        at = close + 2;
    }
}

std::string Template::render(const nlohmann::json &row) const {
    std::string out;
    for (const auto &piece : pieces_) {
        if (!piece.action) {
            out += piece.text;
            continue;
        }
        const nlohmann::json *value = &row;
        std::istringstream path(piece.text);
        for (std::string key; std::getline(path, key, '.');) {
            if (!value->is_object() || !value->contains(key)) {
                std::vector<std::string> known;
                if (value->is_object())
                    for (const auto &item : value->items())
                        known.push_back(item.key());
                bad_format(fmt::format("no field \"{}\"; fields are: {}", piece.text,
                                       fmt::join(known, ", ")));
            }
            value = &(*value)[key];
        }
        std::string text = piece.function == "json" ? value->dump() : go_like_text(*value);
        if (piece.function == "upper" || piece.function == "lower")
            std::transform(text.begin(), text.end(), text.begin(), [&](unsigned char c) {
                return char(piece.function == "upper" ? std::toupper(c) : std::tolower(c));
            });
        out += text;
    }
    return out;
}

std::string Template::header(const nlohmann::json &headers) const {
    std::string out;
    for (const auto &piece : pieces_) {
        if (!piece.action) {
            out += piece.text;
        } else {
            auto last = piece.text.substr(piece.text.rfind('.') + 1);
            out += headers.contains(piece.text) ? headers[piece.text].get<std::string>()
                                                : words_of(last);
        }
    }
    return out;
}

} // namespace machine::cli
