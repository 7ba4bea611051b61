#pragma once
// The contents of an Ignition `storage.files` entry, decoded from the data: URL the renderer
// writes (data:;base64,...).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace machine::test {

inline std::string decode_source(const nlohmann::json &file) {
    auto source = file["contents"]["source"].get<std::string>();
    REQUIRE(source.rfind("data:;base64,", 0) == 0);
    static const std::string alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned bits = 0;
    int count = 0;
    for (char c : source.substr(13)) {
        if (c == '=')
            break;
        bits = bits << 6 | unsigned(alphabet.find(c));
        count += 6;
        if (count >= 8) {
            count -= 8;
            out += char((bits >> count) & 0xff);
        }
    }
    return out;
}

// The decoded contents of the file at `path` in an Ignition config; empty when there is none.
inline std::string ignition_file(const std::string &ignition, const std::string &path) {
    auto json = nlohmann::json::parse(ignition);
    for (const auto &file : json["storage"]["files"])
        if (file["path"] == path)
            return decode_source(file);
    return {};
}

} // namespace machine::test
